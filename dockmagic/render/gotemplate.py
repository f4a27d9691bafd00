"""A safe evaluator of the subset of Go's text/template that ``docker ... --format`` uses.

Fields (``.State.Running``, ``$.Name``, ``.Label "k"``), pipelines, ``if/else if/else``, ``range``
(with ``$i, $e :=``), ``with``, ``{{- -}}`` trimming, literals, and the functions the docker docs
use (json, join, split, index, len, printf, println, upper, lower, title, truncate, pad, and, or,
not, eq, ne, lt, le, gt, ge, slice). Nothing is ever evaluated as Python: a template is parsed into
nodes and walked; an error is one ``OptionError`` line.
"""

from __future__ import annotations

import json as _json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import OptionError

_ACTION = re.compile(r"\{\{(-\s)?(.*?)(\s-)?\}\}", re.S)
_TOKEN = re.compile(
    r"""\s*(?:
      (?P<str>"(?:[^"\\]|\\.)*"|`[^`]*`)
    | (?P<num>-?\d+(?:\.\d+)?)
    | (?P<var>\$[A-Za-z_0-9]*)
    | (?P<field>(?:\.[A-Za-z_][A-Za-z_0-9]*)+|\.)
    | (?P<punct>:=|[|(),=])
    | (?P<word>[A-Za-z_][A-Za-z_0-9]*)
    )""",
    re.X,
)


class TemplateError(OptionError):
    """A --format template that cannot be parsed or run."""


# -- nodes -------------------------------------------------------------------------------------


@dataclass
class Text:
    text: str


@dataclass
class Action:
    pipe: list[list[Any]]  # commands, each a list of operands
    declare: list[str] = field(default_factory=list)  # $x := ...


@dataclass
class Block:
    kind: str  # if | range | with
    pipe: Action
    body: list[Any] = field(default_factory=list)
    orelse: list[Any] = field(default_factory=list)
    chained: bool = False  # an "else if": closed by its parent's {{end}}


@dataclass
class Field:
    base: str | None  # None: dot; "$": root; "$x": a variable; "()": the value of ``sub``
    path: list[str]
    sub: Action | None = None


@dataclass
class Word:
    name: str


@dataclass
class Literal:
    value: Any


@dataclass
class Sub:
    action: Action


# -- parsing -----------------------------------------------------------------------------------


def _tokens(source: str) -> list[tuple[str, str]]:
    out = []
    pos = 0
    source = source.strip()
    while pos < len(source):
        m = _TOKEN.match(source, pos)
        if not m or m.end() == pos:
            raise TemplateError(
                f"template: unexpected {source[pos : pos + 10]!r} in {{{{{source}}}}}"
            )
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
        while pos < len(source) and source[pos].isspace():
            pos += 1
    return out


def _operand(tokens: list[tuple[str, str]], i: int) -> tuple[Any, int]:
    kind, text = tokens[i]
    if kind == "str":
        value = text[1:-1] if text.startswith("`") else _json.loads(text)
        return Literal(value), i + 1
    if kind == "num":
        return Literal(float(text) if "." in text else int(text)), i + 1
    if kind == "field":
        return Field(None, [p for p in text.split(".") if p]), i + 1
    if kind == "var":
        # $x.Field is one token run: "$x" then ".Field"
        if i + 1 < len(tokens) and tokens[i + 1][0] == "field" and tokens[i + 1][1] != ".":
            return Field(text, [p for p in tokens[i + 1][1].split(".") if p]), i + 2
        return Field(text, []), i + 1
    if kind == "word":
        if text in ("true", "false"):
            return Literal(text == "true"), i + 1
        if text == "nil":
            return Literal(None), i + 1
        return Word(text), i + 1
    if text == "(":
        depth, j = 1, i + 1
        while j < len(tokens) and depth:
            depth += {"(": 1, ")": -1}.get(tokens[j][1], 0) if tokens[j][0] == "punct" else 0
            j += 1
        if depth:
            raise TemplateError("template: unclosed parenthesis")
        sub = _pipeline(tokens[i + 1 : j - 1])
        # (expr).Field
        if j < len(tokens) and tokens[j][0] == "field" and tokens[j][1] != ".":
            return Field("()", [p for p in tokens[j][1].split(".") if p], sub), j + 1
        return Sub(sub), j
    raise TemplateError(f"template: unexpected {text!r}")


def _pipeline(tokens: list[tuple[str, str]]) -> Action:
    declare: list[str] = []
    if len(tokens) >= 2 and tokens[0][0] == "var":
        names = []
        j = 0
        while j < len(tokens) and tokens[j][0] == "var":
            names.append(tokens[j][1])
            j += 1
            if j < len(tokens) and tokens[j][1] == ",":
                j += 1
        if j < len(tokens) and tokens[j][1] == ":=":
            declare, tokens = names, tokens[j + 1 :]
    commands: list[list[Any]] = [[]]
    i = 0
    while i < len(tokens):
        if tokens[i] == ("punct", "|"):
            commands.append([])
            i += 1
            continue
        node, i = _operand(tokens, i)
        commands[-1].append(node)
    if any(not c for c in commands):
        raise TemplateError("template: missing value in a pipeline")
    return Action(commands, declare)


def parse(template: str) -> list[Any]:
    root: list[Any] = []
    stack: list[tuple[Block, list[Any]]] = []
    current = root
    pos = 0
    trim_next = False
    for m in _ACTION.finditer(template):
        text = template[pos : m.start()]
        if trim_next:
            text = text.lstrip()
        if m.group(1):
            text = text.rstrip()
        if text:
            current.append(Text(text))
        pos, trim_next = m.end(), bool(m.group(3))
        body = m.group(2).strip()
        if body.startswith("/*"):
            continue
        word = body.split(None, 1)[0] if body else ""
        rest = body[len(word) :].strip()
        if word in ("if", "range", "with"):
            block = Block(word, _pipeline(_tokens(rest)))
            current.append(block)
            stack.append((block, current))
            current = block.body
        elif word == "else":
            if not stack:
                raise TemplateError("template: {{else}} outside if/range/with")
            block = stack[-1][0]
            if rest.startswith(
                "if "
            ):  # else if: a nested if in the else branch, closed by the same end
                nested = Block("if", _pipeline(_tokens(rest[3:])), chained=True)
                block.orelse.append(nested)
                stack.append((nested, block.orelse))
                current = nested.body
            else:
                current = block.orelse
        elif word == "end":
            if not stack:
                raise TemplateError("template: unexpected {{end}}")
            block, current = stack.pop()
            while block.chained:
                block, current = stack.pop()
        elif body:
            current.append(_pipeline(_tokens(body)))
    if stack:
        raise TemplateError(f"template: unclosed {{{{{stack[-1][0].kind}}}}}")
    tail = template[pos:]
    if "{{" in tail:
        raise TemplateError("template: unclosed action")
    if trim_next:
        tail = tail.lstrip()
    if tail:
        current.append(Text(tail))
    return root


# -- evaluation --------------------------------------------------------------------------------


def go_str(value: Any) -> str:
    """A value printed as Go's fmt would."""
    if value is None:
        return "<no value>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Mapping):
        return (
            "map["
            + " ".join(
                f"{k}:{go_str(v)}" for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))
            )
            + "]"
        )
    if isinstance(value, list | tuple):
        return "[" + " ".join(go_str(v) for v in value) + "]"
    return str(value)


def _truthy(value: Any) -> bool:
    return (
        bool(value) if not isinstance(value, float | int) or isinstance(value, bool) else value != 0
    )


def _json_dump(value: Any) -> str:
    text = _json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _printf(fmt: str, *args: Any) -> str:
    out, i = [], 0
    for m in re.finditer(r"%([-+ #0]*\d*(?:\.\d+)?)([vsdqtfx%])", fmt):
        out.append(fmt[i : m.start()])
        i = m.end()
        flags, verb = m.groups()
        if verb == "%":
            out.append("%")
            continue
        if not args:
            out.append(f"%!{verb}(MISSING)")
            continue
        value, args = args[0], args[1:]
        if verb == "q":
            out.append(_json.dumps(go_str(value)))
        elif verb in "dfx" and isinstance(value, int | float) and not isinstance(value, bool):
            out.append(("%" + flags + verb) % value)
        else:
            out.append(("%" + flags + "s") % go_str(value))
    out.append(fmt[i:])
    return "".join(out)


def _index(value: Any, *keys: Any) -> Any:
    for key in keys:
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            if isinstance(value, Mapping):
                value = None
            else:
                raise TemplateError(
                    f"template: index of {go_str(value)!r} with {go_str(key)!r}"
                ) from None
    return value


def _compare(op: Callable[[Any, Any], bool]) -> Callable[..., bool]:
    def compare(a: Any, *others: Any) -> bool:
        try:
            return any(op(a, b) for b in others) if op is _eq else all(op(a, b) for b in others)
        except TypeError:
            raise TemplateError("template: incompatible types for comparison") from None

    return compare


def _eq(a: Any, b: Any) -> bool:
    return bool(a == b)


def _len(value: Any) -> int:
    try:
        return len(value)
    except TypeError:
        raise TemplateError(f"template: len of {go_str(value)!r}") from None


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "json": _json_dump,
    "join": lambda items, sep: sep.join(go_str(i) for i in items or []),
    "split": lambda text, sep: str(text).split(sep),
    "index": _index,
    "len": _len,
    "print": lambda *a: "".join(go_str(x) for x in a),
    "println": lambda *a: " ".join(go_str(x) for x in a) + "\n",
    "printf": _printf,
    "upper": lambda s: go_str(s).upper(),
    "lower": lambda s: go_str(s).lower(),
    "title": lambda s: go_str(s).title(),
    "truncate": lambda s, n: go_str(s)[: int(n)],
    "pad": lambda s, left, right: " " * int(left) + go_str(s) + " " * int(right),
    "slice": lambda s, *ij: s[slice(*(int(x) for x in ij))],
    "not": lambda x: not _truthy(x),
    "and": lambda *xs: next((x for x in xs if not _truthy(x)), xs[-1]),
    "or": lambda *xs: next((x for x in xs if _truthy(x)), xs[-1]),
    "eq": _compare(_eq),
    "ne": _compare(lambda a, b: a != b),
    "lt": _compare(lambda a, b: a < b),
    "le": _compare(lambda a, b: a <= b),
    "gt": _compare(lambda a, b: a > b),
    "ge": _compare(lambda a, b: a >= b),
}


def _lookup(value: Any, name: str) -> Any:
    """``.Name`` on a dict (its key, else a method of its class: ``.Label "k"``) or an object
    (its attribute; a method is called later)."""
    if isinstance(value, Mapping):
        if name in value:
            return value[name]
        if name[:1].isupper():  # the CLI's template sees Go's field names (ID) where JSON says Id
            same = [k for k in value if isinstance(k, str) and k.lower() == name.lower()]
            if len(same) == 1:
                return value[same[0]]
        method = getattr(type(value), name, None)
        return getattr(value, name) if callable(method) and not name.startswith("_") else None
    if name.startswith("_") or value is None:
        raise TemplateError(
            f"template: can't evaluate field {name} in {type(value).__name__ if value else 'nil'}"
        )
    try:
        return getattr(value, name)
    except AttributeError:
        raise TemplateError(f"template: can't evaluate field {name}") from None


class _Scope:
    def __init__(self, root: Any) -> None:
        self.vars: list[dict[str, Any]] = [{"$": root}]

    def get(self, name: str) -> Any:
        for frame in reversed(self.vars):
            if name in frame:
                return frame[name]
        raise TemplateError(f"template: undefined variable {name}")


def _eval_operand(node: Any, dot: Any, scope: _Scope, args: list[Any], final: Any = None) -> Any:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Sub):
        return _run_pipe(node.action, dot, scope)
    if isinstance(node, Word):
        fn = FUNCTIONS.get(node.name)
        if fn is None:
            raise TemplateError(f'template: function "{node.name}" not defined')
        call = [*args, *([final] if final is not _NONE else [])]
        try:
            return fn(*call)
        except TypeError:
            raise TemplateError(f"template: wrong number of arguments for {node.name}") from None
    if isinstance(node, Field):
        path = node.path
        if node.sub is not None:
            value = _run_pipe(node.sub, dot, scope)
        else:
            value = dot if node.base is None else scope.get(node.base)
        for i, part in enumerate(path):
            value = _lookup(value, part)
            if callable(value) and not isinstance(value, type):
                last = i == len(path) - 1
                call = [*args, *([final] if final is not _NONE else [])] if last else []
                value = value(*call)
        return value
    raise TemplateError("template: bad node")


_NONE = object()


def _run_pipe(action: Action, dot: Any, scope: _Scope) -> Any:
    value: Any = _NONE
    for command in action.pipe:
        head, rest = command[0], command[1:]
        args = [_eval_operand(a, dot, scope, []) for a in rest]
        if not isinstance(head, Word | Field) and (rest or value is not _NONE):
            raise TemplateError("template: can't give arguments to a non-function")
        value = _eval_operand(head, dot, scope, args, value)
    for name in action.declare:
        scope.vars[-1][name] = value
    return value


def _walk(nodes: list[Any], dot: Any, scope: _Scope, out: list[str]) -> None:
    for node in nodes:
        if isinstance(node, Text):
            out.append(node.text)
        elif isinstance(node, Action):
            value = _run_pipe(node, dot, scope)
            if not node.declare:
                out.append(go_str(value))
        elif isinstance(node, Block):
            _block(node, dot, scope, out)


def _block(node: Block, dot: Any, scope: _Scope, out: list[str]) -> None:
    pipe = Action(node.pipe.pipe)
    value = _run_pipe(pipe, dot, scope)
    if node.kind == "if":
        _walk(node.body if _truthy(value) else node.orelse, dot, scope, out)
    elif node.kind == "with":
        _walk(
            node.body if _truthy(value) else node.orelse,
            value if _truthy(value) else dot,
            scope,
            out,
        )
    else:
        items: Sequence[tuple[Any, Any]]
        if isinstance(value, Mapping):
            items = sorted(value.items(), key=lambda kv: str(kv[0]))
        elif isinstance(value, list | tuple):
            items = list(enumerate(value))
        elif isinstance(value, int) and not isinstance(value, bool):
            items = [(i, i) for i in range(value)]
        elif value is None:
            items = []
        else:
            raise TemplateError(f"template: range can't iterate over {go_str(value)}")
        if not items:
            _walk(node.orelse, dot, scope, out)
        for key, item in items:
            scope.vars.append({})
            names = node.pipe.declare
            if len(names) == 1:
                scope.vars[-1][names[0]] = item
            elif len(names) == 2:
                scope.vars[-1][names[0]], scope.vars[-1][names[1]] = key, item
            _walk(node.body, item, scope, out)
            scope.vars.pop()


def render(template: str | list[Any], data: Any) -> str:
    nodes = parse(template) if isinstance(template, str) else template
    out: list[str] = []
    _walk(nodes, data, _Scope(data), out)
    return "".join(out)
