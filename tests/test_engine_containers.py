"""Container operations against the real engine."""

from __future__ import annotations

import io
import tarfile
import time
from typing import Any

import pytest

from dockmagic.engine import Engine
from dockmagic.engine.streams import STDERR, STDOUT, demux
from dockmagic.errors import Conflict, NotFound

from .support import LABEL, eventually, unique


def output(chunks: Any) -> dict[int, bytes]:
    out = {STDOUT: b"", STDERR: b""}
    for c in chunks:
        out[c.stream] += c.data
    return out


def test_lifecycle_and_logs_keep_streams_apart(engine: Engine, make_container: Any) -> None:
    cid = make_container(["sh", "-c", "echo out; echo err >&2; echo more"])
    engine.container_start(cid)
    assert engine.container_wait(cid)["StatusCode"] == 0
    assert output(engine.container_logs(cid)) == {STDOUT: b"out\nmore\n", STDERR: b"err\n"}
    assert output(engine.container_logs(cid, stderr=False))[STDERR] == b""
    assert (
        sum(len(d.splitlines()) for d in output(engine.container_logs(cid, tail=1)).values()) == 1
    )
    stamped = output(engine.container_logs(cid, timestamps=True, until=int(time.time()) + 10))[
        STDOUT
    ]
    assert stamped.count(b"Z out") == 1
    listed = engine.container_list(all=True, filters={"id": cid, "label": LABEL})
    assert [c["Id"] for c in listed] == [cid]


def test_tty_logs_are_raw(engine: Engine, make_container: Any) -> None:
    cid = make_container(["sh", "-c", "echo hi; echo there >&2"], Tty=True)
    engine.container_start(cid)
    engine.container_wait(cid)
    assert output(engine.container_logs(cid)) == {STDOUT: b"hi\r\nthere\r\n", STDERR: b""}


def test_attach_with_stdin_half_close(engine: Engine, make_container: Any) -> None:
    cid = make_container(
        ["sh", "-c", "cat; echo done >&2"], OpenStdin=True, StdinOnce=True, AttachStdin=True
    )
    with engine.container_attach(cid, stdin=True) as sock:  # attach BEFORE start: nothing is lost
        engine.container_start(cid)
        sock.write(b"line one\nline two\n")
        sock.close_write()  # EOF: cat ends
        out = output(demux(sock.chunks(), tty=False))
    assert out == {STDOUT: b"line one\nline two\n", STDERR: b"done\n"}
    assert engine.container_wait(cid)["StatusCode"] == 0


def test_attach_websocket(engine: Engine, make_container: Any) -> None:
    cid = make_container(["sh", "-c", "sleep 0.5; echo via-ws"])
    ws = engine.container_attach_websocket(cid)
    try:
        engine.container_start(cid)
        data = b"".join(ws.messages())
    finally:
        ws.close()
    assert b"via-ws" in data


def test_wait_condition_and_exit_code(engine: Engine, make_container: Any) -> None:
    cid = make_container(["sh", "-c", "exit 3"])
    engine.container_start(cid)
    assert engine.container_wait(cid, condition="not-running")["StatusCode"] == 3


def test_running_container_operations(engine: Engine, make_container: Any) -> None:
    cid = make_container(["sh", "-c", "touch /tmp/new; rm /etc/group; sleep 60"], Tty=True)
    engine.container_start(cid)
    engine.container_start(cid)  # already started: 304, not an error
    top = engine.container_top(cid)
    assert "sleep 60" in " ".join(" ".join(p) for p in top["Processes"])
    changes = eventually(
        lambda: {(c["Kind"], c["Path"]) for c in engine.container_changes(cid) or []},
        until=lambda got: (2, "/etc/group") in got,
    )
    assert (1, "/tmp/new") in changes and (2, "/etc/group") in changes
    one = engine.container_stats(cid, stream=False)
    assert "memory_stats" in one and "cpu_stats" in one
    stream = engine.container_stats(cid)
    first, second = next(stream), next(stream)
    stream.close()
    assert second["read"] > first["read"]
    engine.container_resize(cid, h=40, w=100)
    warnings = engine.container_update(cid, {"Memory": 64 * 1024 * 1024, "MemorySwap": -1})
    assert "Warnings" in warnings
    assert engine.container_inspect(cid)["HostConfig"]["Memory"] == 64 * 1024 * 1024
    engine.container_pause(cid)
    assert engine.container_inspect(cid)["State"]["Paused"] is True
    engine.container_unpause(cid)
    new_name = unique("renamed")
    engine.container_rename(cid, new_name)
    assert engine.container_inspect(new_name)["Id"] == cid
    engine.container_restart(cid, t=0)
    engine.container_kill(cid, signal="KILL")
    assert engine.container_wait(cid)["StatusCode"] == 137
    with pytest.raises(Conflict):
        engine.container_pause(cid)


def test_archive_head_get_put(engine: Engine, make_container: Any) -> None:
    cid = make_container(["true"])
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("hello.txt")
        info.size, info.mode = 6, 0o640
        tar.addfile(info, io.BytesIO(b"hello\n"))

    def chunks() -> Any:  # streamed: the engine gets the tar in pieces
        data = buf.getvalue()
        for i in range(0, len(data), 1000):
            yield data[i : i + 1000]

    engine.put_container_archive(cid, "/tmp", chunks())
    stat = engine.container_archive_info(cid, "/tmp/hello.txt")
    assert stat["name"] == "hello.txt" and stat["size"] == 6 and stat["mode"] & 0o777 == 0o640
    stat2, data = engine.container_archive(cid, "/tmp/hello.txt")
    with tarfile.open(fileobj=io.BytesIO(b"".join(data))) as tar:
        member = tar.extractfile("hello.txt")
        assert member is not None and member.read() == b"hello\n"
    assert stat2 == stat
    with pytest.raises(NotFound):
        engine.container_archive_info(cid, "/nope")


def test_export_streams_a_tar(engine: Engine, make_container: Any) -> None:
    cid = make_container(["true"])
    with tarfile.open(fileobj=io.BytesIO(b"".join(engine.container_export(cid)))) as tar:
        assert "bin/busybox" in tar.getnames()


def test_delete_and_prune(engine: Engine, image: str) -> None:
    labels = {LABEL: "1", "dockmagic.prune": unique()}
    ids = [
        engine.container_create({"Image": image, "Cmd": ["true"], "Labels": labels})["Id"]
        for _ in range(2)
    ]
    engine.container_delete(ids[0])
    pruned = engine.container_prune(
        filters={"label": f"dockmagic.prune={labels['dockmagic.prune']}"}
    )
    assert pruned["ContainersDeleted"] == [ids[1]]
    with pytest.raises(NotFound) as exc:
        engine.container_inspect(ids[0])
    assert "No such container" in str(exc.value) and "\n" not in str(exc.value)


def test_name_conflict(engine: Engine, make_container: Any) -> None:
    name = unique()
    make_container(["true"], name=name)
    with pytest.raises(Conflict, match="already in use"):
        make_container(["true"], name=name)
