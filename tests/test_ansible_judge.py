"""Real Ansible as the judge of the modules: the same desired state, written as community.docker's
documentation writes it, must be "unchanged" for each tool after the other has applied it, and a
change in check mode must be reported by both and made by neither (tests/data/ansible_scenarios.yml).

Ansible and community.docker come from PyPI into a venv of their own (tools/provision.sh,
provision_ansible); without it these tests fail in CI and skip elsewhere."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from dockmagic import Engine
from dockmagic.errors import NotFound
from dockmagic.modules.export import to_playbook
from dockmagic.modules.play import play

from .support import recap, unique

SCENARIOS = yaml.safe_load((Path(__file__).parent / "data" / "ansible_scenarios.yml").read_text())


@pytest.fixture
def world(engine: Engine, image: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The variables the scenarios use; everything named with the prefix is removed after."""
    prefix = unique("ans")
    context = tmp_path / "ctx"  # a build context for the image scenarios
    context.mkdir()
    (context / "Dockerfile").write_text(
        f"FROM {image}\nLABEL dockmagic.test=1\nRUN echo built > /built\n"
    )
    yield {"p": prefix, "image": image, "dir": tmp_path, "ctx": str(context)}
    for c in engine.container_list(all=True, filters={"name": [prefix]}):
        engine.container_delete(c["Id"], force=True, v=True)
    for n in engine.network_list(filters={"name": [prefix]}):
        engine.network_delete(n["Id"])
    for v in engine.volume_list(filters={"name": [prefix]}).get("Volumes") or []:
        engine.volume_delete(v["Name"], force=True)
    for i in engine.image_list(filters={"reference": [f"{prefix}*"]}):
        for tag in i.get("RepoTags") or []:
            if tag.startswith(prefix):
                engine.image_delete(tag)


def run_ansible(
    ansible: Path, tasks: list[dict[str, Any]], world: dict[str, Any], *, check: bool = False
) -> dict[str, int]:
    """ansible-playbook on localhost; the recap's counts."""
    book = world["dir"] / f"play-{unique('b')}.yml"
    book.write_text(yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]))
    return recap(ansible, book, world["dir"], variables=_names(world), check=check)


def _names(world: dict[str, Any]) -> dict[str, Any]:
    return {k: world[k] for k in ("p", "image", "ctx")}


def run_dockmagic(
    tasks: list[dict[str, Any]], world: dict[str, Any], *, check: bool = False
) -> dict[str, int]:
    result = play(tasks, vars=_names(world), check=check, show=False)
    failed = [t.line(False) for t in result.tasks if t.status == "failed"]
    assert not failed, f"dockmagic failed: {failed}"
    return result.recap


def _snapshot(engine: Engine, prefix: str) -> list[Any]:
    """What a check-mode run must leave as it was."""
    out = []
    for c in sorted(
        engine.container_list(all=True, filters={"name": [prefix]}), key=lambda c: c["Names"][0]
    ):
        try:
            info = engine.container_inspect(c["Id"])
        except NotFound:
            continue
        out.append((info["Id"], info["Config"], info["HostConfig"], info["State"]["Running"]))
    return out


IDS = [s["name"] for s in SCENARIOS]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_dockmagic_first_then_ansible_finds_nothing_to_do(
    ansible: Path, engine: Engine, world: dict[str, Any], scenario: dict[str, Any]
) -> None:
    run_dockmagic(scenario.get("setup") or [], world)
    assert run_dockmagic(scenario["tasks"], world)["failed"] == 0
    book = world["dir"] / "exported.yml"
    book.write_text(to_playbook(scenario["tasks"]))
    assert recap(ansible, book, world["dir"], variables=_names(world))["changed"] == 0, (
        book.read_text()
    )
    assert run_dockmagic(scenario["tasks"], world)["changed"] == 0


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_ansible_first_then_dockmagic_finds_nothing_to_do(
    ansible: Path, engine: Engine, world: dict[str, Any], scenario: dict[str, Any]
) -> None:
    run_dockmagic(scenario.get("setup") or [], world)
    run_ansible(ansible, scenario["tasks"], world)
    assert run_dockmagic(scenario["tasks"], world)["changed"] == 0


@pytest.mark.parametrize(
    "scenario",
    [s for s in SCENARIOS if "change" in s],
    ids=[s["name"] for s in SCENARIOS if "change" in s],
)
def test_a_change_in_check_mode_is_seen_by_both_and_made_by_neither(
    ansible: Path, engine: Engine, world: dict[str, Any], scenario: dict[str, Any]
) -> None:
    run_dockmagic(scenario["tasks"], world)
    before = _snapshot(engine, world["p"])
    assert run_dockmagic(scenario["change"], world, check=True)["changed"] >= 1
    seen = run_ansible(ansible, scenario["change"], world, check=True)["changed"]
    assert seen == 0 if scenario.get("ansible_check_mode_misses_updates") else seen >= 1
    assert _snapshot(engine, world["p"]) == before
