"""run / exec / logs helpers against the real engine, including Ctrl-C and timeouts."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import dockmagic
from dockmagic.engine import Engine
from dockmagic.errors import APIError, ContainerFailed, DockerError, NotFound, TimedOut

from .support import LABEL, LABELS, eventually, unique


def interrupt_main_after(seconds: float) -> threading.Timer:
    """Deliver a real SIGINT to the main thread (as a notebook's Interrupt does)."""
    main = threading.main_thread().ident
    assert main is not None
    timer = threading.Timer(seconds, signal.pthread_kill, (main, signal.SIGINT))
    timer.start()
    return timer


def test_run_keeps_stdout_and_stderr_apart(engine: Engine, image: str, capfd: Any) -> None:
    r = dockmagic.run(
        image,
        ["sh", "-c", "echo out; echo err >&2; exit 5"],
        remove=True,
        labels=LABELS,
        engine=engine,
    )
    assert (r.stdout, r.stderr, r.exit_code, r.removed, r.ok) == ("out\n", "err\n", 5, True, False)
    shown = capfd.readouterr()
    assert "out\n" in shown.out and "err\n" in shown.err  # streamed live, each to its own stream
    with pytest.raises(NotFound):
        engine.container_inspect(r.container)


def test_run_check_raises_with_last_stderr_line(engine: Engine, image: str) -> None:
    with pytest.raises(ContainerFailed, match="exited with code 2: bad thing"):
        dockmagic.run(
            image,
            "sh -c 'echo bad thing >&2; exit 2'",
            remove=True,
            check=True,
            quiet=True,
            labels=LABELS,
            engine=engine,
        )


def test_run_feeds_stdin_and_closes_it(engine: Engine, image: str) -> None:
    big = "line\n" * 200_000  # 1 MB through cat and back: no deadlock between writing and reading
    r = dockmagic.run(
        image, "cat", stdin=big, remove=True, quiet=True, labels=LABELS, engine=engine
    )
    assert r.stdout == big and r.exit_code == 0


def test_run_options(engine: Engine, image: str) -> None:
    r = dockmagic.run(
        image,
        "sh -c 'echo $A; pwd; id -u; hostname'",
        env={"A": "x"},
        workdir="/tmp",
        user="65534",
        hostname="box",
        memory="64m",
        cpus=0.5,
        remove=True,
        quiet=True,
        labels=LABELS,
        engine=engine,
    )
    assert r.stdout.split() == ["x", "/tmp", "65534", "box"]


def test_run_detached_then_logs_and_exec(engine: Engine, image: str) -> None:
    name = unique()
    r = dockmagic.run(
        image,
        "sh -c 'echo started; echo oops >&2; sleep 30'",
        name=name,
        detach=True,
        labels=LABELS,
        engine=engine,
    )
    try:
        assert r.detached and r.exit_code is None
        logs = eventually(
            lambda: dockmagic.logs(name, quiet=True, engine=engine), until=lambda got: got.stderr
        )
        assert (logs.stdout, logs.stderr) == ("started\n", "oops\n")
        e = dockmagic.exec(
            name, "sh -c 'cat; echo to-err >&2; exit 7'", stdin="piped", quiet=True, engine=engine
        )
        assert (e.stdout, e.stderr, e.exit_code) == ("piped", "to-err\n", 7)
        assert dockmagic.ps(filters={"label": LABEL}, engine=engine)[name]["Id"] == r.container
    finally:
        engine.container_delete(name, force=True)


def test_logs_follow_until_exit_and_since(engine: Engine, image: str) -> None:
    name = unique()
    dockmagic.run(
        image,
        "sh -c 'for i in 1 2 3; do echo $i; sleep 0.2; done'",
        name=name,
        detach=True,
        labels=LABELS,
        engine=engine,
    )
    try:
        followed = dockmagic.logs(name, follow=True, quiet=True, engine=engine)
        assert followed.stdout == "1\n2\n3\n"
        assert dockmagic.logs(name, since="1h", tail=1, quiet=True, engine=engine).stdout == "3\n"
    finally:
        engine.container_delete(name, force=True)


def test_run_timeout_stops_and_removes(engine: Engine, image: str) -> None:
    start = time.monotonic()
    with pytest.raises(TimedOut, match=r"longer than 0\.5s"):
        dockmagic.run(
            image, "sleep 30", timeout=0.5, remove=True, quiet=True, labels=LABELS, engine=engine
        )
    assert time.monotonic() - start < 5
    assert not engine.container_list(all=True, filters={"label": LABEL, "ancestor": image})


def test_ctrl_c_removes_an_rm_container_quickly(engine: Engine, image: str) -> None:
    name = unique()
    threads = threading.active_count()
    timer = interrupt_main_after(0.7)
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        dockmagic.run(
            image, "sleep 30", name=name, remove=True, quiet=True, labels=LABELS, engine=engine
        )
    elapsed = time.monotonic() - start
    timer.join()
    assert elapsed < 0.7 + 1.0, f"control came back after {elapsed:.2f}s"
    with pytest.raises(NotFound):
        engine.container_inspect(name)
    assert threading.active_count() <= threads


def test_ctrl_c_stops_a_foreground_container(engine: Engine, image: str) -> None:
    name = unique()
    timer = interrupt_main_after(0.7)
    try:
        with pytest.raises(KeyboardInterrupt):
            dockmagic.run(image, "sleep 30", name=name, quiet=True, labels=LABELS, engine=engine)
        timer.join()
        assert (
            engine.container_inspect(name)["State"]["Running"] is False
        )  # stopped, kept (no --rm)
    finally:
        engine.container_delete(name, force=True)


def test_ctrl_c_during_logs_follow(engine: Engine, image: str) -> None:
    name = unique()
    dockmagic.run(
        image,
        "sh -c 'while true; do echo tick; sleep 0.1; done'",
        name=name,
        detach=True,
        labels=LABELS,
        engine=engine,
    )
    try:
        timer = interrupt_main_after(0.7)
        start = time.monotonic()
        result = dockmagic.logs(
            name, follow=True, quiet=True, engine=engine
        )  # Ctrl-C ends following
        timer.join()
        assert time.monotonic() - start < 1.7
        assert result.stdout.startswith(
            "tick\n"
        )  # what arrived is the result, as docker logs -f shows it
        assert engine.container_inspect(name)["State"][
            "Running"
        ]  # logs -f leaves the container alone
    finally:
        engine.container_delete(name, force=True)


def test_lifecycle_helpers(engine: Engine, image: str) -> None:
    name = unique()
    dockmagic.run(image, "sleep 30", name=name, detach=True, labels=LABELS, engine=engine)
    try:
        dockmagic.pause(name, engine=engine)
        dockmagic.unpause(name, engine=engine)
        dockmagic.update(name, memory="32m", restart="on-failure:2", engine=engine)
        host = engine.container_inspect(name)["HostConfig"]
        assert host["Memory"] == 32 * 1024 * 1024 and host["RestartPolicy"]["Name"] == "on-failure"
        new = dockmagic.rename(name, name + "-2", engine=engine)
        dockmagic.kill(new, engine=engine)
        assert dockmagic.wait(new, engine=engine) == [137]
        dockmagic.start(new, engine=engine)
        dockmagic.stop(new, time=0, engine=engine)
        dockmagic.restart(new, time=0, engine=engine)
        assert len(dockmagic.top(new, engine=engine)) >= 1
        dockmagic.rm(new, force=True, engine=engine)
    finally:
        for n in (name, name + "-2"):
            try:
                engine.container_delete(n, force=True)
            except NotFound:
                pass


def test_a_failed_start_is_one_line_and_rm_still_removes(engine: Engine, image: str) -> None:
    name = unique()
    with pytest.raises(APIError) as exc:
        dockmagic.run(
            image,
            "no-such-binary",
            name=name,
            remove=True,
            quiet=True,
            labels=LABELS,
            engine=engine,
        )
    assert "no-such-binary" in str(exc.value) and "\n" not in str(exc.value)
    with pytest.raises(NotFound):
        engine.container_inspect(name)


def test_events_bounded_by_count_and_duration(engine: Engine, image: str) -> None:
    name = unique()
    dockmagic.run(image, "true", name=name, remove=True, quiet=True, labels=LABELS, engine=engine)
    table = dockmagic.events(
        since="30s", until="0s", filters={"container": name}, quiet=True, engine=engine
    )
    assert [r["Action"] for r in table][:2] == ["create", "attach"] and "destroy" in [
        r["Action"] for r in table
    ]
    assert (
        len(
            dockmagic.events(
                since="30s", count=1, filters={"container": name}, quiet=True, engine=engine
            )
        )
        == 1
    )
    start = time.monotonic()
    assert (
        len(dockmagic.events(duration="1s", filters={"container": name}, quiet=True, engine=engine))
        == 0
    )
    assert time.monotonic() - start < 3


def test_ctrl_c_during_exec(engine: Engine, image: str) -> None:
    name = unique()
    dockmagic.run(image, "sleep 60", name=name, detach=True, labels=LABELS, engine=engine)
    try:
        timer = interrupt_main_after(0.7)
        start = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            dockmagic.exec(name, "sleep 30", quiet=True, engine=engine)
        timer.join()
        assert time.monotonic() - start < 1.7
        assert engine.container_inspect(name)["State"]["Running"]
    finally:
        engine.container_delete(name, force=True)


def test_rm_removes_anonymous_volumes_too(engine: Engine, image: str) -> None:
    """As docker run --rm: the container's anonymous volumes go with it."""
    before = {v["Name"] for v in engine.volume_list().get("Volumes") or []}
    dockmagic.run(
        image,
        "touch /data/x",
        volumes=["/data"],
        remove=True,
        quiet=True,
        labels=LABELS,
        engine=engine,
    )
    after = {v["Name"] for v in engine.volume_list().get("Volumes") or []}
    assert after <= before


def test_save_to_an_existing_file_keeps_it_when_the_image_is_missing(
    engine: Engine, tmp_path: Path
) -> None:
    archive = tmp_path / "images.tar"
    archive.write_bytes(b"an archive made before")
    with pytest.raises(DockerError):
        dockmagic.save("dockmagic-test/no-such-image:1", archive, engine=engine)
    assert archive.read_bytes() == b"an archive made before"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["images.tar"]


def test_rm_is_the_engine_s_auto_remove(engine: Engine, image: str) -> None:
    """As docker run --rm: the engine removes the container at its exit, so a kernel killed mid-run
    (kill -9) leaves nothing behind; the exit code still comes back."""
    name = unique("autorm")
    seen: dict[str, Any] = {}

    def look() -> None:
        for _ in range(100):
            try:
                seen.update(engine.container_inspect(name)["HostConfig"])
                return
            except NotFound:
                time.sleep(0.05)

    watcher = threading.Thread(target=look)
    watcher.start()
    result = dockmagic.run(
        image, "sh -c 'sleep 1; exit 3'", name=name, remove=True, quiet=True, labels=LABELS
    )
    watcher.join()
    assert seen.get("AutoRemove") is True and result.exit_code == 3
    with pytest.raises(NotFound):
        engine.container_inspect(name)
