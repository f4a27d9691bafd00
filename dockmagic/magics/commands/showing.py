"""What several subcommands return: id lists, the names they acted on, inspect with --format."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...errors import DockerError, PartlyFailed
from ...render.formats import Formatted, format_one
from ...render.tree import Inspection


def listing(items: list[str]) -> Formatted:
    """``-q`` output: one per line, as the CLI prints it (still a str to use)."""
    return Formatted("".join(f"{item}\n" for item in items))


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
        raise PartlyFailed("inspected", [n for n in names if n not in errors], errors)
    if template:
        return text
    return found[0] if len(found) == 1 else found
