"""What several subcommands return: id lists, the names they acted on, inspect with --format."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from ...errors import DockerError, PartlyFailed
from ...render.formats import Fields, Formatted, format_one, format_rows
from ...render.table import Table
from ...render.text import pre_html, visible
from ...render.tree import Inspection, Inspections
from ..argv import Parser, add_filter, add_format


class Listing(list[str]):
    """``-q`` output and the names a command acted on: a list to use, shown one per line as the CLI."""

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(visible("\n".join(self)))

    def _repr_html_(self) -> str:
        return pre_html("\n".join(self))


def formatted(
    table: Table,
    template: str | None,
    fields: Callable[[dict[str, Any], bool], Any] = lambda row, trunc: row,
    titles: dict[str, str] | None = None,
    *,
    trunc: bool = True,
    cli_table: str | None = None,
) -> Table | Formatted:
    """A listing as asked: the rich table itself for the default view, else the template's text.
    ``cli_table``, the CLI's own table template, is given where the rich table cannot show what was
    asked (``--no-trunc``, ``-s``); the default view is then that, as text."""
    if template in (None, "table") and cli_table:
        template = cli_table
    if template and template != "table":
        return format_rows(template, table.rows, fields, titles, trunc=trunc)
    return table


def listing(items: list[str]) -> Listing:
    return Listing(items)


def inspect_each(names: list[str], template: str | None, get: Callable[[str], Inspection]) -> Any:
    """Inspect every name (failures reported at the end, as the CLI); a tree, a list of trees, or
    the --format text."""
    found: list[Inspection] = []
    errors: dict[str, DockerError] = {}
    for name in names:
        try:
            found.append(get(name))
        except DockerError as exc:
            errors[name] = exc
    if template:
        text = Formatted("".join(format_one(template, dict(item)) for item in found))
        if errors:
            print(text, end="")
    if errors:
        raise PartlyFailed.of("inspected", [n for n in names if n not in errors], errors)
    if template:
        return text
    return found[0] if len(found) == 1 else Inspections(found)


def column_fields(table: Table) -> Callable[[dict[str, Any], bool], Fields]:
    """``--format`` fields of a table the CLI formats by its columns: ``DESIRED STATE`` is
    ``.DesiredState``, ``ID`` is ``.ID``."""

    def name(title: str) -> str:
        return title if title == "ID" else title.title().replace(" ", "")

    def fields(row: dict[str, Any], trunc: bool) -> Fields:
        shown: dict[str, Any] = {name(c.title): c.show(c.get(row)) for c in table.columns}
        return Fields(None, **shown)

    return fields


def swarm_listing_flags(p: Parser, *, tasks: bool = False) -> None:
    """``--filter``, ``-q`` and ``--format`` of the swarm's listings; task lists add ``--no-trunc``
    and ``--no-resolve``."""
    add_filter(p)
    p.switch("-q", "--quiet", help="only ids")
    if tasks:
        p.switch("--no-trunc", help="whole ids (with -q)")
        p.switch("--no-resolve", help="accepted: nodes are shown by host name")
    add_format(p)


def swarm_listed(a: argparse.Namespace, table: Table) -> Any:
    """A listing as swarm_listing_flags asked: the ids alone with -q (a task's cut to 12 unless
    --no-trunc), else the table, formatted."""
    if a.quiet:
        whole = getattr(a, "no_trunc", True)
        return listing([row["ID"] if whole else row["ID"][:12] for row in table])
    return formatted(table, a.format, column_fields(table))
