"""What is Podman's own in the Podman lane (``DOCKMAGIC_TEST_ENGINE=podman``, tools/podman.py):
it is recognised from ``/version``, what it lacks is said in one line naming it, and a play whose
change Docker would make in place recreates the container instead. The lane also runs every test
marked ``podman`` (the everyday commands, the quickstart notebook) against Podman's Docker API."""

from __future__ import annotations

from typing import Any

import pytest
from IPython.core.error import UsageError

import dockmagic
from dockmagic.engine import Engine

from .support import LABEL, unique

pytestmark = (
    pytest.mark.podman
)  # and only in the Podman lane: conftest leaves it out of the main run


def test_podman_is_recognised(ip: Any, engine: Engine) -> None:
    version = engine.podman_version()
    assert version and version[0].isdigit()
    shown = ip.run_line_magic("docker", "version")
    assert "Podman Engine" in repr(shown)


def test_what_podman_lacks_is_one_line_naming_it(ip: Any, engine: Engine, image: str) -> None:
    name = unique("pm")
    dockmagic.run(
        image, ["sleep", "300"], name=name, detach=True, labels={LABEL: "1"}, engine=engine
    )
    try:
        with pytest.raises(UsageError) as failed:
            ip.run_line_magic("docker", f"update --memory 64m {name}")
        said = str(failed.value)
        assert said.count("\n") == 0 and "Podman" in said and "has no 'docker update'" in said, said
    finally:
        engine.container_delete(name, force=True)


def test_a_play_recreates_what_docker_would_update_in_place(
    ip: Any, engine: Engine, image: str
) -> None:
    name = unique("pm")

    def play(memory: str) -> Any:
        return ip.run_cell_magic(
            "docker_play",
            "",
            f"- container: {{name: {name}, image: {image}, command: sleep 300, memory: {memory}, "
            f"labels: {{{LABEL}: '1'}}}}\n",
        )

    try:
        assert play("64m").recap["changed"] == 1
        first = engine.container_inspect(name)["Id"]
        again = play("96m")
        assert again.recap["changed"] == 1 and again.recap["failed"] == 0
        after = engine.container_inspect(name)
        assert after["Id"] != first and after["HostConfig"]["Memory"] == 96 * 1024 * 1024
        assert play("96m").recap["changed"] == 0  # and then nothing to do
    finally:
        engine.container_delete(name, force=True)
