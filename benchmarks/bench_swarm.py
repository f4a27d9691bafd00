"""Swarm: ``service create`` of six replicas on a two-node swarm (two extra dockerds, each in a
network namespace of its own, joined by a wire; needs root), dockmagic against the docker CLI.

Two measures: the create call alone (-d: the engine accepts the spec), and create until all six
tasks run, timed by one poller for both (the CLI without -d also watches its tasks for 5 s more
before it returns: that row is shown as the CLI's own wait).

Run: ./dev bench  (BENCH_SWARM_ROUNDS, default 5)
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import dockmagic
from benchmarks.common import report
from dockmagic.engine import Engine
from tools.extra_engines import ExtraEngine, link, missing

IMAGE = "dockmagic-bench/lab:latest"
ROUNDS = int(os.environ.get("BENCH_SWARM_ROUNDS", "5"))
COMMAND = ["sleep", "600"]


def _running(engine: Engine, name: str) -> int:
    tasks = engine.task_list(filters={"service": [name], "desired-state": ["running"]})
    return sum(t["Status"]["State"] == "running" for t in tasks)


def _until_six(engine: Engine, name: str) -> None:
    while _running(engine, name) < 6:
        time.sleep(0.05)


def _removed(engine: Engine, name: str) -> None:
    engine.service_delete(name)
    while engine.container_list(filters={"label": [f"com.docker.swarm.service.name={name}"]}):
        time.sleep(0.1)
    time.sleep(0.5)  # the worker's containers go too


STACK = """
services:
  web: {image: IMAGE, command: sleep 600, deploy: {replicas: 2}, ports: ["8080:80"], networks: [front, back]}
  api: {image: IMAGE, command: sleep 600, environment: {MODE: bench}, networks: [back]}
  cache: {image: IMAGE, command: sleep 600, deploy: {resources: {limits: {memory: 32M}}}}
networks: {front: {}, back: {}}
""".replace("IMAGE", IMAGE)


def _stacks(m: Engine, url: str) -> None:
    """``stack deploy`` of three services and three networks (-d), and a second deploy of the same
    file (an update of each service in place), the CLI against dockmagic; removed between rounds."""
    compose = Path(tempfile.mkdtemp()) / "compose.yml"
    compose.write_text(STACK)

    def by_cli(name: str) -> None:
        argv = [
            "docker",
            "-H",
            url,
            "stack",
            "deploy",
            "--resolve-image",
            "never",
            "-c",
            str(compose),
            name,
        ]
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def by_dockmagic(name: str) -> None:
        dockmagic.stack_deploy(name, compose, resolve_image="never", quiet=True, engine=m)

    samples: dict[str, list[float]] = {}
    for r in range(ROUNDS + 1):
        for who, deploy in (("CLI", by_cli), ("dockmagic", by_dockmagic)):
            name = f"bench{r}{who[0].lower()}"
            for step in ("deploy", "deploy again (update)"):
                start = time.perf_counter()
                deploy(name)
                if r:
                    samples.setdefault(f"{who} stack {step}", []).append(
                        time.perf_counter() - start
                    )
            dockmagic.stack_rm(name, engine=m)
    results = {k: statistics.median(v) for k, v in samples.items()}
    report("swarm: stack deploy of 3 services, 3 networks (median of rounds)", results, "ms", 1e3)
    first = results["dockmagic stack deploy"] / results["CLI stack deploy"]
    again = (
        results["dockmagic stack deploy again (update)"]
        / results["CLI stack deploy again (update)"]
    )
    print(f"  ratios: deploy {first:.2f}x the CLI; deploy again {again:.2f}x")


def main() -> None:
    why = missing() or (None if shutil.which("docker") else "needs the docker CLI")
    if why:
        print(f"swarm: skipped ({why})")
        return
    manager, worker = ExtraEngine("bs1", "10.245.0.0/16"), ExtraEngine("bs2", "10.246.0.0/16")
    try:
        m, w = manager.start(), worker.start()
        link(manager, worker, "10.252.0")
        for engine in (m, w):
            dockmagic.lab_image(IMAGE, engine=engine)
        dockmagic.swarm_init(advertise_addr=manager.address, engine=m)
        token, address = dockmagic.swarm_join_token(engine=m)
        dockmagic.swarm_join(address, token=token, advertise_addr=worker.address, engine=w)
        cli = [
            "docker",
            "-H",
            manager.url,
            "service",
            "create",
            "--no-resolve-image",
            "--replicas",
            "6",
            "--quiet",
        ]
        flags = ["--stop-grace-period", "1s"]

        def by_cli(name: str, detach: bool) -> None:
            argv = [*cli, *(["-d"] if detach else []), "--name", name, *flags, IMAGE, *COMMAND]
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def by_dockmagic(name: str, detach: bool) -> None:
            dockmagic.service_create(
                IMAGE,
                COMMAND,
                name=name,
                replicas=6,
                stop_grace_period="1s",
                detach=detach,
                quiet=True,
                engine=m,
            )

        contenders: dict[str, Callable[[str], None]] = {
            "CLI create -d": lambda n: by_cli(n, True),
            "dockmagic create -d": lambda n: by_dockmagic(n, True),
            "CLI create -d, until 6 run": lambda n: (by_cli(n, True), _until_six(m, n)),  # type: ignore[func-returns-value]
            "dockmagic create -d, until 6 run": lambda n: (by_dockmagic(n, True), _until_six(m, n)),  # type: ignore[func-returns-value]
            "dockmagic create (its own wait)": lambda n: by_dockmagic(n, False),
            "CLI create (its own wait, +5 s watch)": lambda n: by_cli(n, False),
        }
        samples: dict[str, list[float]] = {k: [] for k in contenders}
        for r in range(ROUNDS + 1):  # the first round warms up
            for label, fn in contenders.items():
                name = f"bench{r}{len(samples[label])}{abs(hash(label)) % 1000}"
                start = time.perf_counter()
                fn(name)
                spent = time.perf_counter() - start
                if r:
                    samples[label].append(spent)
                _removed(m, name)
        results = {k: statistics.median(v) for k, v in samples.items()}
        report(
            "swarm: service create of 6 replicas on two nodes (median of rounds)",
            results,
            "ms",
            1e3,
        )
        alone = results["dockmagic create -d"] / results["CLI create -d"]
        until = results["dockmagic create -d, until 6 run"] / results["CLI create -d, until 6 run"]
        print(f"  ratios: create -d {alone:.2f}x the CLI; until 6 run {until:.2f}x")
        _stacks(m, manager.url)
        m.close()
        w.close()
    finally:
        for each in (worker, manager):
            each.stop()


if __name__ == "__main__":
    main()
