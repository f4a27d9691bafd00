"""``.env`` and ``env_file`` files as compose reads them: ``KEY=VALUE`` lines (``export`` before
them allowed), ``#`` comments (after an unquoted value, when a space comes before), single quotes
taken literally, double quotes with ``\\n``-style escapes and variables, unquoted values trimmed
and interpolated; a value may use the variables set above it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from ..errors import OptionError
from .interpolation import interpolate

_KEY = re.compile(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*(=|:)?")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "$": "$$"}


def parse(
    text: str, lookup: Callable[[str], str | None] = lambda name: None, where: str = ".env"
) -> dict[str, str]:
    """The variables a file sets; ``lookup`` gives those of the environment (a value may use
    them, and a line naming only a key takes its value from there)."""
    found: dict[str, str] = {}

    def known(name: str) -> str | None:
        return found[name] if name in found else lookup(name)

    lines = text.replace("\r\n", "\n").split("\n")
    row = 0
    while row < len(lines):
        line, row = lines[row], row + 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key = _KEY.match(line)
        if key is None:
            raise OptionError(f"{where} line {row}: not KEY=VALUE: {line.strip()!r}")
        if key[2] is None:  # KEY alone: the environment's value, if it has one
            if line[key.end() :].strip():
                raise OptionError(f"{where} line {row}: not KEY=VALUE: {line.strip()!r}")
            value = lookup(key[1])
            if value is not None:
                found[key[1]] = value
            continue
        rest = line[key.end() :].lstrip()
        if rest[:1] in ("'", '"'):
            quote, body = rest[0], rest[1:]
            while _closing(body, quote) < 0 and row < len(lines):  # a value over several lines
                body, row = f"{body}\n{lines[row]}", row + 1
            end = _closing(body, quote)
            if end < 0:
                raise OptionError(f"{where} line {row}: {key[1]}'s {quote} is never closed")
            raw = body[:end]
            if quote == "'":
                found[key[1]] = raw
            else:
                unescaped = re.sub(r"\\(.)", lambda m: _ESCAPES.get(m[1], "\\" + m[1]), raw)
                found[key[1]] = interpolate(unescaped, known, f"{where}: {key[1]}")
        else:
            value = re.split(r"\s#", rest, maxsplit=1)[0].strip()
            found[key[1]] = interpolate(value, known, f"{where}: {key[1]}")
    return found


def _closing(body: str, quote: str) -> int:
    """Where the quote closing ``body`` is (not one escaped by a backslash, in double quotes)."""
    i = 0
    while i < len(body):
        if body[i] == "\\" and quote == '"':
            i += 2
            continue
        if body[i] == quote:
            return i
        i += 1
    return -1


def read(path: Path, lookup: Callable[[str], str | None] = lambda name: None) -> dict[str, str]:
    try:
        text = path.read_text()
    except OSError as exc:
        raise OptionError(f"cannot read {path}: {exc.strerror or exc}") from None
    return parse(text, lookup, str(path))
