"""Variables in a Compose file, as the Compose Spec writes them: ``$VAR`` and ``${VAR}``,
``${VAR:-default}`` / ``${VAR-default}`` (unset or empty / unset), ``${VAR:?message}`` /
``${VAR?message}`` (required), ``${VAR:+other}`` / ``${VAR+other}`` (set), nested defaults, and
``$$`` for a dollar sign. Values only, never keys; a variable not set is an empty string."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import OptionError

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATORS = (":-", ":?", ":+", "-", "?", "+")

Lookup = Callable[[str], "str | None"]


class InterpolationError(OptionError):
    """A variable the file requires is missing, or a ``${...}`` is malformed."""


def interpolate(text: str, lookup: Lookup, where: str = "") -> str:
    """``text`` with its variables substituted; ``where`` (a key path) names the place in errors."""
    out: list[str] = []
    i = 0
    while i < len(text):
        dollar = text.find("$", i)
        if dollar < 0:
            out.append(text[i:])
            break
        out.append(text[i:dollar])
        after = text[dollar + 1 : dollar + 2]
        if after == "$":
            out.append("$")
            i = dollar + 2
        elif after == "{":
            end = _closing_brace(text, dollar + 2)
            if end < 0:
                raise InterpolationError(f"{where}: invalid interpolation format {text[dollar:]!r}")
            out.append(_braced(text[dollar + 2 : end], lookup, where))
            i = end + 1
        elif name := _NAME.match(text, dollar + 1):
            out.append(lookup(name[0]) or "")
            i = name.end()
        else:  # a dollar before anything else is itself, as compose leaves it
            out.append("$")
            i = dollar + 1
    return "".join(out)


def _closing_brace(text: str, start: int) -> int:
    """The index of the ``}`` that closes a ``${`` whose content starts at ``start`` (nested
    ``${...}`` in a default count), or -1."""
    depth = 1
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    return -1


def _braced(inner: str, lookup: Lookup, where: str) -> str:
    name = _NAME.match(inner)
    if name is None:
        raise InterpolationError(f"{where}: invalid interpolation format '${{{inner}}}'")
    rest = inner[name.end() :]
    value = lookup(name[0])
    if not rest:
        return value or ""
    operator = next((op for op in _OPERATORS if rest.startswith(op)), None)
    if operator is None:
        raise InterpolationError(f"{where}: invalid interpolation format '${{{inner}}}'")
    argument = rest[len(operator) :]
    unset = value is None
    missing = unset or (operator.startswith(":") and value == "")
    if operator.endswith("-"):
        return interpolate(argument, lookup, where) if missing else str(value)
    if operator.endswith("?"):
        if missing:
            why = interpolate(argument, lookup, where) or "it is not set"
            raise InterpolationError(
                f"{where}: required variable {name[0]} is missing a value: {why}"
            )
        return str(value)
    return "" if missing else interpolate(argument, lookup, where)  # :+ and +


def interpolated(value: Any, lookup: Lookup, where: str = "") -> Any:
    """Every string within ``value`` (mappings and lists too) interpolated; keys stay as they are."""
    if isinstance(value, str):
        return interpolate(value, lookup, where)
    if isinstance(value, Mapping):
        return {
            k: interpolated(v, lookup, f"{where}.{k}" if where else str(k))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [interpolated(v, lookup, f"{where}[{i}]") for i, v in enumerate(value)]
    return value
