"""``%%docker_compose --export``: a Compose project as an Ansible playbook, judged by real Ansible
and real compose on the engine. The playbook (community.docker's docker_container) makes the
project; ``docker compose up -d`` then finds every container current and changes nothing; the
playbook run again changes nothing; ``docker compose down -v`` leaves nothing. The same tasks run
by dockmagic's modules must do the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dockmagic.compose.model import load
from dockmagic.engine import Engine
from dockmagic.modules.compose import compose_tasks
from dockmagic.modules.export import to_playbook
from dockmagic.modules.play import play

from .support import recap
from .test_compose_model import CORPUS, ENVIRONMENT, judge
from .test_compose_up import _all_volumes, _ids, _state

# Corpus projects that need no build and no secret written at start, whose containers keep
# running (one that exits at once is started again by each run: a play cannot be idempotent
# there), and that share no other service's container (``network_mode: service:app`` is hashed
# with that container's ID, which a playbook written beforehand cannot know).
CASES = [
    "basic", "dependencies", "healthchecks", "logging-restart", "volumes-forms", "voting-app",
    "wordpress", "ipam-static", "labels-annotations", "longsyntax",
]  # fmt: skip


def _play(case: Path, engine: Engine, image: str) -> tuple[Any, list[dict[str, Any]]]:
    project = load(directory=case, environment={**ENVIRONMENT, "IMAGE": image})
    return project, compose_tasks(project, engine=engine)


@pytest.mark.parametrize("name", CASES)
def test_the_playbook_makes_what_compose_finds_current(
    name: str, engine: Engine, image: str, ansible: Path, tmp_path: Path
) -> None:
    case = CORPUS / name
    env = {**ENVIRONMENT, "IMAGE": image}
    project, tasks = _play(case, engine, image)
    book = tmp_path / "site.yml"
    book.write_text(to_playbook(tasks))
    volumes_before = _all_volumes(engine)
    try:
        assert recap(ansible, book, tmp_path)["failed"] == 0
        made = _ids(engine, project.name)
        assert made
        judge(case, "up", "-d", "--pull", "never", environment=env)
        assert _ids(engine, project.name) == made, book.read_text()
        assert recap(ansible, book, tmp_path)["changed"] == 0, book.read_text()
    finally:
        judge(case, "down", "--volumes", "--remove-orphans", "-t", "1", environment=env)
    assert _state(engine, project.name) == {"networks": [], "volumes": []}
    assert _all_volumes(engine) == volumes_before  # compose's down -v took the anonymous ones


@pytest.mark.parametrize("name", CASES)
def test_dockmagics_modules_run_the_same_play(name: str, engine: Engine, image: str) -> None:
    case = CORPUS / name
    env = {**ENVIRONMENT, "IMAGE": image}
    project, tasks = _play(case, engine, image)
    volumes_before = _all_volumes(engine)
    try:
        first = play(tasks, engine=engine, show=False)
        assert first.recap["failed"] == 0, [t.line(False) for t in first.tasks]
        made = _ids(engine, project.name)
        judge(case, "up", "-d", "--pull", "never", environment=env)
        assert _ids(engine, project.name) == made
        assert play(tasks, engine=engine, show=False).recap["changed"] == 0
        down = play(compose_tasks(project, down=True, volumes=True), engine=engine, show=False)
        assert down.recap["failed"] == 0
        assert _all_volumes(engine) == volumes_before  # anonymous ones too, as down -v
    finally:
        judge(case, "down", "--volumes", "--remove-orphans", "-t", "1", environment=env)
    assert _state(engine, project.name) == {"networks": [], "volumes": []}
