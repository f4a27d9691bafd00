"""One project for both tools, judged both ways on the real engine: ``docker compose up -d``
(compose v2 itself), then dockmagic's ``up`` over it (nothing changes) and dockmagic's ``down``
(nothing is left); then dockmagic's ``up``, the engine's state compared field by field with
compose's, compose's ``up`` over it (nothing changes) and compose's ``down``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from dockmagic.compose import project as compose
from dockmagic.compose.model import load
from dockmagic.engine import Engine

from .test_compose_model import CORPUS, ENVIRONMENT, judge

# The projects that run on a single engine with the test image (each service's command is its own).
CASES = [
    "anchors", "basic", "dependencies", "deploy-forms", "develop-hooks", "devices-caps",
    "entrypoints",
    "envfile-forms", "healthchecks", "ipam-static", "labels-annotations", "logging-restart",
    "longsyntax", "merged", "networks", "passthrough",
    "secrets", "user-ids", "variables", "volumes-forms", "voting-app", "wordpress",
]  # fmt: skip
_SHORT_ID = re.compile(r"^[0-9a-f]{12}$")


def _state(engine: Engine, name: str) -> dict[str, Any]:
    """What a project is on the engine, as compose and dockmagic must both make it: each
    container's settings (less what the engine chooses: IDs, times, hostnames), and networks."""
    found = engine.container_list(all=True, filters={"label": [f"{compose.PROJECT}={name}"]})
    names = {c["Id"]: c["Names"][0].lstrip("/") for c in found}
    out: dict[str, Any] = {}
    for c in found:
        info = engine.container_inspect(c["Id"])
        config, host = info["Config"], info["HostConfig"]
        labels = {k: v for k, v in config["Labels"].items() if not k.startswith("dockmagic.")}
        host = {**host, "VolumesFrom": [names.get(v, v) for v in host.get("VolumesFrom") or []]}
        for key in ("IpcMode", "PidMode"):
            if str(host.get(key)).startswith("container:"):
                host[key] = f"container:{names.get(host[key].split(':', 1)[1], '?')}"
        if host["VolumesFrom"] or any(
            str(info["HostConfig"].get(k)).startswith("container:")
            for k in ("NetworkMode", "IpcMode", "PidMode")
        ):
            labels.pop(compose.CONFIG_HASH)  # the hash covers the other container's ID
        # compose writes these from Go maps: in no set order
        labels[compose.DEPENDS_ON] = ",".join(sorted(labels.get(compose.DEPENDS_ON, "").split(",")))
        mode = host["NetworkMode"]
        if mode.startswith("container:"):
            mode = f"container:{names.get(mode.split(':', 1)[1], '?')}"
        networks = {
            net: (
                sorted(a for a in endpoint.get("Aliases") or [] if not _SHORT_ID.match(a)),
                endpoint.get("IPAMConfig") or {},
            )
            for net, endpoint in info["NetworkSettings"]["Networks"].items()
        }
        out[info["Name"].lstrip("/")] = {
            "labels": labels,
            # every field the create body sets, less what the engine chooses
            "config": {
                **{k: v for k, v in config.items() if k not in ("Hostname", "Labels")},
                "Env": sorted(config.get("Env") or []),
            },
            "host": {
                **{k: v for k, v in host.items() if k != "NetworkMode"},
                **{k: sorted(host.get(k) or []) for k in ("Binds", "ExtraHosts", "Links")},
                "Mounts": sorted(host.get("Mounts") or [], key=lambda m: m["Target"]),
                "Ulimits": sorted(host.get("Ulimits") or [], key=lambda u: u["Name"]),
            },
            "network_mode": mode,
            "networks": networks,
        }
    out["networks"] = sorted(
        (n["Name"], {k: v for k, v in n["Labels"].items() if not k.startswith("dockmagic.")})
        for n in engine.network_list(filters={"label": [f"{compose.PROJECT}={name}"]})
    )
    out["volumes"] = sorted(
        (
            v["Name"],
            {k: x for k, x in (v["Labels"] or {}).items() if not k.startswith("dockmagic.")},
        )
        for v in engine.volume_list(filters={"label": [f"{compose.PROJECT}={name}"]}).get("Volumes")
        or []
    )
    return out


def _differences(ours: Any, theirs: Any, path: str = "") -> list[str]:
    """Where two states differ, one line per field: ``container.host.Links: ours != theirs``."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        return [
            line
            for key in sorted(set(ours) | set(theirs))
            for line in _differences(ours.get(key), theirs.get(key), f"{path}.{key}".lstrip("."))
        ]
    return [] if ours == theirs else [f"{path}: {ours!r} != {theirs!r}"]


def _ids(engine: Engine, name: str) -> set[str]:
    return {
        c["Id"]
        for c in engine.container_list(all=True, filters={"label": [f"{compose.PROJECT}={name}"]})
    }


@pytest.mark.parametrize("name", CASES)
def test_one_project_for_both_tools(name: str, engine: Engine, image: str) -> None:
    case: Path = CORPUS / name
    env = {**ENVIRONMENT, "IMAGE": image}
    project = load(directory=case, environment=env)
    volumes_before = _all_volumes(engine)
    try:
        judge(case, "up", "-d", "--pull", "never", environment=env)
        theirs = _state(engine, project.name)
        made = _ids(engine, project.name)
        compose.up(engine, project)
        assert _ids(engine, project.name) == made  # compose's containers are current for dockmagic
        compose.down(engine, project.name, volumes=True, timeout=1)
        assert _state(engine, project.name) == {"networks": [], "volumes": []}
        assert _all_volumes(engine) == volumes_before

        compose.up(engine, project)
        ours = _state(engine, project.name)
        diff = _differences(ours, theirs)
        assert not diff, "\n".join(diff)
        made = _ids(engine, project.name)
        judge(case, "up", "-d", "--pull", "never", environment=env)
        assert _ids(engine, project.name) == made  # and dockmagic's are current for compose
    finally:
        judge(case, "down", "--volumes", "--remove-orphans", "-t", "1", environment=env)
    assert _state(engine, project.name) == {"networks": [], "volumes": []}
    assert _all_volumes(engine) == volumes_before  # anonymous ones too: down -v takes them


def _all_volumes(engine: Engine) -> set[str]:
    return {v["Name"] for v in engine.volume_list().get("Volumes") or []}


# Projects whose settings the engine keeps at create but this machine cannot start (GPUs,
# CDI devices, block-IO weights): judged on what ``create`` makes.
CREATED = ["tuning"]


@pytest.mark.parametrize("name", CREATED)
def test_created_as_compose_creates_them(name: str, engine: Engine, image: str) -> None:
    case: Path = CORPUS / name
    env = {**ENVIRONMENT, "IMAGE": image}
    project = load(directory=case, environment=env)
    try:
        judge(case, "create", "--pull", "never", environment=env)
        theirs = _state(engine, project.name)
        compose.down(engine, project.name, volumes=True, timeout=1)
        compose.up(engine, project, start_them=False)
        diff = _differences(_state(engine, project.name), theirs)
        assert not diff, "\n".join(diff)
        made = _ids(engine, project.name)
        judge(case, "create", "--pull", "never", environment=env)
        assert _ids(engine, project.name) == made
    finally:
        judge(case, "down", "--volumes", "-t", "1", environment=env)
