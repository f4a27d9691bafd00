"""IPython's variable expansion for %docker lines, in one linear pass.

IPython's own (``shell.var_expand``) scans with a regular expression that is quadratic in the line
(a 40 KB line took 14 s) and turns ``{{`` into ``{`` whenever something else on the line expands,
which breaks Go templates (``--format '{{.ID}}'``) and play variables. The rules kept from it:
``$name`` and ``$name.attr`` (not inside single quotes), ``{expression}`` evaluated in the user's
namespace, ``$$`` for a literal ``$``, and a line left exactly as written when anything in it
cannot be expanded. New: ``{{ ... }}`` is always kept as written.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from typing import Any

_TOKEN = re.compile(
    r"(?P<template>\{\{.*?\}\})"  # docker's and Ansible's templates: never touched
    r"|(?P<quote>')"
    r"|\$(?P<dollar>\$)"
    r"|\$(?P<name>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)"
    r"|\{(?P<expression>[^{}]*)\}"
    r"|(?P<brace>[{}])",
    re.S,
)


class _Unexpandable(Exception):
    pass


def _value(expression: str, scope: dict[str, Any]) -> str:
    try:
        return str(eval(expression, scope))  # as IPython: the user evaluates their own code
    except Exception as exc:
        raise _Unexpandable from exc


def expand(line: str, names: Mapping[str, Any]) -> str:
    """The line with its variables replaced; unchanged if any of them cannot be (as IPython does)."""
    out: list[str] = []
    at = 0
    quoted = False  # inside '...', where $name stays as written (as in a shell)
    scope = dict(names)  # eval adds __builtins__ to its globals: never to the caller's mapping
    try:
        for m in _TOKEN.finditer(line):
            out.append(line[at : m.start()])
            at = m.end()
            kind = m.lastgroup
            if kind == "quote":
                quoted = not quoted
                out.append("'")
            elif kind == "dollar":
                out.append("$")
            elif kind == "name" and not quoted:
                out.append(_value(m.group("name"), scope))
            elif kind == "expression":
                out.append(_value(m.group("expression"), scope))
            elif kind == "brace":
                return line  # an unmatched brace: IPython leaves such a line alone
            else:
                out.append(m.group())
    except _Unexpandable:
        return line
    out.append(line[at:])
    return "".join(out)


def caller_names(user_ns: Mapping[str, Any]) -> dict[str, Any]:
    """The user's namespace and the locals of the code that ran the magic (a %docker line inside a
    function sees that function's variables, as with IPython's own expansion)."""
    names = dict(user_ns)
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_name not in ("run_line_magic", "run_cell_magic"):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is not None and frame.f_back is not None and frame.f_back.f_locals is not user_ns:
        names.update(frame.f_back.f_locals)
    return names
