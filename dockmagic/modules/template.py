"""``{{ expression }}`` templating for plays: variables, registered results, attribute and item
access, comparisons and boolean logic, evaluated by a small whitelist (never Python's eval of
arbitrary code)."""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Mapping
from typing import Any

from .result import ModuleError

_EXPR = re.compile(r"\{\{\s*(.*?)\s*\}\}")
_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
}
_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Mod: operator.mod,
}
_WORDS = {"true": True, "false": False, "none": None, "True": True, "False": False, "None": None}


def _get(value: Any, key: Any) -> Any:
    if isinstance(value, Mapping) or hasattr(value, "__getitem__"):
        try:
            return value[key]
        except (KeyError, IndexError, TypeError):
            pass
    if isinstance(key, str) and hasattr(value, key) and not key.startswith("_"):
        return getattr(value, key)
    raise ModuleError(f"undefined: {key!r} in {type(value).__name__}")


def evaluate(expression: str, names: Mapping[str, Any]) -> Any:
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError:
        raise ModuleError(f"cannot parse expression {expression!r}") from None

    def ev(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            if node.id in names:
                return names[node.id]
            if node.id in _WORDS:
                return _WORDS[node.id]
            raise ModuleError(f"undefined variable {node.id!r}")
        if isinstance(node, ast.Attribute):
            return _get(ev(node.value), node.attr)
        if isinstance(node, ast.Subscript):
            return _get(ev(node.value), ev(node.slice))
        if isinstance(node, ast.BoolOp):
            values = [ev(v) for v in node.values]
            return all(values) if isinstance(node.op, ast.And) else any(values)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return not ev(node.operand)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -ev(node.operand)
        if isinstance(node, ast.Compare):
            left = ev(node.left)
            for op, right_node in zip(node.ops, node.comparators, strict=True):
                right = ev(right_node)
                if not _COMPARE[type(op)](left, right):
                    return False
                left = right
            return True
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return _BINARY[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.List | ast.Tuple):
            return [ev(e) for e in node.elts]
        if isinstance(node, ast.Dict):
            return {
                ev(k): ev(v) for k, v in zip(node.keys, node.values, strict=True) if k is not None
            }
        raise ModuleError(f"unsupported in an expression: {ast.unparse(node)!r}")

    return ev(tree)


def render(value: Any, names: Mapping[str, Any]) -> Any:
    """Template strings inside any structure; a string that is one whole ``{{ }}`` keeps the
    value's type (a list stays a list)."""
    if isinstance(value, str):
        whole = _EXPR.fullmatch(value.strip())
        if whole:
            return evaluate(whole.group(1), names)
        return _EXPR.sub(lambda m: str(evaluate(m.group(1), names)), value)
    if isinstance(value, list):
        return [render(v, names) for v in value]
    if isinstance(value, dict):
        return {k: render(v, names) for k, v in value.items()}
    return value


def condition(expression: Any, names: Mapping[str, Any]) -> bool:
    """A ``when``: a bare expression (as in Ansible) or a templated one."""
    if isinstance(expression, bool):
        return expression
    text = str(expression).strip()
    match = _EXPR.fullmatch(text)
    return bool(evaluate(match.group(1) if match else text, names))
