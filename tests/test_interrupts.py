"""Ctrl-C in every long command, through the magic as a user presses it: control comes back, as
one line or as the result so far, and nothing is left behind that the user did not ask to keep:
no container, no exec still running, no socket or thread, no partial file."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from IPython.core.error import UsageError

import dockmagic
from dockmagic.engine import Engine
from dockmagic.errors import NotFound
from dockmagic.helpers.containers.copy import stat as path_stat

from .support import LABEL, LABELS, eventually, unique
from .test_helpers_run import interrupt_main_after

L = f"--label {LABEL}=1"
TIMES: dict[
    str, float
] = {}  # seconds from the SIGINT to control back, per command (printed at the end)


def _fds(*engines: Engine) -> set[str]:
    """Open file descriptors, once the engines' idle pooled connections are closed (kept-alive
    connections are reuse, not leaks)."""
    for e in (*engines, dockmagic.default_engine()):
        e.transport.close()
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            found.add(f"{fd} {os.readlink(f'/proc/self/fd/{fd}')}")
        except OSError:
            pass  # the listing's own
    return found


@pytest.fixture
def box(engine: Engine, image: str) -> Iterator[str]:
    """A running container with a 200 MB file (slow enough to interrupt a copy of it)."""
    name = unique()
    body = {
        "Image": image,
        "Cmd": ["sh", "-c", "head -c 200000000 /dev/zero > /big; touch /ready; sleep 300"],
    }
    engine.container_create({**body, "Labels": LABELS}, name=name)
    try:
        engine.container_start(name)
        assert eventually(lambda: path_stat(name, "/ready", engine) is not None, limit=30)
        yield name
    finally:
        engine.container_delete(name, force=True)


def interrupted(ip: Any, call: Callable[[], Any], after: float = 0.8) -> tuple[Any, str]:
    """Press Ctrl-C ``after`` seconds in; the result (or the one-line error) and the seconds it took."""
    timer = interrupt_main_after(after)
    start = time.monotonic()
    outcome: Any = None
    try:
        outcome = call()
    except UsageError as exc:
        outcome = exc
    if timer.is_alive():  # it ended before the key was pressed: the test proves nothing, and the
        timer.cancel()  # signal must not reach pytest
        pytest.fail(f"the command ended before Ctrl-C ({outcome!r:.200})")
    timer.join()
    taken = time.monotonic() - start - after
    return outcome, f"{max(taken, 0):.2f}"


CASES: dict[str, tuple[str, str | None, str]] = {
    # name: (line, cell, what Ctrl-C means: "error" = one line, "result" = what arrived, kept)
    "run --rm": (f"run --rm {L} IMAGE sleep 30", None, "error"),
    "run": (f"run {L} --name NAME IMAGE sleep 30", None, "error"),
    "%%docker run": (f"run --rm {L} IMAGE sh", "sleep 30\n", "error"),
    "exec": ("exec BOX sleep 30", None, "error"),
    "%%docker exec": ("exec BOX sh", "sleep 30\n", "error"),
    "exec -t": ("exec -t BOX sleep 30", None, "error"),
    "logs -f": ("logs -f BOX", None, "result"),
    "attach": ("attach BOX", None, "result"),
    "stats": ("stats BOX", None, "result"),
    "wait": ("wait BOX", None, "error"),
    "events": ("events", None, "error"),
    "cp out": ("cp BOX:/big DEST", None, "error"),
    "export": ("export -o DEST/fs.tar BOX", None, "error"),
    "build": (f"build -q {L} -t dockmagic-test/interrupted:1 CONTEXT", None, "error"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_ctrl_c(ip: Any, engine: Engine, image: str, box: str, tmp_path: Path, case: str) -> None:
    line, cell, meaning = CASES[case]
    name = unique()
    dest = tmp_path / "dest"
    dest.mkdir()
    context = tmp_path / "context"
    context.mkdir()
    (context / "Dockerfile").write_text(f"FROM {image}\nRUN sleep 30\n")
    line = (
        line.replace("IMAGE", image)
        .replace("NAME", name)
        .replace("BOX", box)
        .replace("DEST", str(dest))
        .replace("CONTEXT", str(context))
    )
    before_threads, before_fds = threading.active_count(), _fds(engine)
    before_execs = set(engine.container_inspect(box).get("ExecIDs") or [])

    def go() -> Any:
        return (
            ip.run_cell_magic("docker", line, cell) if cell else ip.run_line_magic("docker", line)
        )

    outcome, taken = interrupted(ip, go, after=0.2 if case in ("cp out", "export") else 0.8)
    TIMES[case] = float(taken)
    if meaning == "error":
        assert isinstance(outcome, UsageError) and "\n" not in str(outcome), outcome
    else:
        assert not isinstance(outcome, BaseException), outcome
    assert float(taken) < 5, f"control came back {taken}s after Ctrl-C"

    # nothing left behind
    assert engine.container_inspect(box)["State"]["Running"]  # the user's container is left alone
    new_execs = set(engine.container_inspect(box).get("ExecIDs") or []) - before_execs
    assert eventually(lambda: not any(engine.exec_inspect(e)["Running"] for e in new_execs)), (
        "an exec still runs"
    )
    processes = [" ".join(p) for p in engine.container_top(box)["Processes"]]
    assert not any(p.endswith("sleep 30") for p in processes), processes  # nor what it started
    others = [
        c
        for c in engine.container_list(all=True, filters={"label": [LABEL]})
        if c["Names"] != [f"/{box}"]
    ]
    if case == "run":  # no --rm: stopped and kept, as docker run leaves it
        assert [c["State"] for c in others] == ["exited"]
        engine.container_delete(name)
    elif case == "build":  # the engine removes the step's container when the build is cancelled
        assert eventually(
            lambda: len(engine.container_list(all=True, filters={"label": [LABEL]})) == 1, limit=20
        )
    else:
        assert not others, others
    assert eventually(lambda: threading.active_count() <= before_threads), threading.enumerate()
    assert eventually(lambda: _fds(engine) <= before_fds), f"left open: {_fds(engine) - before_fds}"
    assert sorted(os.listdir(dest)) == [], "a partial file was left"
    try:
        engine.image_delete("dockmagic-test/interrupted:1", force=True)
    except NotFound:
        pass


def test_zz_report() -> None:
    """The measured times, for the closing note (no assertion on them)."""
    print(
        "seconds from Ctrl-C to control:",
        ", ".join(f"{k} {v:.2f}" for k, v in sorted(TIMES.items())),
    )
