"""The README's demo (./dev demo): run notebooks/quickstart.ipynb against the local engine, headless,
and write the executed notebook as HTML. A repository tool: it finds the notebooks beside it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dockmagic.engine import Engine
from dockmagic.errors import DockerError
from tools.notebooks import errors, execute, to_html

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(prog="./dev demo")
    parser.add_argument("notebook", nargs="?", default=str(ROOT / "notebooks" / "quickstart.ipynb"))
    parser.add_argument("--out", default=str(ROOT / "build"))
    args = parser.parse_args()
    try:
        engine = Engine()
        print(
            f"engine {engine.host}: Docker {engine.system_version().get('Version')}, API {engine.api_version}"
        )
    except DockerError as exc:
        print(f"dockmagic: {exc}", file=sys.stderr)
        return 1
    notebook, out = Path(args.notebook), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    print(f"running {notebook} ...")
    nb = execute(notebook, cwd=out)
    html = to_html(nb, out / (notebook.stem + ".html"))
    problems = errors(nb)
    for problem in problems:
        print(f"error in {notebook.name}: {problem}", file=sys.stderr)
    print(f"wrote {html}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
