"""Stats of 50 running containers: one concurrent snapshot vs one container, docker-py (one
stats(stream=False) per container) and `docker stats --no-stream`; and the live plot's per-tick cost.

Run: ./dev bench  (BENCH_STATS, default 50 containers)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import docker

import dockmagic
from dockmagic.render.plot import figure_png
from dockmagic.render.stats import StatsSeries

LABEL = "dockmagic.bench"
CLI = shutil.which("docker") or "docker"


def timed(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> None:
    count = int(os.environ.get("BENCH_STATS", "50"))
    image = dockmagic.lab_image("dockmagic-bench/lab:latest", labels={LABEL: "1"})
    names = [f"dockmagic-bench-stats-{i}" for i in range(count)]
    try:
        for name in names:
            dockmagic.run(image, "sleep 3600", name=name, detach=True, labels=[LABEL])
        client = docker.from_env(version=dockmagic.default_engine().api_version)
        one = min(timed(lambda: dockmagic.stats(names[:1])) for _ in range(3))
        many = min(timed(lambda: dockmagic.stats(names)) for _ in range(3))
        cli = min(
            timed(
                lambda: subprocess.run(
                    [CLI, "stats", "--no-stream", *names], check=True, stdout=subprocess.DEVNULL
                )
            )
            for _ in range(2)
        )
        dpy = timed(lambda: [client.containers.get(n).stats(stream=False) for n in names])
        print(f"stats snapshot of {count} running containers (seconds)")
        for label, seconds in (
            ("dockmagic.stats(1 container)", one),
            (f"dockmagic.stats({count})", many),
            (f"docker stats --no-stream ({count})", cli),
            (f"docker-py stats(stream=False) x{count}", dpy),
        ):
            print(f"  {label:<40} {seconds:7.2f} s  {seconds / one:6.2f}x one container")

        series = dockmagic.sample(names[:4], duration=6)
        ticks = []
        for _ in range(5):
            start = time.perf_counter()
            png = figure_png(StatsSeries(series.records).plot())
            ticks.append((time.perf_counter() - start, len(png)))
        ms = sorted(t for t, _ in ticks)[len(ticks) // 2] * 1000
        print(
            f"live plot, 4 containers x {len(series.records) // 4} samples: {ms:.0f} ms and "
            f"{max(b for _, b in ticks) / 1000:.0f} kB per update (one display update, a PNG)"
        )
    finally:
        dockmagic.rm(*[n for n in names if dockmagic.ps(all=True, filters={"name": n})], force=True)
        dockmagic.default_engine().image_delete(image, force=True)


if __name__ == "__main__":
    main()
