"""ssh:// against a real sshd on 127.0.0.1 (tests/sshd.py) that forwards to the local engine: run,
exec and a cell as stdin (half-close), logs -f, stats; one ssh connection reused; each failure one
line."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import dockmagic
from dockmagic.engine import Engine, ssh
from dockmagic.errors import EngineUnavailable

from .sshd import SSHD, missing
from .support import LABEL, LABELS, require

FRESH = "-o ControlMaster=no -o ControlPath=none"  # not the session the other tests keep open


@pytest.fixture(scope="module")
def server(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SSHD]:
    require(missing(), "sshd and the docker CLI")
    made = SSHD(tmp_path_factory.mktemp("sshd")).start()
    saved = os.environ.get(ssh.OPTIONS_ENV)
    os.environ[ssh.OPTIONS_ENV] = made.options
    yield made
    ssh.close_masters()  # the shared ssh connections, kept 60 s otherwise
    if saved is None:
        os.environ.pop(ssh.OPTIONS_ENV, None)
    else:
        os.environ[ssh.OPTIONS_ENV] = saved
    made.stop()


@pytest.fixture
def remote(server: SSHD) -> Iterator[Engine]:
    engine = Engine(server.url)
    yield engine
    engine.close()


def test_run_exec_and_streams_over_ssh(ip: Any, server: SSHD, remote: Engine, image: str) -> None:
    assert dockmagic.run(
        image, "echo over ssh", remove=True, quiet=True, labels=LABELS, engine=remote
    ).stdout == ("over ssh\n")
    cell = ip.run_cell_magic(
        "docker", f"-H {server.url} run --rm -i -l {LABEL}=1 {image} cat", "line one\nline two\n"
    )
    assert cell.stdout == "line one\nline two\n"  # stdin ended by a half-close through ssh
    box = dockmagic.run(image, "sleep 60", detach=True, labels=LABELS, engine=remote).container
    try:
        assert (
            dockmagic.exec(box, "cat", stdin="through exec\n", quiet=True, engine=remote).stdout
            == "through exec\n"
        )
        assert len(dockmagic.stats([box], engine=remote)) == 1  # a snapshot, sampled over ssh
    finally:
        remote.container_delete(box, force=True)
    talker = dockmagic.run(
        image,
        ["sh", "-c", "for i in 1 2 3; do echo $i; sleep 0.2; done"],
        detach=True,
        labels=LABELS,
        engine=remote,
    ).container
    try:
        assert dockmagic.logs(talker, follow=True, quiet=True, engine=remote).stdout == "1\n2\n3\n"
    finally:
        remote.container_delete(talker, force=True)


def test_one_ssh_connection_carries_many_requests(server: SSHD, monkeypatch: Any) -> None:
    opened: list[str] = []
    original = ssh.open_ssh_socket

    def counting(url: str, timeout: float) -> Any:
        opened.append(url)
        return original(url, timeout)

    monkeypatch.setattr("dockmagic.engine.transport.open_ssh_socket", counting)
    engine = Engine(server.url)
    try:
        started = time.perf_counter()
        engine.container_list()
        first = time.perf_counter() - started
        started = time.perf_counter()
        for _ in range(20):
            engine.container_list()
        later = (time.perf_counter() - started) / 20
        print(f"ssh: first request {first * 1000:.0f} ms, later ones {later * 1000:.1f} ms each")
        assert len(opened) == 1  # one session, kept: never one ssh process per request
    finally:
        engine.close()


@pytest.mark.parametrize(
    ("case", "said"),
    [
        ("unknown-host", "unknown host"),
        ("host-key", "host key"),
        ("auth", "authentication refused"),
        ("no-docker", "no docker CLI on the remote"),
        ("daemon-down", "remote Docker daemon is not running"),
    ],
)
def test_ssh_failures_are_one_line(
    server: SSHD, tmp_path: Path, monkeypatch: Any, case: str, said: str
) -> None:
    url, other = server.url, None
    if case == "unknown-host":
        url = "ssh://root@no-such-host.invalid"
    elif case == "host-key":  # a known_hosts that knows another key for that address
        (tmp_path / "k").write_text("")
        import subprocess

        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "k2")], check=True
        )
        key = (tmp_path / "k2.pub").read_text().split()
        (tmp_path / "known").write_text(f"[127.0.0.1]:{server.port} {key[0]} {key[1]}\n")
        monkeypatch.setenv(
            ssh.OPTIONS_ENV, f"{server.options} {FRESH} -o UserKnownHostsFile={tmp_path / 'known'}"
        )
    elif case == "auth":
        import subprocess

        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "stranger")],
            check=True,
        )
        known = server.folder / "known_hosts"  # the right host key, a key the server does not know
        options = f"-F /dev/null {FRESH} -o UserKnownHostsFile={known} -o IdentitiesOnly=yes"
        monkeypatch.setenv(ssh.OPTIONS_ENV, f"{options} -o IdentityFile={tmp_path / 'stranger'}")
    else:
        env = (
            {"PATH": "/nonexistent"}
            if case == "no-docker"
            else {"DOCKER_HOST": "unix:///nonexistent.sock"}
        )
        other = SSHD(tmp_path / "sshd", env=env).start()
        url = other.url
        monkeypatch.setenv(ssh.OPTIONS_ENV, other.options)
    engine = Engine(url)
    try:
        with pytest.raises(EngineUnavailable) as exc:
            engine.container_list()
        assert said in str(exc.value) and "\n" not in str(exc.value), str(exc.value)
    finally:
        engine.close()
        if other is not None:
            other.stop()


def test_a_context_with_an_ssh_endpoint(
    ip: Any, server: SSHD, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "cfg"))
    ip.run_line_magic("docker", f"context create remote --docker host={server.url}")
    table = ip.run_line_magic("docker", "--context remote ps -a")
    assert next(c.title for c in table.columns) == "CONTAINER ID"
