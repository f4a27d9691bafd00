"""A 10-task play: dockmagic's play against real ansible-playbook (community.docker), one engine.

First run (everything created) and second run (nothing to do), each tool starting from nothing.
Run: ./dev bench  (Ansible comes from .venv-ansible, which ./dev test installs)
"""

from __future__ import annotations

import functools
import json
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

import dockmagic
from dockmagic.helpers.images.busybox import lab_image
from dockmagic.modules.play import play

LABEL = "dockmagic.bench"
IMAGE = "dockmagic-bench/busybox:latest"
VENV = Path(os.environ.get("DOCKMAGIC_ANSIBLE_VENV") or Path(__file__).parents[1] / ".venv-ansible")


def tasks(prefix: str) -> list[dict[str, object]]:
    """A network, a volume, seven containers and a file: an everyday lab set-up."""
    labels = {LABEL: "1"}
    out: list[dict[str, object]] = [
        {"community.docker.docker_network": {"name": f"{prefix}-net", "labels": labels}},
        {"community.docker.docker_volume": {"volume_name": f"{prefix}-data", "labels": labels}},
    ]
    for i in range(7):
        spec = {
            "name": f"{prefix}-c{i}",
            "image": IMAGE,
            "command": "sleep 3600",
            "env": {"INDEX": str(i)},
            "memory": "64m",
            "volumes": [f"{prefix}-data:/data"],
            "networks": [{"name": f"{prefix}-net", "aliases": [f"svc{i}"]}],
            "labels": labels,
        }
        out.append({"community.docker.docker_container": spec})
    out.append(
        {
            "community.docker.docker_container_copy_into": {
                "container": f"{prefix}-c0",
                "container_path": "/tmp/app.conf",
                "content": "port=8080\n",
                "mode": 0o644,
                "owner_id": 0,
                "group_id": 0,
            }
        }
    )
    return out


def clean(prefix: str) -> None:
    engine = dockmagic.default_engine()
    for c in engine.container_list(all=True, filters={"name": [prefix]}):
        engine.container_delete(c["Id"], force=True, v=True)
    for n in engine.network_list(filters={"name": [prefix]}):
        engine.network_delete(n["Id"])
    for v in engine.volume_list(filters={"name": [prefix]}).get("Volumes") or []:
        engine.volume_delete(v["Name"], force=True)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def ansible(book: Path) -> None:
    extra = json.dumps({"ansible_python_interpreter": str(VENV / "bin" / "python")})
    argv = [
        str(VENV / "bin" / "ansible-playbook"),
        "-i",
        "localhost,",
        "-c",
        "local",
        "-e",
        extra,
        str(book),
    ]
    done = subprocess.run(
        argv, capture_output=True, text=True, env={**os.environ, "ANSIBLE_NOCOLOR": "1"}
    )
    if done.returncode != 0 or "failed=0" not in done.stdout:
        raise SystemExit(f"ansible-playbook failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")


def main(rounds: int = 3) -> None:
    if not (VENV / "bin" / "ansible-playbook").exists():
        print(f"bench_play: skipped, no ansible-playbook in {VENV} (./dev test installs it)")
        return
    lab_image(IMAGE, labels={LABEL: "1"})
    times: dict[str, list[float]] = {
        k: [] for k in ("dm first", "dm second", "ans first", "ans second")
    }
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(rounds):
            prefix = f"bench-play-{os.getpid()}-{r}"
            book = Path(tmp) / "play.yml"
            book.write_text(
                yaml.safe_dump(
                    [{"hosts": "localhost", "gather_facts": False, "tasks": tasks(prefix)}]
                )
            )
            try:
                apply = functools.partial(play, tasks(prefix), show=False)
                times["dm first"].append(timed(apply))
                times["dm second"].append(timed(apply))
            finally:
                clean(prefix)
            try:
                times["ans first"].append(timed(functools.partial(ansible, book)))
                times["ans second"].append(timed(functools.partial(ansible, book)))
            finally:
                clean(prefix)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"a 10-task play (network, volume, 7 containers, a file), median of {rounds}")
    for run in ("first", "second"):
        dm, ans = med[f"dm {run}"], med[f"ans {run}"]
        print(
            f"  {run} run:  dockmagic {dm:6.2f} s   ansible-playbook {ans:6.2f} s   ({ans / dm:4.1f}x faster)"
        )


if __name__ == "__main__":
    main()
