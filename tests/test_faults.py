"""Every streaming command through a proxy that breaks the engine's answer on purpose: each fault
ends as a one-line error, never as a result passed off as whole, and leaves nothing behind."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import dockmagic
from dockmagic.engine import Engine
from dockmagic.errors import DockerError
from dockmagic.helpers.stats.series import sample as stats_sample

from .faultproxy import Fault, FaultProxy
from .support import LABEL, LABELS, Registry, eventually, unique

SLOW_LINES = ["sh", "-c", "for i in $(seq 300); do echo line $i; usleep 10000; done"]  # about 3 s
V = r"/v[\d.]+"


@pytest.fixture
def proxy() -> Iterator[FaultProxy]:
    made = FaultProxy()
    yield made
    made.close()


def _one_line_error(call: Callable[[], Any], limit: float = 20) -> DockerError:
    started = time.monotonic()
    with pytest.raises(DockerError) as exc:
        call()
    assert time.monotonic() - started < limit
    text = str(exc.value)
    assert text and "\n" not in text, text
    return exc.value


def _running(engine: Engine, make: Any, cmd: list[str]) -> str:
    cid = make(cmd)
    engine.container_start(cid)
    return cid


# (fault, unit position) per command; what each cannot tell apart from a real ending is left out,
# with the reason beside it.
STREAM_FAULTS = ["cut", "end", "midframe", "rst", "malformed", "500"]


@pytest.mark.parametrize("kind", STREAM_FAULTS)
def test_run(proxy: FaultProxy, engine: Engine, image: str, kind: str) -> None:
    proxy.arm(rf"POST {V}/containers/\w+/attach", Fault(kind, after=40))
    faulty = proxy.engine()
    _one_line_error(
        lambda: dockmagic.run(
            image, SLOW_LINES, remove=True, quiet=True, labels=LABELS, engine=faulty
        )
    )
    assert proxy.fired
    assert not engine.container_list(all=True, filters={"label": list(LABELS)})  # --rm held


@pytest.mark.parametrize("kind", STREAM_FAULTS)
def test_exec(proxy: FaultProxy, engine: Engine, make_container: Any, kind: str) -> None:
    cid = _running(engine, make_container, ["sleep", "60"])
    proxy.arm(rf"POST {V}/exec/\w+/start", Fault(kind, after=40))
    faulty = proxy.engine()
    _one_line_error(lambda: dockmagic.exec(cid, SLOW_LINES, quiet=True, engine=faulty))
    assert proxy.fired


@pytest.mark.parametrize("kind", STREAM_FAULTS)
def test_logs_follow(proxy: FaultProxy, engine: Engine, make_container: Any, kind: str) -> None:
    cid = _running(engine, make_container, SLOW_LINES)
    proxy.arm(rf"GET {V}/containers/\w+/logs", Fault(kind, after=40))
    _one_line_error(lambda: dockmagic.logs(cid, follow=True, quiet=True, engine=proxy.engine()))


# "end" is left out: logs without -f end where the log ends, and a clean end at a frame boundary
# is what that looks like; "silence" is in: the answer must flow, and the limit names itself.
@pytest.mark.parametrize("kind", ["cut", "midframe", "rst", "malformed", "500", "silence"])
def test_logs(proxy: FaultProxy, engine: Engine, make_container: Any, kind: str) -> None:
    cid = make_container(["seq", "300"])
    engine.container_start(cid)
    engine.container_wait(cid)
    proxy.arm(rf"GET {V}/containers/\w+/logs", Fault(kind, after=40))
    error = _one_line_error(lambda: dockmagic.logs(cid, quiet=True, engine=proxy.engine(timeout=2)))
    if kind == "silence":
        assert "silent" in str(error)


@pytest.mark.parametrize("kind", [*STREAM_FAULTS, "silence"])
def test_stats(proxy: FaultProxy, engine: Engine, make_container: Any, kind: str) -> None:
    cid = _running(engine, make_container, ["sleep", "60"])
    proxy.arm(rf"GET {V}/containers/\w+/stats", Fault(kind, after=1, unit="lines"))
    error = _one_line_error(lambda: stats_sample([cid], duration=4, engine=proxy.engine(timeout=2)))
    if kind in ("cut", "end", "rst"):
        assert error.partial is not None and len(error.partial.records) >= 1  # what arrived is kept


@pytest.mark.parametrize(
    ("kind", "after"),
    [
        ("cut", 700),
        ("end", 512 + 1024),
        ("rst", 700),
        ("malformed", 0),
        ("500", 0),
        ("silence", 700),
    ],
)
def test_cp_out(
    proxy: FaultProxy, engine: Engine, make_container: Any, tmp_path: Path, kind: str, after: int
) -> None:
    """Three 1000-byte files: 'end' comes cleanly after the first whole member, without the
    archive's end marker; 'malformed' shifts the first header."""
    cid = _running(
        engine,
        make_container,
        ["sh", "-c", "mkdir /d; for f in a b c; do head -c 1000 /bin/sh > /d/$f; done; sleep 60"],
    )
    assert eventually(
        lambda: (1, "/d/c") in {(c["Kind"], c["Path"]) for c in engine.container_changes(cid) or []}
    )
    (tmp_path / "out").mkdir()
    proxy.arm(rf"GET {V}/containers/\w+/archive", Fault(kind, after=after, unit="bytes"))
    _one_line_error(
        lambda: dockmagic.cp(f"{cid}:/d", str(tmp_path / "out"), engine=proxy.engine(timeout=2))
    )


@pytest.mark.parametrize(
    ("kind", "after"), [("cut", 700), ("end", 4096), ("rst", 700), ("500", 0), ("silence", 700)]
)
def test_export(
    proxy: FaultProxy, make_container: Any, tmp_path: Path, kind: str, after: int
) -> None:
    cid = make_container(["true"])
    target = tmp_path / "fs.tar"
    target.write_bytes(b"kept")
    proxy.arm(rf"GET {V}/containers/\w+/export", Fault(kind, after=after, unit="bytes"))
    _one_line_error(lambda: dockmagic.export(cid, target, engine=proxy.engine(timeout=2)))
    assert target.read_bytes() == b"kept"  # a broken export replaces nothing


@pytest.mark.parametrize(
    ("kind", "after"), [("cut", 5), ("rst", 5), ("malformed", 0), ("500", 0), ("silence", 5)]
)
def test_ps(proxy: FaultProxy, make_container: Any, kind: str, after: int) -> None:
    make_container(["true"])  # something to list: the answer is longer than the cut
    proxy.arm(rf"GET {V}/containers/json", Fault(kind, after=after, unit="bytes"))
    _one_line_error(lambda: dockmagic.ps(all=True, engine=proxy.engine(timeout=2)))


@pytest.mark.parametrize("kind", STREAM_FAULTS)
def test_pull(proxy: FaultProxy, engine: Engine, image: str, registry: Registry, kind: str) -> None:
    """A pull broken on the way is an error, unless the image did arrive (the engine may finish it)."""
    ref = f"{registry.address}/dockmagic-test/faults:{unique()}"
    dockmagic.tag(image, ref, engine=engine)
    dockmagic.push(ref, quiet=True, engine=engine)
    dockmagic.rmi(ref, engine=engine)
    proxy.arm(rf"POST {V}/images/create", Fault(kind, after=1, unit="lines"))
    try:
        dockmagic.pull(ref, quiet=True, engine=proxy.engine())
    except DockerError as exc:
        assert "\n" not in str(exc)
    else:
        assert engine.image_inspect(ref)["Id"]
    finally:  # the engine may finish the pull after the client is gone: remove it once there
        time.sleep(1)
        try:
            dockmagic.rmi(ref, engine=engine)
        except DockerError:
            pass


@pytest.mark.parametrize("kind", STREAM_FAULTS)
def test_build(proxy: FaultProxy, engine: Engine, image: str, kind: str) -> None:
    tag = f"dockmagic-test/faults:{unique()}"
    proxy.arm(rf"POST {V}/build", Fault(kind, after=2, unit="lines"))
    dockerfile = f"FROM {image}\nRUN for i in 1 2 3 4 5 6; do echo $i; done\nLABEL {LABEL}=1\n"
    try:
        _one_line_error(
            lambda: dockmagic.build(
                tag=tag,
                dockerfile_text=dockerfile,
                quiet=True,
                labels=LABELS,
                engine=proxy.engine(),
            )
        )
    finally:
        eventually(
            lambda: not engine.container_list(all=True, filters={"label": [LABEL]})
        )  # its step containers
        engine.image_prune({"label": LABEL, "dangling": "true"})
        try:
            dockmagic.rmi(tag, engine=engine)
        except DockerError:
            pass
