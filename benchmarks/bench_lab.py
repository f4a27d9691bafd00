"""The lab proxy: ps, run and exec through a student's endpoint against the engine's own socket,
and thirty students at once each running what a ``%%docker run`` cell runs.

Run: ./dev bench  (BENCH_LAB_STUDENTS, default 30)
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import dockmagic
from benchmarks.common import compare, report
from dockmagic.engine import Engine
from dockmagic.lab.policy import Policy, parse
from dockmagic.lab.view import clean_student

LABEL = "dockmagic.bench"


_RELAY = """
import os, socket, sys, threading
path, engine = sys.argv[1], sys.argv[2]
server = socket.socket(socket.AF_UNIX); server.bind(path); server.listen(64)
def pump(a, b):
    try:
        while data := a.recv(65536): b.sendall(data)
    except OSError: pass
def serve(client):
    up = socket.socket(socket.AF_UNIX); up.connect(engine)
    threading.Thread(target=pump, args=(up, client), daemon=True).start(); pump(client, up)
print("ready", flush=True)
while True:
    c, _ = server.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
"""


def bench_floor(folder: Path, policy: Policy, direct: Engine) -> None:
    """The floor of any proxy in Python here: bytes relayed both ways, nothing read, in a process
    of its own, against the lab proxy and the engine's socket; and the docker CLI through each."""
    path = folder / "relay.sock"
    relay = subprocess.Popen(
        [sys.executable, "-c", _RELAY, str(path), "/var/run/docker.sock"], stdout=subprocess.PIPE
    )
    assert relay.stdout is not None
    relay.stdout.readline()
    relayed, student = Engine(f"unix://{path}"), Engine(f"unix://{policy.endpoint('s1')}")
    mine = {"label": ["dockmagic.lab.student=s1"]}
    try:
        results = compare(
            {
                "direct (the engine's socket)": lambda: dockmagic.ps(
                    all=True, filters=mine, engine=direct
                ),
                "a bare byte relay (the floor)": lambda: dockmagic.ps(
                    all=True, filters=mine, engine=relayed
                ),
                "through the lab proxy": lambda: dockmagic.ps(all=True, engine=student),
            },
            n=20,
            rounds=7,
        )
        report("ps: the floor of a Python proxy", results, "ms", 1e3)
        if shutil.which("docker"):

            def cli(host: str) -> Callable[[], object]:
                env = {**os.environ, "DOCKER_HOST": host}
                return lambda: subprocess.run(
                    ["docker", "ps", "-a", "-q"], env=env, capture_output=True, check=True
                )

            results = compare(
                {
                    "docker ps, direct": cli("unix:///var/run/docker.sock"),
                    "docker ps, through the lab proxy": cli(f"unix://{policy.endpoint('s1')}"),
                },
                n=3,
                rounds=5,
            )
            report("the docker CLI: ps through the proxy against direct", results, "ms", 1e3)
    finally:
        relay.terminate()
        relay.wait(timeout=10)
        relayed.close()
        student.close()


def bench_through(image: str, policy: Policy, direct: Engine) -> None:
    student = Engine(f"unix://{policy.endpoint('s1')}")
    kept = dockmagic.run(image, "sleep 600", detach=True, labels=[LABEL], engine=student).container
    try:
        for what, through, straight in (
            (
                "ps",
                lambda: dockmagic.ps(all=True, engine=student),
                lambda: dockmagic.ps(
                    all=True, filters={"label": ["dockmagic.lab.student=s1"]}, engine=direct
                ),
            ),
            (
                "run --rm (a trivial command)",
                lambda: dockmagic.run(
                    image, "true", remove=True, quiet=True, labels=[LABEL], engine=student
                ),
                lambda: dockmagic.run(
                    image, "true", remove=True, quiet=True, labels=[LABEL], engine=direct
                ),
            ),
            (
                "exec (a trivial command)",
                lambda: dockmagic.exec_(kept, "true", quiet=True, engine=student),
                lambda: dockmagic.exec_(kept, "true", quiet=True, engine=direct),
            ),
        ):
            n = 20 if what == "ps" else 3
            results = compare(
                {"direct (the engine's socket)": straight, "through the lab proxy": through},
                n=n,
                rounds=5,
            )
            report(f"{what}: through the proxy against direct", results, "ms", 1e3)
    finally:
        direct.container_delete(kept, force=True)
        student.close()


def bench_class(image: str, policy: Policy, students: list[str]) -> None:
    """Each student at once: the run a ``%%docker run`` cell makes (a new container, the cell as stdin)."""
    times: list[float] = []
    errors: list[str] = []
    start = threading.Barrier(len(students))

    def cell(student: str) -> None:
        engine = Engine(f"unix://{policy.endpoint(student)}")
        try:
            start.wait()
            began = time.perf_counter()
            dockmagic.run(
                image,
                "sh",
                stdin="echo hello\n",
                remove=True,
                quiet=True,
                labels=[LABEL],
                engine=engine,
            )
            times.append(time.perf_counter() - began)
        except dockmagic.DockerError as exc:
            errors.append(f"{student}: {exc}")
        finally:
            engine.close()

    threads = [threading.Thread(target=cell, args=(s,)) for s in students]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)] if times else float("nan")
    print(f"{len(students)} students at once, each a %%docker run cell through their endpoint")
    print(
        f"  median {statistics.median(times) * 1e3:8.1f} ms   p95 {p95 * 1e3:8.1f} ms   errors {len(errors)}"
    )
    for error in errors[:3]:
        print(f"  {error}")


def main() -> None:
    count = int(os.environ.get("BENCH_LAB_STUDENTS", "30"))
    students = [f"s{i}" for i in range(1, count + 1)]
    image = dockmagic.lab_image("dockmagic-bench/lab:latest", labels={LABEL: "1"})
    folder = Path(tempfile.mkdtemp(prefix="dockmagic-lab-bench-"))
    spec = {
        "students": students,
        "endpoints": str(folder / "{student}.sock"),
        "images": ["dockmagic-bench/*"],
    }
    (folder / "lab.yaml").write_text(json.dumps(spec))  # JSON is YAML
    policy = parse(spec)
    # as a lab is deployed: the proxy in a process of its own (in this one it would share the GIL)
    served = subprocess.Popen(
        [sys.executable, "-m", "dockmagic.lab", "serve", "--policy", str(folder / "lab.yaml")],
        stdout=subprocess.PIPE,
        text=True,
    )
    direct = Engine()
    try:
        assert served.stdout is not None
        for _ in students:
            served.stdout.readline()  # one line per endpoint, once it listens
        bench_through(image, policy, direct)
        bench_floor(folder, policy, direct)
        bench_class(image, policy, students)
    finally:
        served.terminate()
        served.wait(timeout=10)
        for student in students:
            clean_student(student)
        direct.image_delete(image, force=True)
        direct.close()
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
