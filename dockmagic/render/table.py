"""Table: the result of every list-like call (ps, images, networks, top, diff, ...).

Rows stay the engine's dicts; columns say how to show them. The same object renders as an HTML
table in a notebook, aligned text in a terminal, and a DataFrame on request.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..settings import settings
from .text import esc, one_line, shorten, tabwrite, visible

Row = dict[str, Any]


@dataclass(frozen=True)
class Column:
    title: str
    get: Callable[[Row], Any]  # the value (kept raw for to_pandas)
    show: Callable[[Any], str] = str  # how the value is shown

    @classmethod
    def key(cls, title: str, key: str, show: Callable[[Any], str] = str) -> Column:
        return cls(title, lambda row: row.get(key), show)


class Table(Sequence[Row]):
    """Rows (dicts) with columns; index by position, or by name/id where a ``lookup`` is given."""

    def __init__(
        self,
        rows: list[Row],
        columns: list[Column],
        *,
        title: str = "",
        lookup: Callable[[Row, str], bool] | None = None,
    ) -> None:
        self.rows, self.columns, self.title, self._lookup = rows, columns, title, lookup

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            if self._lookup is None:
                raise KeyError(f"{self.title or 'this table'} cannot be indexed by name")
            for row in self.rows:
                if self._lookup(row, key):
                    return row
            raise KeyError(key)
        if isinstance(key, slice):
            return Table(self.rows[key], self.columns, title=self.title, lookup=self._lookup)
        return self.rows[key]

    def __repr__(self) -> str:
        return self.to_text()

    def cells(self, row: Row) -> list[str]:
        """Each column's text for a row, on one line; whole, as the docker CLI prints it."""
        return [
            one_line(visible("" if (v := col.get(row)) is None else col.show(v)))
            for col in self.columns
        ]

    @staticmethod
    def _html_cell(text: str) -> str:
        """Long cells are cut in a notebook (settings.max_cell_chars); the whole text shows on hover."""
        short = shorten(text, settings.max_cell_chars)
        title = f" title='{esc(text)}'" if short != text else ""
        return f"<td style='text-align:left;white-space:nowrap'{title}>{esc(short)}</td>"

    def _footer(self, shown: int) -> str:
        hidden = len(self.rows) - shown
        return (
            f"… {hidden} more row{'s' * (hidden != 1)} ({len(self.rows)} in all)" if hidden else ""
        )

    def to_text(self) -> str:
        shown = self.rows[: settings.max_rows]
        grid = [[c.title for c in self.columns]] + [self.cells(r) for r in shown]
        lines = tabwrite(["\t".join(line) for line in grid]).splitlines()
        if not shown:
            lines.append(f"(no {self.title or 'rows'})")
        footer = self._footer(len(shown))
        return "\n".join(lines + ([footer] if footer else []))

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(self.to_text())

    def _repr_html_(self) -> str:
        shown = self.rows[: settings.max_rows]
        head = "".join(
            f"<th style='text-align:left;white-space:nowrap'>{esc(c.title)}</th>"
            for c in self.columns
        )
        body = "".join(
            "<tr>" + "".join(self._html_cell(cell) for cell in self.cells(r)) + "</tr>"
            for r in shown
        )
        if not shown:
            body = f"<tr><td colspan='{len(self.columns)}'><i>no {esc(self.title or 'rows')}</i></td></tr>"
        footer = self._footer(len(shown))
        foot = f"<div style='color:#666'>{esc(footer)}</div>" if footer else ""
        return f"<table class='dockmagic'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{foot}"

    def to_pandas(self) -> Any:
        """A DataFrame of typed values (needs pandas: pip install 'dockmagic[pandas]'): times as
        datetimes, counts and sizes as numbers, IDs, ports and other composite values as the
        table shows them; the records themselves are in ``frame.attrs["rows"]``."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("to_pandas() needs pandas: pip install 'dockmagic[pandas]'") from None
        frame = pd.DataFrame(
            {c.title: [_typed(c, r, pd) for r in self.rows] for c in self.columns},
            columns=[c.title for c in self.columns],
        )
        frame.attrs["rows"] = self.rows  # the engine's records, as they came
        return frame


_ID = re.compile(r"(sha256:)?[0-9a-f]{64}")  # shown short, as the table shows it
_TIMES = {"CREATED", "CREATED AT", "STARTED", "FINISHED", "LAST SEEN", "UPDATED"}


def _typed(column: Column, row: Row, pd: Any) -> Any:
    """A cell for a DataFrame: the raw value where it is a plain number or text, a datetime where
    the column is a time, else what the table shows (an ID shortened, ports as text)."""
    value = column.get(row)
    if value is None:
        return None
    if column.title in _TIMES and isinstance(value, int | float | str) and value != "":
        unit = {"unit": "s"} if isinstance(value, int | float) else {}
        return pd.to_datetime(value, utc=True, errors="coerce", **unit)
    if not isinstance(value, int | float | str | bool) or _ID.fullmatch(str(value)):
        return column.show(value)
    return value
