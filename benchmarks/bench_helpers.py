"""run, ps and cp: dockmagic vs the docker CLI and docker-py (and a raw GET for ps), one engine.

Run: ./dev bench  (sizes: BENCH_CP_MB, default 1024; BENCH_PS, default 200)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import docker

import dockmagic
from benchmarks.common import RawUnixHTTP, compare, measure, report

LABEL = "dockmagic.bench"
CLI = shutil.which("docker") or "docker"


def bench_run(image: str) -> None:
    client = docker.from_env(version=dockmagic.default_engine().api_version)
    results = compare(
        {
            "docker run --rm (CLI)": lambda: subprocess.run(
                [CLI, "run", "--rm", "-l", LABEL, image, "true"], check=True
            ),
            "dockmagic.run(remove=True)": lambda: dockmagic.run(
                image, "true", remove=True, quiet=True, labels=[LABEL]
            ),
            "docker-py containers.run(remove=True)": lambda: client.containers.run(
                image, "true", remove=True, labels=[LABEL]
            ),
        },
        n=5,
        rounds=5,
    )
    report("run of a trivial command (create, attach, start, wait, remove)", results, "ms", 1e3)


def bench_ps(image: str, count: int) -> None:
    engine = dockmagic.default_engine()
    ids = [
        engine.container_create({"Image": image, "Cmd": ["true"], "Labels": {LABEL: "1"}})["Id"]
        for _ in range(count)
    ]
    try:
        raw = RawUnixHTTP()
        url = f"/v{engine.api_version}/containers/json?all=1"
        client = docker.from_env(version=engine.api_version)
        results = compare(
            {
                "raw GET /containers/json (http.client)": lambda: json.loads(raw.get(url)),
                "dockmagic.ps(all=True)": lambda: dockmagic.ps(all=True),
                "docker-py containers.list(all=True)": lambda: client.containers.list(all=True),
                "docker ps -a (CLI)": lambda: subprocess.run(
                    [CLI, "ps", "-a"], check=True, stdout=subprocess.DEVNULL
                ),
            },
            n=3,
            rounds=5,
        )
        report(f"ps with {count} containers", results, "ms", 1e3)
    finally:
        for cid in ids:
            engine.container_delete(cid)


def bench_cp(image: str, megabytes: int) -> None:
    name = "dockmagic-bench-cp"
    dockmagic.run(image, "sleep 3600", name=name, detach=True, labels=[LABEL])
    work = Path(tempfile.mkdtemp(prefix="dockmagic-bench-"))
    try:
        big = work / "big.bin"
        with open(big, "wb") as f:
            block = os.urandom(1 << 20)
            for _ in range(megabytes):
                f.write(block)
        py = [sys.executable, "-c", "import dockmagic, sys; dockmagic.cp(sys.argv[1], sys.argv[2])"]
        rows: dict[str, tuple[float, float]] = {}
        for direction, src, dst in (
            ("host -> container", str(big), f"{name}:/tmp/"),
            ("container -> host", f"{name}:/tmp/big.bin", str(work / "back.bin")),
        ):
            for label, cmd in (
                (f"docker cp {direction}", [CLI, "cp", src, dst]),
                (f"dockmagic.cp {direction}", [*py, src, dst]),
            ):
                best = min((measure(cmd) for _ in range(2)), key=lambda r: r[0])
                rows[label] = best
                (work / "back.bin").unlink(missing_ok=True)
        # in a notebook the package is imported already: the copy alone, against the CLI's whole run
        inproc: dict[str, float] = {}
        for direction, src, dst in (
            ("host -> container", str(big), f"{name}:/tmp/"),
            ("container -> host", f"{name}:/tmp/big.bin", str(work / "back.bin")),
        ):
            times = []
            for _ in range(2):
                started = time.perf_counter()
                dockmagic.cp(src, dst)
                times.append(time.perf_counter() - started)
                (work / "back.bin").unlink(missing_ok=True)
            inproc[direction] = min(times)
        print(f"cp of {megabytes} MB (best of 2; a fresh process each, with its peak RSS)")
        for label, (seconds, rss) in rows.items():
            base = rows[label.replace("dockmagic.cp", "docker cp")][0]
            print(
                f"  {label:<36} {seconds:8.2f} s  {seconds / base:5.2f}x   peak RSS {rss:6.1f} MB"
            )
        for direction, seconds in inproc.items():
            base = rows[f"docker cp {direction}"][0]
            print(
                f"  {'dockmagic.cp ' + direction + ' in-process':<36} {seconds:8.2f} s  {seconds / base:5.2f}x"
            )
    finally:
        shutil.rmtree(work)
        dockmagic.rm(name, force=True)


def main() -> None:
    image = dockmagic.lab_image("dockmagic-bench/lab:latest", labels={LABEL: "1"})
    try:
        bench_run(image)
        bench_ps(image, int(os.environ.get("BENCH_PS", "200")))
        bench_cp(image, int(os.environ.get("BENCH_CP_MB", "1024")))
    finally:
        engine = dockmagic.default_engine()
        for c in engine.container_list(all=True, filters={"label": LABEL}):
            engine.container_delete(c["Id"], force=True)
        engine.image_delete(image, force=True)


if __name__ == "__main__":
    main()
