"""Fixtures for the engine tests. Everything they create carries LABEL; the session fails if any
of it is left behind."""

from __future__ import annotations

import contextlib
import os
import re
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dockmagic.engine import Engine
from dockmagic.errors import DockerError, NotFound
from dockmagic.helpers.images.busybox import find_static_busybox, lab_image
from tools.podman import PodmanService, host_bridge_broken
from tools.podman import missing as podman_missing

from .support import ANSIBLE_VENV, IMAGE, LABEL, LABELS, PLAYBOOK, Registry, require, unique

LANE = os.environ.get("DOCKMAGIC_TEST_ENGINE", "docker")  # "podman": the Podman lane
_PODMAN: PodmanService | None = None


def _podman_lane() -> str:
    """Start the lane's Podman service and point every client of this run at it (DOCKER_HOST:
    helpers, magics, kernels and the docker CLI alike); why it cannot be had, or ''."""
    global _PODMAN
    why = podman_missing()
    if why:
        return why
    _PODMAN = PodmanService()
    try:
        _PODMAN.start()
    except DockerError as exc:
        return str(exc)
    os.environ["DOCKER_HOST"] = _PODMAN.url
    return ""


def _reachable_engine() -> tuple[Engine | None, str]:
    if LANE == "podman" and (why := _podman_lane()):
        return None, why
    try:
        engine = Engine()
        engine.ping()
        engine.api_version  # noqa: B018 - negotiate once, up front
        return engine, ""
    except DockerError as exc:
        return None, str(exc)


_ENGINE, _WHY = _reachable_engine()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The lane's end: Podman's service and all it stored go; the host's engine must be as it was
    (its bridge there, a --rm run on its default network working)."""
    if _PODMAN is None:
        return
    _PODMAN.stop()
    os.environ.pop("DOCKER_HOST", None)
    broken = host_bridge_broken()
    if broken:
        session.config.get_terminal_reporter().write_line(
            f"the Podman lane broke the host: {broken}"
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# The Podman lane runs these modules' tests against Podman's Docker API, less those where Podman
# answers otherwise than Docker (each with what it does instead); tests/test_podman.py holds what
# is Podman's own.
PODMAN_MODULES = (
    "test_magics", "test_helpers_run", "test_helpers_copy", "test_engine_containers",
    "test_engine_exec", "test_engine_networks_volumes", "test_stats", "test_shell", "test_images",
    "test_engine_images", "test_modules", "test_kernel_input", "test_streams", "test_interrupts",
)  # fmt: skip
PODMAN_DIFFERS = {
    "test_magics.py::test_errors_are_one_line_usage_errors[logs no-such-container-xyz": "its own 404 words",
    "test_magics.py::test_an_error_is_shown_as_its_own_kind[logs no-such-container-xyz": "the same words",
    "test_helpers_run.py::test_lifecycle_helpers": "no update (test_podman.py: said in one line)",
    "test_helpers_run.py::test_events_bounded_by_count_and_duration": "no create or attach events",
    "test_helpers_copy.py::test_errors_are_clear": "its own words for a missing path",
    "test_helpers_copy.py::test_through_a_link_to_a_folder_and_from_the_root": "its / archive: refused",
    "test_engine_containers.py::test_attach_websocket": "no /attach/ws",
    "test_engine_containers.py::test_running_container_operations": "no update",
    "test_engine_containers.py::test_delete_and_prune": "its own 404 words",
    "test_engine_containers.py::test_name_conflict": "a name in use is a 500, not a 409",
    "test_engine_exec.py::test_exec_errors": "exec in a stopped container is a 500, not a 409",
    "test_stats.py::test_snapshot_of_many_shows_stopped_and_removed": "its own 404 words",
    "test_stats.py::test_sample_series_summary_plot": "precpu_stats ms old: CPU % near 0",
    "test_images.py::test_failing_build_names_the_step": "Buildah names a failed step its own way",
    "test_engine_images.py::test_build_with_args_target_and_failure": "Buildah's words",
    "test_images.py::test_save_load_import_history_prune": "it names images docker.io/...",
    "test_engine_images.py::test_build_streams_messages_and_tags": "it names images docker.io/...",
    "test_engine_images.py::test_import_from_src": "import ignores the repository and tag asked for",
    "test_engine_images.py::test_prune_and_search_errors": "no build cache to prune",
    "test_images.py::test_push_pull_with_progress": "the registry is on the host's loopback, out of its namespace",
    "test_images.py::test_registry_with_basic_auth": "the same",
    "test_engine_images.py::test_push_and_pull_through_local_registry": "the same",
    "test_engine_images.py::test_commit_to_a_reference_with_a_registry_port": "asks that registry",
    "test_magics.py::test_run_flags_send_what_the_cli_sends": "no links; no ContainerIDFile kept",
    "test_images.py::test_push_and_pull_every_tag": "the registry is out of its namespace",
    "test_images.py::test_build_hosts_and_cache_from": "its build answers 400 to extrahosts (the CLI's too)",
    "test_modules.py::test_container_lifecycle": "no update: recreated (test_podman.py)",
    "test_modules.py::test_container_networks_in_place": "its default network is 'podman', not 'bridge'",
    "test_modules.py::test_container_healthy": "health checks run from systemd timers: none here",
    "test_modules.py::test_volume_module": "volume size options need project quotas",
}  # fmt: skip


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if LANE != "podman":  # Podman's own tests belong to its lane
        own = [i for i in items if i.nodeid.startswith("tests/test_podman.py")]
        if own:
            config.hook.pytest_deselected(items=own)
            items[:] = [i for i in items if i not in own]
    for item in items:
        if "engine" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.engine)
        module = item.nodeid.split("/")[-1].split(".py")[0]
        where = item.nodeid.split("/")[-1]
        if module in PODMAN_MODULES and not any(where.startswith(k) for k in PODMAN_DIFFERS):
            item.add_marker(pytest.mark.podman)


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
