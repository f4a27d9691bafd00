"""Running notebooks headless with a real kernel (the demo and the tests use this)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def execute(path: Path, cwd: Path, timeout: int = 300) -> Any:
    """Execute a notebook in ``cwd`` with a fresh python3 kernel; returns the executed notebook."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(cwd)}},
    )
    client.execute()
    return nb


def errors(nb: Any) -> list[str]:
    """Every error output, as 'cell N: ename: evalue'. A magic's UsageError is printed to stderr
    rather than raised as an error output, so those lines count too."""
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "error":
                found.append(f"cell {i}: {out.get('ename')}: {out.get('evalue')}")
            elif out.get("output_type") == "stream" and out.get("name") == "stderr":
                found += [
                    f"cell {i}: {line}"
                    for line in out.get("text", "").splitlines()
                    if line.startswith("UsageError")
                ]
    return found


def to_html(nb: Any, target: Path) -> Path:
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_notebook_node(nb)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(body, encoding="utf-8")
    return target
