"""Figures of the code's shape, for reviews: long lines, ``Any`` share, the longest and most
branched functions, and which module holds which ``%docker`` command.

``python -m tools.structure`` prints them; ``--json`` for a machine."""

from __future__ import annotations

import argparse
import ast
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "dockmagic"
BRANCHES = (
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.Try,
    ast.With,
    ast.IfExp,
    ast.comprehension,
    ast.ExceptHandler,
    ast.Assert,
    ast.match_case,
)


def _files() -> list[Path]:
    return sorted(ROOT.rglob("*.py"))


def _complexity(fn: ast.AST) -> int:
    """McCabe's count, near enough: one plus each branch and each extra operand of and/or."""
    count = 1
    for node in ast.walk(fn):
        if isinstance(node, BRANCHES):
            count += 1
        elif isinstance(node, ast.BoolOp):
            count += len(node.values) - 1
    return count


def figures() -> dict[str, object]:
    lines = long = 0
    annotations = anys = 0
    functions: list[tuple[int, int, str]] = []
    for path in _files():
        text = path.read_text()
        rows = text.splitlines()
        lines += len(rows)
        long += sum(len(row) > 100 for row in rows)
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = f"{path.relative_to(ROOT.parent)}:{node.name}"
                functions.append((node.end_lineno - node.lineno + 1, _complexity(node), name))  # type: ignore[operator]
                args = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
                args += [a for a in (node.args.vararg, node.args.kwarg) if a]
                notes = [a.annotation for a in args if a.annotation] + (
                    [node.returns] if node.returns else []
                )
                annotations += len(notes)
                anys += sum("Any" in ast.unparse(n) for n in notes)
            elif isinstance(node, ast.AnnAssign):
                annotations += 1
                anys += "Any" in ast.unparse(node.annotation)
    helpers = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "helpers").rglob("*.py"))
    return {
        "modules": len(_files()),
        "lines": lines,
        "long_lines_pct": round(100 * long / lines, 2),
        "any_pct": round(100 * anys / max(annotations, 1), 1),
        "functions": len(functions),
        "over_50_lines": sum(n > 50 for n, _, _ in functions),
        "longest": [f"{name} {n} lines" for n, _, name in sorted(functions, reverse=True)[:8]],
        "most_branched": [
            f"{name} {c}" for _, c, name in sorted(functions, key=lambda f: -f[1])[:8]
        ],
        "helpers": helpers,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true")
    found = figures()
    if parser.parse_args().json:
        print(json.dumps(found, indent=1))
        return
    for key, value in found.items():
        if isinstance(value, list):
            print(f"{key}:")
            print("".join(f"  {v}\n" for v in value), end="")
        else:
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
