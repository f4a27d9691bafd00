"""A Compose project on an engine, as docker compose v2 keeps one: what it made is found by the
labels compose writes (project, service, number, config hash, ...), so that either tool's ``up``
finds the other's containers current and either tool's ``down`` removes the other's project.

``up`` makes the networks and volumes, then each service's containers in dependency order, and
replaces a container only when its config hash differs; ``down`` removes them all again."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..engine import Engine
from ..errors import NotFound, OptionError
from .convert import container_body, network_body, volume_body
from .model import Json, Project, config_hash, go_json

PROJECT = "com.docker.compose.project"
SERVICE = "com.docker.compose.service"
NUMBER = "com.docker.compose.container-number"
ONEOFF = "com.docker.compose.oneoff"
CONFIG_HASH = "com.docker.compose.config-hash"
WORKING_DIR = "com.docker.compose.project.working_dir"
CONFIG_FILES = "com.docker.compose.project.config_files"
VERSION = "com.docker.compose.version"
DEPENDS_ON = "com.docker.compose.depends_on"
IMAGE = "com.docker.compose.image"
NETWORK = "com.docker.compose.network"
VOLUME = "com.docker.compose.volume"
# The compose release whose behaviour this follows (and whose version compose reads back).
COMPOSE_VERSION = "2.40.3"


def _of(project: str, **more: str) -> dict[str, list[str]]:
    labels = [f"{PROJECT}={project}", *(f"{k}={v}" for k, v in more.items())]
    return {"label": labels}


@dataclass
class Outcome:
    """What ``up`` or ``down`` did, a line per resource as compose prints them."""

    lines: list[str] = field(default_factory=list)

    def say(self, kind: str, name: str, what: str) -> None:
        self.lines.append(f"{kind} {name}  {what}")


def order(project: Project) -> list[str]:
    """The services, each after what it depends on (compose's order); a cycle is an error."""
    services = project.services
    done: list[str] = []

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in done:
            return
        if name in path:
            raise OptionError(f"services: a dependency cycle ({' -> '.join((*path, name))})")
        for dependency in services[name].get("depends_on") or {}:
            if dependency in services:
                visit(dependency, (*path, name))
        done.append(name)

    for name in sorted(services):
        visit(name, ())
    return done


def _hash(value: Any) -> str:
    return hashlib.sha256(go_json(value).encode()).hexdigest()


def up(
    engine: Engine,
    project: Project,
    *,
    start: bool = True,
    force_recreate: bool = False,
    scale: Mapping[str, int] | None = None,
    remove_orphans: bool = False,
    wait: float | None = None,
) -> Outcome:
    """Make ``project`` so on ``engine``: what exists and is current stays as it is. ``scale``
    sets services' replicas; ``remove_orphans`` removes the project's containers of services the
    file no longer has; ``wait`` (seconds) waits until every container runs (and is healthy, if it
    has a healthcheck)."""
    outcome = Outcome()
    for service, count in (scale or {}).items():
        if service not in project.services:
            raise OptionError(f"--scale {service}={count}: no service {service!r}")
        project.services_scaled[service] = count
    if remove_orphans:
        for c in engine.container_list(all=True, filters=_of(project.name)):
            if c["Labels"].get(SERVICE) not in project.services:
                engine.container_delete(c["Id"], force=True, v=True)
                outcome.say("Container", c["Names"][0].lstrip("/"), "Removed (orphan)")
    for key, spec in (project.model.get("networks") or {}).items():
        _network(engine, project, key, spec, outcome)
    for key, spec in (project.model.get("volumes") or {}).items():
        _volume(engine, project, key, spec, outcome)
    ids: dict[str, str] = {}  # each service's first container: what service:NAME refers to
    for service in order(project):
        made = _service(engine, project, service, ids, outcome, force_recreate)
        if made:
            ids[service] = made[0]
        for cid in made if start else []:
            _start(engine, cid, outcome)
    if wait is not None and start:
        _wait(engine, project, wait, outcome)
    return outcome


def _wait(engine: Engine, project: Project, seconds: float, outcome: Outcome) -> None:
    """Until each of the project's containers runs and is healthy where it has a healthcheck."""
    import time

    deadline = time.monotonic() + seconds
    for c in containers(engine, project.name, all=True):
        name = c["Names"][0].lstrip("/")
        while True:
            state = engine.container_inspect(c["Id"])["State"]
            health = (state.get("Health") or {}).get("Status")
            if state["Running"] and health in (None, "healthy"):
                outcome.say("Container", name, "Healthy" if health else "Running")
                break
            if not state["Running"] and state.get("Status") == "exited":
                raise OptionError(f"{name} exited ({state.get('ExitCode')}) while up --wait waited")
            if time.monotonic() > deadline:
                raise OptionError(
                    f"{name} was not {'healthy' if health else 'running'} after {seconds:g}s"
                )
            time.sleep(0.2)


def _network(engine: Engine, project: Project, key: str, spec: Json, outcome: Outcome) -> None:
    name = spec["name"]
    try:
        engine.network_inspect(name)
        return  # as compose: a network that exists is used (external or not)
    except NotFound:
        if spec.get("external"):
            raise OptionError(f"network {name} is external but does not exist") from None
    labels = {
        NETWORK: key,
        PROJECT: project.name,
        VERSION: COMPOSE_VERSION,
        CONFIG_HASH: _hash(spec),
    }
    engine.network_create(network_body(spec, labels))
    outcome.say("Network", name, "Created")


def _volume(engine: Engine, project: Project, key: str, spec: Json, outcome: Outcome) -> None:
    name = spec["name"]
    try:
        engine.volume_inspect(name)
        return
    except NotFound:
        if spec.get("external"):
            raise OptionError(f"volume {name} is external but does not exist") from None
    hashed = spec if spec.get("driver") else {**spec, "driver": "local"}
    labels = {
        VOLUME: key,
        PROJECT: project.name,
        VERSION: COMPOSE_VERSION,
        CONFIG_HASH: _hash(hashed),
    }
    engine.volume_create(volume_body(spec, labels))
    outcome.say("Volume", name, "Created")


def container_name(project: Project, service: str, number: int = 1) -> str:
    spec = project.services[service]
    return str(spec.get("container_name") or f"{project.name}-{service}-{number}")


def replicas(spec: Mapping[str, Any]) -> int:
    """How many containers a service runs: ``deploy.replicas`` or ``scale``, else one."""
    count = (spec.get("deploy") or {}).get("replicas", spec.get("scale", 1))
    return int(1 if count is None else count)


def _service(
    engine: Engine,
    project: Project,
    service: str,
    ids: Mapping[str, str],
    outcome: Outcome,
    force: bool,
) -> list[str]:
    """The service's containers, made or kept (one per replica): their IDs, by number."""
    spec = project.services[service]
    wanted = config_hash(spec, ids)
    found = engine.container_list(all=True, filters=_of(project.name, **{SERVICE: service}))
    current = {
        int(c["Labels"].get(NUMBER) or 1): c for c in found if c["Labels"].get(ONEOFF) != "True"
    }
    count = project.services_scaled.get(service, replicas(spec))
    if count > 1 and spec.get("container_name"):
        raise OptionError(f"services.{service}: container_name names one container, not {count}")
    for number, extra in sorted(current.items()):
        if number > count:  # scaled down
            engine.container_delete(extra["Id"], force=True, v=True)
            outcome.say("Container", extra["Names"][0].lstrip("/"), "Removed")
    made = []
    for number in range(1, count + 1):
        name = container_name(project, service, number)
        old = current.get(number)
        if old is not None and old["Labels"].get(CONFIG_HASH) == wanted and not force:
            made.append(str(old["Id"]))
            continue
        if old is not None:  # (compose carries anonymous volumes over to the new one; not yet)
            engine.container_delete(old["Id"], force=True, v=True)
        made.append(_create(engine, project, service, number, wanted, ids))
        outcome.say("Container", name, "Recreated" if old is not None else "Created")
    return made


def _create(
    engine: Engine, project: Project, service: str, number: int, wanted: str, ids: Mapping[str, str]
) -> str:
    spec = project.services[service]
    name = container_name(project, service, number)
    if "start_interval" in (spec.get("healthcheck") or {}):
        engine.require("1.44", f"services.{service}.healthcheck.start_interval")
    image = engine.image_inspect(str(spec.get("image")))
    labels = {
        **(spec.get("labels") or {}),
        PROJECT: project.name,
        SERVICE: service,
        NUMBER: str(number),
        ONEOFF: "False",
        CONFIG_HASH: wanted,
        WORKING_DIR: str(project.directory),
        CONFIG_FILES: ",".join(str(f) for f in project.files),
        VERSION: COMPOSE_VERSION,
        DEPENDS_ON: _depends_label(spec),
        IMAGE: str(image["Id"]),
    }
    body, extra_networks = container_body(project, service, ids, labels, name)
    created = engine.container_create(body, name=name)
    for network, endpoint in extra_networks:
        engine.network_connect(network, created["Id"], endpoint)
    return str(created["Id"])


def _depends_label(spec: Mapping[str, Any]) -> str:
    """compose's depends_on label: ``service:condition:restart`` for each, comma separated."""
    parts = [
        f"{name}:{how.get('condition')}:{str(bool(how.get('restart'))).lower()}"
        for name, how in (spec.get("depends_on") or {}).items()
    ]
    return ",".join(parts)


def _start(engine: Engine, cid: str, outcome: Outcome) -> None:
    info = engine.container_inspect(cid)
    if not info["State"]["Running"]:
        engine.container_start(cid)
        outcome.say("Container", info["Name"].lstrip("/"), "Started")


def down(
    engine: Engine, name: str, *, volumes: bool = False, timeout: int | None = None
) -> Outcome:
    """Stop (``timeout`` seconds, or each container's own stop timeout, before SIGKILL) and remove
    project ``name``'s containers (one-off ones too) and networks; with ``volumes``, its volumes.
    Found by compose's labels, so a project either tool made goes."""
    outcome = Outcome()
    found = engine.container_list(all=True, filters=_of(name))
    for c in found:
        if c["State"] in ("running", "paused", "restarting"):
            engine.container_stop(c["Id"], t=timeout)
            outcome.say("Container", c["Names"][0].lstrip("/"), "Stopped")
    for c in found:  # with -v, the anonymous volumes they hold too, as compose does
        engine.container_delete(c["Id"], force=True, v=volumes)
        outcome.say("Container", c["Names"][0].lstrip("/"), "Removed")
    for n in engine.network_list(filters=_of(name)):
        engine.network_delete(n["Id"])
        outcome.say("Network", n["Name"], "Removed")
    if volumes:
        for v in engine.volume_list(filters=_of(name)).get("Volumes") or []:
            engine.volume_delete(v["Name"])
            outcome.say("Volume", v["Name"], "Removed")
    return outcome


def containers(
    engine: Engine, name: str, *, all: bool = False, services: Iterable[str] = ()
) -> list[Json]:
    """Project ``name``'s containers (running ones unless ``all``; of ``services`` if given),
    by name."""
    wanted = set(services)
    found = engine.container_list(all=all, filters=_of(name))
    chosen = [c for c in found if not wanted or c["Labels"].get(SERVICE) in wanted]
    return sorted(chosen, key=lambda c: c["Names"][0])


def container_of(engine: Engine, name: str, service: str, index: int = 1) -> str:
    """The ID of ``service``'s container number ``index`` (what exec, port and logs act on)."""
    found = engine.container_list(
        all=True, filters=_of(name, **{SERVICE: service, NUMBER: str(index)})
    )
    mine = [c for c in found if c["Labels"].get(ONEOFF) != "True"]
    if not mine:
        raise OptionError(f"service {service!r} of project {name!r} has no container {index}")
    return str(mine[0]["Id"])


def projects(engine: Engine) -> list[Json]:
    """The projects on the engine, as ``docker compose ls -a`` lists them."""
    found: dict[str, Json] = {}
    for c in engine.container_list(all=True, filters={"label": [PROJECT]}):
        labels = c.get("Labels") or {}
        entry = found.setdefault(
            labels[PROJECT], {"Name": labels[PROJECT], "states": {}, "ConfigFiles": ""}
        )
        entry["states"][c["State"]] = entry["states"].get(c["State"], 0) + 1
        entry["ConfigFiles"] = labels.get(CONFIG_FILES, entry["ConfigFiles"])
    out = []
    for name in sorted(found):
        entry = found[name]
        status = ", ".join(f"{s}({n})" for s, n in sorted(entry.pop("states").items()))
        out.append({"Name": name, "Status": status, "ConfigFiles": entry["ConfigFiles"]})
    return out
