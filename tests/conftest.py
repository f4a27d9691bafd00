"""Fixtures for the engine tests. Everything they create carries LABEL; the session fails if any
of it is left behind."""

from __future__ import annotations

import contextlib
import re
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dockmagic.engine import Engine
from dockmagic.errors import DockerError, NotFound
from dockmagic.helpers.images.busybox import find_static_busybox, lab_image

from .support import ANSIBLE_VENV, IMAGE, LABEL, LABELS, PLAYBOOK, Registry, require, unique


def _reachable_engine() -> tuple[Engine | None, str]:
    try:
        engine = Engine()
        engine.ping()
        engine.api_version  # noqa: B018 - negotiate once, up front
        return engine, ""
    except DockerError as exc:
        return None, str(exc)


_ENGINE, _WHY = _reachable_engine()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "engine" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.engine)


def _unlabelled(engine: Engine) -> set[tuple[str, str]]:
    """What a test can leave without our label: anonymous volumes (a container's, kept by a
    remove without -v) and Compose projects' containers (made by the docker compose judge)."""
    found = {
        ("volume", v["Name"])
        for v in engine.volume_list().get("Volumes") or []
        if not v.get("Labels") and re.fullmatch(r"[0-9a-f]{64}", v["Name"])
    }
    compose = engine.container_list(all=True, filters={"label": ["com.docker.compose.project"]})
    return found | {("container", c["Names"][0].lstrip("/")) for c in compose}


def leftovers(engine: Engine) -> list[str]:
    flt = {"label": [LABEL]}
    found = [f"container {c['Names'][0]}" for c in engine.container_list(all=True, filters=flt)]
    found += [f"image {i['Id'][:19]} {i.get('RepoTags')}" for i in engine.image_list(filters=flt)]
    found += [f"network {n['Name']}" for n in engine.network_list(filters=flt)]
    found += [f"volume {v['Name']}" for v in (engine.volume_list(filters=flt).get("Volumes") or [])]
    return found


def remove_all(engine: Engine) -> None:
    flt = {"label": [LABEL]}
    for c in engine.container_list(all=True, filters=flt):
        try:
            engine.container_delete(c["Id"], force=True, v=True)
        except NotFound:
            pass  # the engine's own cleanup got there first (a broken build's step container)
    for n in engine.network_list(filters=flt):
        engine.network_delete(n["Id"])
    for v in engine.volume_list(filters=flt).get("Volumes") or []:
        engine.volume_delete(v["Name"], force=True)
    for i in engine.image_list(filters=flt):
        try:
            engine.image_delete(i["Id"], force=True)
        except NotFound:
            pass


def pytest_configure(config: pytest.Config) -> None:
    # A shell starts a background job (`pytest &`, nohup, some CI runners) with SIGINT ignored, and
    # Python then never turns it into KeyboardInterrupt: the Ctrl-C tests would see no Ctrl-C.
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    """The real engine. In CI its absence fails the run; elsewhere engine tests skip."""
    require(f"no Docker engine: {_WHY}" if _ENGINE is None else None, "a Docker engine")
    try:
        find_static_busybox()
    except DockerError as exc:
        pytest.fail(f"the test image needs it: {exc}", pytrace=False)
    remove_all(_ENGINE)  # a crashed earlier run must not fail this one
    before = _unlabelled(_ENGINE)
    yield _ENGINE
    left = leftovers(_ENGINE)
    remove_all(_ENGINE)
    for kind, name in sorted(_unlabelled(_ENGINE) - before):  # what no label of ours marks
        left.append(f"{kind} {name}")
        with contextlib.suppress(DockerError):
            if kind == "volume":
                _ENGINE.volume_delete(name, force=True)
            else:
                _ENGINE.container_delete(name, force=True, v=True)
    if left:
        pytest.fail(f"the tests left resources behind: {', '.join(left)}", pytrace=False)


@pytest.fixture(scope="session")
def image(engine: Engine) -> Iterator[str]:
    """A tiny busybox image built through the API from the host's static busybox."""
    lab_image(IMAGE, labels=LABELS, force=True, engine=engine)
    yield IMAGE
    engine.image_delete(IMAGE, force=True)


@pytest.fixture
def make_container(engine: Engine, image: str) -> Iterator[Any]:
    """Create labelled containers; each is force-removed after the test."""
    made: list[str] = []

    def make(cmd: list[str] | None = None, name: str | None = None, **config: Any) -> str:
        body = {"Image": image, "Cmd": cmd, "Labels": LABELS, **config}
        cid = engine.container_create(body, name=name or unique())["Id"]
        made.append(cid)
        return cid

    yield make
    for cid in made:
        try:
            engine.container_delete(cid, force=True, v=True)
        except NotFound:
            pass


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    reg = Registry(tmp_path_factory.mktemp("registry"))
    yield reg
    reg.stop()


@pytest.fixture(scope="session")
def ip() -> Any:
    """One IPython shell for the whole run (IPython's test app is a singleton) with dockmagic loaded."""
    from IPython.testing.globalipapp import get_ipython, start_ipython

    shell = start_ipython() or get_ipython()
    shell.run_line_magic("load_ext", "dockmagic")
    return shell


@pytest.fixture(scope="session")
def ansible() -> Path:
    """ansible-playbook from its own venv (community.docker and docker-py in it): the modules' judge."""
    missing = f"no ansible-playbook in {ANSIBLE_VENV} (./dev test installs it: tools/provision.sh provision_ansible)"
    require(None if PLAYBOOK.exists() else missing, "Ansible")
    return PLAYBOOK
