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


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"
