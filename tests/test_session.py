"""A session (this process, a kernel): what it creates carries its label and the configured ones,
through magics, helpers and plays; ``--mine``, ``clean``, and the reaper for kernels that die."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.manager import KernelManager

import dockmagic
from dockmagic.engine import Engine
from dockmagic.helpers.engines import cleanup as mine
from dockmagic.helpers.engines import labels as session_labels
from dockmagic.helpers.engines.labels import SESSION, SESSION_ID

from .support import LABEL, LABELS, eventually, unique

CLI = "docker"


@pytest.fixture
def forced_labels() -> Iterator[None]:
    dockmagic.settings.labels = {"course": "lab1", LABEL: "1"}
    yield
    dockmagic.settings.labels = {}


def test_everything_made_carries_the_session_and_forced_labels(
    ip: Any, engine: Engine, image: str, forced_labels: None
) -> None:
    name = unique()
    ip.run_line_magic("docker", f"run -d --name {name} -l course=mine -l own=yes {image} sleep 60")
    net, vol = unique(), unique()
    ip.run_line_magic("docker", f"network create {net}")
    ip.run_line_magic("docker", f"volume create {vol}")
    built = dockmagic.build(
        dockerfile_text=f"FROM {image}\nRUN true\n", tag=f"{unique()}:1", quiet=True
    )
    try:
        labels = engine.container_inspect(name)["Config"]["Labels"]
        assert (
            labels["course"] == "lab1" and labels["own"] == "yes"
        )  # -l cannot replace a forced one
        assert labels[SESSION] == SESSION_ID
        assert engine.network_inspect(net)["Labels"][SESSION] == SESSION_ID
        assert engine.volume_inspect(vol)["Labels"]["course"] == "lab1"
        assert (
            engine.image_inspect(built.tags[0])["Config"]["Labels"][session_labels.BUILT]
            == SESSION_ID
        )
    finally:
        engine.container_delete(name, force=True)
        engine.network_delete(net)
        engine.volume_delete(vol)
        engine.image_delete(built.tags[0], force=True)


BARE_CLIENT = """
import json, sys
from dockmagic.engine import Engine
engine = Engine()
made = engine.container_create({"Image": sys.argv[1], "Cmd": ["true"], "Labels": {sys.argv[2]: "1"}})
labels = engine.container_inspect(made["Id"])["Config"]["Labels"]
engine.container_delete(made["Id"], force=True)
loaded = sorted(m for m in sys.modules if m.startswith(("dockmagic.helpers", "dockmagic.magics")))
print(json.dumps({"labels": labels, "loaded": loaded}))
"""


def test_the_engine_client_alone_labels_nothing_and_loads_no_session(
    engine: Engine, image: str
) -> None:
    """The low-level client has no session policy: used alone it sends the labels it is given and
    imports neither the helpers nor the magics; the session's hook is the helpers' addition."""
    run = subprocess.run(
        [sys.executable, "-c", BARE_CLIENT, image, LABEL],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    found = json.loads(run.stdout)
    assert found["loaded"] == []
    assert (
        found["labels"][LABEL] == "1" and SESSION not in found["labels"]
    )  # (the image's own stay)


def test_a_play_stays_idempotent_across_sessions(
    engine: Engine, image: str, monkeypatch: Any
) -> None:
    name = unique()
    task = [{"container": {"name": name, "image": image, "command": "sleep 60", "labels": LABELS}}]
    try:
        assert dockmagic.play(task).recap["changed"] == 1
        monkeypatch.setattr(
            session_labels, "SESSION_ID", "another-kernel"
        )  # the same play, a new kernel
        assert dockmagic.play(task).recap["changed"] == 0
    finally:
        engine.container_delete(name, force=True)


@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: Any) -> Path:
    """A reaper of the test's own (its socket folder), that leaves quickly once idle."""
    if mine._armed is not None:  # this process's own line to a reaper stays where it was
        mine._armed.created_on(dockmagic.default_engine(), "container", {})
    folder = tmp_path / "run"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    monkeypatch.setenv("DOCKMAGIC_REAPER_IDLE", "3")
    return folder


def _kernel(cwd: Path) -> tuple[KernelManager, Any]:
    km = KernelManager(kernel_name="python3")
    km.start_kernel(cwd=str(cwd), env={**os.environ})
    client = km.client()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    return km, client


def _run(client: Any, code: str) -> str:
    """Run ``code`` in the kernel; its stdout."""
    out: list[str] = []
    reply = client.execute_interactive(
        code,
        timeout=60,
        output_hook=lambda m: (
            out.append(m["content"].get("text", "")) if m["msg_type"] == "stream" else None
        ),
    )
    assert reply["content"]["status"] == "ok", reply["content"]
    return "".join(out)


def test_a_killed_kernel_is_reaped_and_others_are_not(
    engine: Engine, image: str, runtime: Path
) -> None:
    survivor = dockmagic.run(
        image, "sleep 60", detach=True, labels=LABELS
    ).container  # this session's
    km, client = _kernel(runtime)
    try:
        _run(client, f"%load_ext dockmagic\n%config DockerMagics.labels = {{'{LABEL}': '1'}}")
        session = _run(
            client, "from dockmagic.helpers.engines.labels import SESSION_ID; print(SESSION_ID)"
        ).strip()
        pid = int(_run(client, "import os; print(os.getpid())"))
        _run(
            client,
            f"%docker run -d {image} sleep 300\n%docker volume create {unique()}\n%docker network create {unique()}",
        )
        client.execute(f"%docker run {image} sleep 300")  # in the middle of a foreground run ...
        theirs = {"label": [f"{SESSION}={session}"]}
        assert eventually(lambda: len(engine.container_list(filters=theirs)) == 2, limit=20)
        os.kill(pid, signal.SIGKILL)  # ... the kernel dies without a word
        killed = time.monotonic()
        while mine.find(engine, session).found and time.monotonic() - killed < 30:
            time.sleep(0.25)
        gone_after = time.monotonic() - killed
        assert not mine.find(engine, session).found
        print(f"everything the killed kernel made was gone {gone_after:.1f} s after kill -9")
        assert gone_after < 15
        assert engine.container_inspect(survivor)["State"][
            "Running"
        ]  # another session's: untouched
    finally:
        client.stop_channels()
        km.shutdown_kernel(now=True)
        engine.container_delete(survivor, force=True)
    _reaper_leaves_when_idle(runtime)


def test_a_clean_shutdown_removes_and_tells_the_reaper(
    engine: Engine, image: str, runtime: Path
) -> None:
    km, client = _kernel(runtime)
    try:
        _run(client, f"%load_ext dockmagic\n%config DockerMagics.labels = {{'{LABEL}': '1'}}")
        session = _run(
            client, "from dockmagic.helpers.engines.labels import SESSION_ID; print(SESSION_ID)"
        ).strip()
        _run(client, f"%docker run -d {image} sleep 300")
    finally:
        client.stop_channels()
        km.shutdown_kernel()  # a clean shutdown: atexit runs
    assert not mine.find(engine, session).found
    log = next(runtime.glob("*.log")).read_text()
    assert (
        f"session {session} ended" in log
        and "vanished" not in log.split(f"session {session} ended")[0][-200:]
    )
    _reaper_leaves_when_idle(runtime)


def test_mine_and_clean_touch_only_this_session(engine: Engine, image: str, runtime: Path) -> None:
    """In a kernel of its own: cleaning this test process's session would take the suite's image."""
    theirs = subprocess.run(
        [CLI, "create", "-l", f"{LABEL}=1", image, "true"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    name = unique()
    km, client = _kernel(runtime)
    try:
        _run(client, f"%load_ext dockmagic\n%config DockerMagics.labels = {{'{LABEL}': '1'}}")
        _run(client, f"%docker create --name {name} {image} true\n%docker volume create {name}")
        ours = _run(client, "ours = %docker ps -a --mine -q\nprint(*ours)").split()
        assert ours == [
            engine.container_inspect(name)["Id"][:12]
        ]  # not the CLI's, from the same image
        listed = _run(client, "listed = %docker clean\nprint(listed)")
        assert "%docker clean -y removes them" in listed and name in listed
        assert engine.container_inspect(name) and engine.volume_inspect(name)  # only listed
        assert "removed 2 of 2" in _run(client, "%docker clean -y")
        assert not engine.container_list(all=True, filters={"name": [name]})
        assert engine.container_inspect(theirs)  # made by the CLI, not by that session: kept
    finally:
        client.stop_channels()
        km.shutdown_kernel(now=True)
        engine.container_delete(theirs, force=True)
    _reaper_leaves_when_idle(runtime)


def _reaper_leaves_when_idle(runtime: Path) -> None:
    assert eventually(lambda: not list(runtime.glob("*.sock")), limit=20), (
        "the reaper did not exit once idle"
    )


def test_an_ending_session_says_what_it_removed(engine: Engine, image: str, runtime: Path) -> None:
    """Exiting IPython removes what the session made (session_cleanup): once, it says so, with
    how to keep such things."""
    import subprocess
    import sys

    code = (
        "get_ipython().run_line_magic('load_ext', 'dockmagic')\n"
        f"get_ipython().run_line_magic('config', \"DockerMagics.labels = {{'{LABEL}': '1'}}\")\n"
        f"get_ipython().run_line_magic('docker', 'run -d {image} sleep 300')\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "IPython", "--no-banner", "--quick", "-c", code],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)},
    )  # fmt: skip
    said = [line for line in done.stderr.splitlines() if line.startswith("dockmagic: removed")]
    assert len(said) == 1 and "1 container" in said[0] and "session_cleanup" in said[0], done
