"""The everyday rows of the speed issue not in bench_helpers: logs of many lines, import time, a
live stats tick, and a cell in the notebook's shell against a cell in a new container.

Run: ./dev bench  (BENCH_LOG_LINES, default 200000)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import docker

import dockmagic
from benchmarks.common import compare, measure, report

LABEL = "dockmagic.bench"
CLI = shutil.which("docker") or "docker"


def bench_logs(image: str, lines: int) -> None:
    name = "dockmagic-bench-logs"
    dockmagic.run(image, f"seq {lines}", name=name, labels=[LABEL], quiet=True)
    try:
        client = docker.from_env(version=dockmagic.default_engine().api_version)
        py = [sys.executable, "-c"]
        rows = {
            "docker logs (CLI)": [CLI, "logs", name],
            "docker-py container.logs()": [
                *py,
                f"import docker; docker.from_env().containers.get('{name}').logs()",
            ],
            "dockmagic.logs(quiet=True)": [
                *py,
                f"import dockmagic; dockmagic.logs('{name}', quiet=True)",
            ],
        }
        results = {label: min(measure(cmd)[0] for _ in range(5)) for label, cmd in rows.items()}
        report(f"logs of {lines} lines (a fresh process each, best of 5)", results, "ms", 1e3)
        in_process = compare(
            {
                "docker-py container.logs() in-process": lambda: client.containers.get(name).logs(),
                "dockmagic.logs() in-process": lambda: dockmagic.logs(name, quiet=True),
            },
            n=1,
            rounds=5,
        )
        report(f"logs of {lines} lines, in one process", in_process, "ms", 1e3)
    finally:
        dockmagic.rm(name, force=True)


def bench_import() -> None:
    rows = {
        "import requests": "import requests",
        "import docker": "import docker",
        "import dockmagic": "import dockmagic",
        "import dockmagic; first ps()": "import dockmagic; dockmagic.ps()",
    }
    results = {
        label: min(measure([sys.executable, "-c", code])[0] for _ in range(7))
        for label, code in rows.items()
    }
    report("import (process wall, best of 7)", results, "ms", 1e3)


def bench_plot_tick() -> None:
    from dockmagic.render.plot import StatsFigure, figure_png, stats_figure

    records = [
        {
            "t": t,
            "time": t,
            "container": f"c{c}",
            "cpu_percent": (t * 7 + c) % 100,
            "memory": (t + c) * 2**20,
            "net_rx": t * 1000,
            "net_tx": t * 500,
            "block_read": t * 10,
            "block_write": t * 20,
        }
        for t in range(120)
        for c in range(4)
    ]
    live = StatsFigure()
    live.update(records[:8]).png()
    results = compare(
        {
            "a figure built per tick (before)": lambda: figure_png(stats_figure(records)),
            "StatsFigure: lines moved per tick": lambda: live.update(records).png(),
        },
        n=1,
        rounds=7,
    )
    report("live stats plot, one tick (4 containers, 120 samples)", results, "ms", 1e3)


def bench_cells(image: str) -> None:
    from IPython.testing.globalipapp import start_ipython

    ip = start_ipython()
    ip.run_line_magic("load_ext", "dockmagic")
    ip.run_line_magic("docker", f"shell --label {LABEL}=1 {image}")
    try:
        results = compare(
            {
                "%%docker run --rm (a new container)": lambda: ip.run_cell_magic(
                    "docker", f"run --rm --label {LABEL}=1 --no-output {image}", "echo hi\n"
                ),
                "%%docker sh (the notebook's shell)": lambda: ip.run_cell_magic(
                    "docker", "sh -q", "echo hi\n"
                ),
            },
            n=3,
            rounds=5,
        )
        report("a cell of echo", results, "ms", 1e3)
    finally:
        ip.run_line_magic("docker", "shell --stop")


def main() -> None:
    image = dockmagic.lab_image("dockmagic-bench/lab:latest", labels={LABEL: "1"})
    try:
        bench_import()
        bench_logs(image, int(os.environ.get("BENCH_LOG_LINES", "200000")))
        bench_plot_tick()
        bench_cells(image)
    finally:
        engine = dockmagic.default_engine()
        for c in engine.container_list(all=True, filters={"label": LABEL}):
            engine.container_delete(c["Id"], force=True)
        time.sleep(0.2)
        engine.image_delete(image, force=True)
        subprocess.run(
            [CLI, "image", "prune", "-f", "--filter", f"label={LABEL}"], capture_output=True
        )


if __name__ == "__main__":
    main()
