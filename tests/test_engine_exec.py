"""Exec operations against the real engine."""

from __future__ import annotations

from typing import Any

import pytest

from dockmagic.engine import Engine
from dockmagic.engine.streams import STDERR, STDOUT, demux
from dockmagic.errors import Conflict, NotFound


@pytest.fixture
def running(engine: Engine, make_container: Any) -> str:
    cid = make_container(["sleep", "60"])
    engine.container_start(cid)
    return cid


def run_exec(
    engine: Engine, cid: str, cmd: list[str], stdin: bytes | None = None, **config: Any
) -> tuple[dict, int]:
    body = {
        "Cmd": cmd,
        "AttachStdout": True,
        "AttachStderr": True,
        "AttachStdin": stdin is not None,
        **config,
    }
    exec_id = engine.container_exec(cid, body)["Id"]
    tty = bool(config.get("Tty"))
    sock = engine.exec_start(exec_id, tty=tty)
    assert sock is not None
    with sock:
        if stdin is not None:
            sock.write(stdin)
            sock.close_write()
        out = {STDOUT: b"", STDERR: b""}
        for chunk in demux(sock.chunks(), tty):
            out[chunk.stream] += chunk.data
    return out, engine.exec_inspect(exec_id)["ExitCode"]


def test_exec_output_and_exit_code(engine: Engine, running: str) -> None:
    out, code = run_exec(engine, running, ["sh", "-c", "echo o; echo e >&2; exit 4"])
    assert (out, code) == ({STDOUT: b"o\n", STDERR: b"e\n"}, 4)


def test_exec_stdin_sees_eof(engine: Engine, running: str) -> None:
    out, code = run_exec(engine, running, ["wc", "-l"], stdin=b"a\nb\nc\n")
    assert (out[STDOUT].strip(), code) == (b"3", 0)


def test_exec_user_workdir_env_tty(engine: Engine, running: str) -> None:
    out, _ = run_exec(
        engine,
        running,
        ["sh", "-c", "id -u; pwd; echo $X"],
        User="65534",
        WorkingDir="/tmp",
        Env=["X=y"],
        Tty=True,
    )
    assert out[STDOUT].split() == [b"65534", b"/tmp", b"y"]


def test_exec_detached_and_resize(engine: Engine, running: str) -> None:
    exec_id = engine.container_exec(running, {"Cmd": ["sleep", "2"], "Tty": True})["Id"]
    assert engine.exec_start(exec_id, detach=True, tty=True) is None
    engine.exec_resize(exec_id, h=30, w=90)
    assert engine.exec_inspect(exec_id)["Running"] is True


def test_exec_errors(engine: Engine, make_container: Any) -> None:
    stopped = make_container(["true"])
    with pytest.raises(Conflict, match="is not running"):
        engine.container_exec(stopped, {"Cmd": ["true"]})
    with pytest.raises(NotFound):
        engine.exec_inspect("0" * 64)
