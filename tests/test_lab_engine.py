"""The lab's hardened engine (``LabEngine``), behind the proxy and on its own: a student's everyday
work passes through both; what the proxy would let through by mistake still does not make container
root the host's root, lets no container reach another, and stays within the class's pids."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from dockmagic.engine import Engine
from dockmagic.lab.engine import LabEngine, missing
from dockmagic.lab.policy import parse
from dockmagic.lab.proxy import LabProxy

from .lab_support import CLI
from .support import LABEL, require


@pytest.fixture(scope="module")
def hardened(engine: Engine, image: str) -> Iterator[LabEngine]:
    require(missing(), "an engine of its own (root, dockerd, ip, nsenter)")
    lab = LabEngine(name="labt", pool="10.215.0.0/16", pids=512)
    lab.start()
    try:
        lab.images_from(engine, [image])
        yield lab
    finally:
        lab.stop()


def _cli(
    socket: str, *args: str, stdin: str | None = None, folder: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DOCKER_HOST": f"unix://{socket}", "DOCKER_BUILDKIT": "0"}
    return subprocess.run(
        [CLI, *args], capture_output=True, text=True, env=env, timeout=120, input=stdin, cwd=folder
    )


def test_a_student_works_through_the_proxy_on_the_hardened_engine(
    hardened: LabEngine, image: str, tmp_path: Path
) -> None:
    policy = parse(
        {
            "students": ["h1"],
            "endpoints": str(tmp_path / "{student}.sock"),
            "images": ["dockmagic-test/*"],
            "operations": ["ImageBuild", "ImageDelete"],
        }
    )
    with LabProxy(policy, str(hardened.socket)).start():
        sock = str(policy.endpoint("h1"))
        (tmp_path / "in.txt").write_text("copied in\n")
        steps = [
            ("run", "--rm", "-l", f"{LABEL}=1", image, "echo", "hello"),
            ("run", "-d", "--name", "web", "-l", f"{LABEL}=1", image, "sleep", "120"),
            ("exec", "web", "sh", "-c", "echo from exec"),
            ("cp", str(tmp_path / "in.txt"), "web:/tmp/in.txt"),
            ("exec", "web", "cat", "/tmp/in.txt"),
            ("logs", "web"),
            ("network", "create", "--label", f"{LABEL}=1", "hnet"),
            ("network", "connect", "hnet", "web"),
            ("volume", "create", "--label", f"{LABEL}=1", "hvol"),
            (
                "run",
                "--rm",
                "-l",
                f"{LABEL}=1",
                "-v",
                "hvol:/v",
                image,
                "sh",
                "-c",
                "echo kept > /v/f",
            ),
            ("build", "-q", "-t", "h1/app", "-"),
            ("run", "--rm", "-l", f"{LABEL}=1", "h1/app", "cat", "/made"),
            ("rm", "-f", "web"),
            ("network", "rm", "hnet"),
            ("volume", "rm", "hvol"),
            ("rmi", "h1/app"),
        ]
        outputs = []
        for step in steps:
            stdin = f"FROM {image}\nRUN echo built > /made\n" if step[0] == "build" else None
            out = _cli(sock, *step, stdin=stdin)
            assert out.returncode == 0, (step, out.stderr)
            outputs.append(out.stdout)
        assert (
            outputs[0] == "hello\n" and outputs[2] == "from exec\n" and outputs[4] == "copied in\n"
        )
        assert outputs[11] == "built\n"
        refused = _cli(sock, "run", "--rm", "--privileged", image, "true")
        assert "lab policy (privileged)" in refused.stderr


def test_what_the_proxy_might_let_through_is_still_contained(
    hardened: LabEngine, image: str
) -> None:
    """Straight on the hardened engine, as if the proxy had passed it: a bind of / is read as an
    unprivileged user, containers cannot reach each other, processes stop at the class's limit."""
    sock = str(hardened.socket)
    out = _cli(
        sock,
        "run",
        "--rm",
        "-v",
        "/:/host:ro",
        image,
        "sh",
        "-c",
        "cat /proc/self/uid_map; grep NoNewPrivs /proc/self/status; cat /host/etc/shadow >/dev/null && echo READ",
    )
    assert "100000" in out.stdout.split("\n")[0], (
        out.stdout + out.stderr
    )  # root in here is uid 100000 out there
    assert "NoNewPrivs:\t1" in out.stdout and "READ" not in out.stdout
    server = _cli(sock, "run", "-d", "--rm", image, "nc", "-l", "-p", "8080").stdout.strip()
    try:
        address = _cli(
            sock, "inspect", "-f", "{{.NetworkSettings.IPAddress}}", server
        ).stdout.strip()
        reach = _cli(
            sock,
            "run",
            "--rm",
            image,
            "sh",
            "-c",
            f"echo hi | nc -w 2 {address} 8080 && echo REACHED",
        )
        assert "REACHED" not in reach.stdout, reach  # --icc=false: nothing between containers
    finally:
        _cli(sock, "rm", "-f", server)
    assert (Path("/sys/fs/cgroup/pids") / hardened.cgroup / "pids.max").read_text().strip() == "512"
    forks = _cli(
        sock,
        "run",
        "--rm",
        "--pids-limit",
        "-1",
        image,
        "sh",
        "-c",
        "for i in $(seq 1 700); do sleep 5 & done 2>/dev/null; wait; echo done",
    )
    assert forks.returncode != 0 and "done" not in forks.stdout, (
        forks
    )  # the 513th process was not made
