"""Making container-controlled strings safe to show: escaped for HTML, defanged for terminals."""

from __future__ import annotations

import html
import re

# Control characters other than tab and newline; ESC starts ANSI sequences a container could use to
# rewrite a terminal, NUL and friends break HTML and JSON.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")


def visible(text: str) -> str:
    """Control characters as visible escapes (``\\x1b``), so they cannot act on a terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def esc(value: object) -> str:
    """Any value as HTML text: escaped, quotes included, control characters made visible."""
    return html.escape(visible(str(value)), quote=True)


def pre_html(text: str) -> str:
    """Text as a notebook shows it: preformatted, escaped, flush with the cell's other output
    (JupyterLab's stylesheet gives a bare ``<pre>`` a margin that indents it and adds a blank line)."""
    return f"<pre class='dockmagic' style='margin:0;padding:0'>{esc(text)}</pre>"


_GO_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
}
_GO_ESCAPES |= {"\\": "\\\\", '"': '\\"'}


def _go_escape(ch: str) -> str:
    if ch in _GO_ESCAPES:
        return _GO_ESCAPES[ch]
    if ch.isprintable():
        return ch
    code = ord(ch)
    return (
        f"\\x{code:02x}"
        if code < 0x80
        else f"\\u{code:04x}"
        if code < 0x10000
        else f"\\U{code:08x}"
    )


def go_quote(text: str) -> str:
    """A string quoted as Go's strconv.Quote does, as the docker CLI shows a container's command:
    newlines, tabs and quotes escaped, so a command stays on one line."""
    return '"' + "".join(map(_go_escape, text)) + '"'


def one_line(text: str) -> str:
    """A table cell: newlines and tabs written as escapes, so they cannot break the columns."""
    return text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def tabwrite(lines: list[str], minwidth: int = 10, padding: int = 3) -> str:
    """Align tab-separated cells as Go's tabwriter does for the docker CLI (min width 10, padding 3)."""
    rows = [line.split("\t") for line in lines]
    widths: dict[int, int] = {}
    for cells in rows:
        for i, cell in enumerate(cells[:-1]):
            widths[i] = max(widths.get(i, 0), len(cell) + padding, minwidth)
    return "\n".join(
        "".join(c.ljust(widths[i]) for i, c in enumerate(cells[:-1])) + cells[-1] for cells in rows
    )


def natural_key(text: str) -> list[tuple[int, int | str]]:
    """A sort key that orders ``net2`` before ``net10``, as the docker CLI orders network and
    volume names (its natural order): runs of digits by their value, the rest by character."""
    key: list[tuple[int, int | str]] = []
    for run in re.findall(r"\d+|\D", text):
        key.append((1, int(run)) if run.isdigit() else (0 if run < "0" else 2, run))
    return key
