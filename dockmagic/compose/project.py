"""A Compose project on an engine, as docker compose v2 keeps one: what it made is found by the
labels compose writes (project, service, number, config hash, ...), so that either tool's ``up``
finds the other's containers current and either tool's ``down`` removes the other's project.

``up`` makes the networks and volumes, then each service's containers once what it depends on
is made, then starts each once its dependencies meet their ``depends_on`` conditions
(independent services at once); ``down`` removes them in the reverse order."""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..engine import Engine
from ..errors import Conflict, NotFound, OptionError
from . import ordering, waiting
from .containers import Recreate, converge, hooks, scale, start
from .convert import network_body, volume_body
from .labels import (
    COMPOSE_VERSION,
    CONFIG_FILES,
    CONFIG_HASH,
    DEPENDS_ON,
    IMAGE,
    NETWORK,
    NUMBER,
    ONEOFF,
    PROJECT,
    SERVICE,
    SLUG,
    VERSION,
    VOLUME,
    name_of,
    of,
    regular,
)
from .model import Json, Project, go_json

__all__ = [
    "COMPOSE_VERSION",
    "IMAGE",
    "NUMBER",
    "ONEOFF",
    "PROJECT",
    "SERVICE",
    "SLUG",
    "Outcome",
    "container_of",
    "containers",
    "down",
    "of",
    "projects",
    "selected",
    "stop",
    "up",
]


@dataclass
class Outcome:
    """What a command did, a line per resource as compose prints them; ``report`` (if given) is
    told each line as it happens, so that a cell shows progress live."""

    lines: list[str] = field(default_factory=list)
    report: Callable[[str], None] | None = field(default=None, repr=False)
    # (kind, name, what) of each resource met: what was done to it, or "Kept" (found as asked)
    events: list[tuple[str, str, str]] = field(default_factory=list)

    def say(self, kind: str, name: str, what: str) -> None:
        self.events.append((kind, name, what))
        self._tell(f"{kind} {name}  {what}")

    def kept(self, kind: str, name: str) -> None:
        """A resource found as the file asks: nothing said (compose says nothing), but counted."""
        self.events.append((kind, name, "Kept"))

    def container(self, name: str, what: str) -> None:
        self.say("Container", name, what)

    def warn(self, text: str) -> None:
        self._tell(f"WARN {text}")

    def _tell(self, line: str) -> None:
        self.lines.append(line)
        if self.report is not None:
            self.report(line)


def selected(project: Project, services: Iterable[str] = ()) -> dict[str, Json]:
    """The services named (with all they depend on, as compose brings them), or all of them."""
    wanted = list(services)
    if not wanted:
        return project.services
    chosen: dict[str, Json] = {}
    while wanted:
        name = wanted.pop()
        if name not in project.services:
            raise OptionError(f"no such service: {name}")
        if name not in chosen:
            chosen[name] = project.services[name]
            wanted += [d for d in chosen[name].get("depends_on") or {} if d in project.services]
    return chosen


def up(
    engine: Engine,
    project: Project,
    *,
    services: Iterable[str] = (),
    start_them: bool = True,
    force_recreate: bool = False,
    no_recreate: bool = False,
    scaled: Mapping[str, int] | None = None,
    remove_orphans: bool = False,
    wait: float | None = None,
    timeout: int | None = None,
    build: bool | None = False,
    pull: str | None = None,
    report: Callable[[str], None] | None = None,
) -> Outcome:
    """Make ``project`` (or ``services`` and what they depend on) so on ``engine``, as compose's
    ``up -d``: networks and volumes, then each service's containers once its dependencies are made,
    then each service started once its dependencies meet their ``depends_on`` conditions;
    independent services at once. ``scaled`` sets replicas; ``remove_orphans`` removes containers
    of services the file no longer has; ``wait`` (seconds) waits until every container runs
    (healthy, if it has a healthcheck; exited with 0, if a dependant waits for that); ``timeout``
    is the seconds a replaced container has to stop; ``build``: build every buildable image
    first (False: only missing ones, as pull_policy says; None: none); ``pull``: the pull policy
    for every service (``always``, ``missing``, ``never``, ``build``)."""
    from .images import ensure

    outcome = Outcome(report=report)
    for service, count in (scaled or {}).items():
        if service not in project.services:
            raise OptionError(f"--scale {service}={count}: no such service: {service}")
        project.services_scaled[service] = count
    chosen = selected(project, services)
    graph = ordering.dependencies(chosen)
    ordering.check_acyclic(graph)  # before anything is made
    if build is not None:
        ensure(engine, project, sorted(chosen), build_all=build, policy=pull, outcome=outcome)
    if remove_orphans:
        _remove_orphans(engine, project, outcome)
    for key, spec in (project.model.get("networks") or {}).items():
        _network(engine, project, key, spec, outcome)
    for key, spec in (project.model.get("volumes") or {}).items():
        _volume(engine, project, key, spec, outcome)
    made: dict[str, list[str]] = {}  # each service's containers, by number
    how = Recreate(force=force_recreate, never=no_recreate, timeout=timeout)

    def make(service: str, halt: threading.Event) -> None:
        ids = {name: found[0] for name, found in list(made.items()) if found}

        def stop_dependents() -> None:  # compose starts them again with the rest
            dependents = restarted_with(project.services, [service]) - {service}
            if dependents:
                stop(engine, project.name, services=dependents, outcome=outcome, project=project)

        made[service] = converge(
            engine, project, service, ids, outcome.container, how, before_replacing=stop_dependents
        )

    ordering.walk(graph, make)
    if start_them:
        _start_all(engine, project, chosen, made, outcome)
        if wait is not None:
            _wait(engine, project, made, wait, outcome)
    return outcome


def _start_all(
    engine: Engine,
    project: Project,
    chosen: Mapping[str, Json],
    made: Mapping[str, list[str]],
    outcome: Outcome,
) -> None:
    """Start each service once what it depends on meets its condition (a dependency scaled to
    nothing is not waited for)."""
    starting = threading.Lock()

    def begin(service: str, stop: threading.Event) -> None:
        needs = {
            name: how
            for name, how in (chosen[service].get("depends_on") or {}).items()
            if name not in project.services or scale(project, name) != 0
        }
        waiting.for_dependencies(engine, service, needs, made, stop, warn=outcome.warn)
        for cid in made[service]:
            if not stop.is_set():
                start(engine, project, service, cid, outcome.container, starting)

    ordering.walk(ordering.dependencies(chosen), begin)


def _remove_orphans(engine: Engine, project: Project, outcome: Outcome) -> None:
    for c in engine.container_list(all=True, filters=of(project.name)):
        if c["Labels"].get(SERVICE) not in project.services:
            engine.container_delete(c["Id"], force=True, v=True)
            outcome.container(name_of(c), "Removed (orphan)")


def _wait(
    engine: Engine, project: Project, made: Mapping[str, list[str]], seconds: float, out: Outcome
) -> None:
    """``up --wait``: until every service runs or is healthy; a one-shot service that another
    waits on to complete, until it has exited (with 0)."""
    deadline = time.monotonic() + seconds
    awaited = {
        dependency
        for spec in project.services.values()
        for dependency, how in (spec.get("depends_on") or {}).items()
        if how.get("condition") == waiting.COMPLETED
    }
    for service, ids in sorted(made.items()):
        condition = waiting.COMPLETED if service in awaited else waiting.RUNNING_OR_HEALTHY
        what = f"application not healthy after {seconds:g}s"
        waiting.until(engine, condition, service, ids, threading.Event(), deadline, what)
        for cid in ids:
            name = name_of(engine.container_inspect(cid))
            out.container(name, "Exited" if service in awaited else "Healthy")


def _hash(value: Any) -> str:
    return hashlib.sha256(go_json(value).encode()).hexdigest()


def network_labels(project: Project, key: str, spec: Json) -> Json:
    """The labels compose writes on network ``key``, its config hash among them."""
    return {NETWORK: key, PROJECT: project.name, VERSION: COMPOSE_VERSION, CONFIG_HASH: _hash(spec)}


def volume_labels(project: Project, key: str, spec: Json) -> Json:
    """The labels compose writes on volume ``key`` (its hash taken with the driver it gets)."""
    hashed = spec if spec.get("driver") else {**spec, "driver": "local"}
    return {
        VOLUME: key,
        PROJECT: project.name,
        VERSION: COMPOSE_VERSION,
        CONFIG_HASH: _hash(hashed),
    }


def _network(engine: Engine, project: Project, key: str, spec: Json, outcome: Outcome) -> None:
    name = spec["name"]
    try:
        engine.network_inspect(name)
        outcome.kept("Network", name)
        return  # as compose: a network that exists is used (external or not)
    except NotFound:
        if spec.get("external"):
            raise OptionError(f"network {name} is external but does not exist") from None
    engine.network_create(network_body(spec, network_labels(project, key, spec)))
    outcome.say("Network", name, "Created")


def _volume(engine: Engine, project: Project, key: str, spec: Json, outcome: Outcome) -> None:
    name = spec["name"]
    try:
        engine.volume_inspect(name)
        outcome.kept("Volume", name)
        return
    except NotFound:
        if spec.get("external"):
            raise OptionError(f"volume {name} is external but does not exist") from None
    engine.volume_create(volume_body(spec, volume_labels(project, key, spec)))
    outcome.say("Volume", name, "Created")


def _services_of(found: list[Json]) -> dict[str, Json]:
    """The services a project's containers belong to, with the dependencies their labels name
    (``service:condition:restart``: what ``down`` and ``restart`` order by; they need no file)."""
    services: dict[str, Json] = {}
    for c in found:
        labels = c.get("Labels") or {}
        entry = services.setdefault(labels.get(SERVICE, ""), {"depends_on": {}})
        for part in (labels.get(DEPENDS_ON) or "").split(","):
            if part:
                needed, _, how = part.partition(":")
                entry["depends_on"][needed] = {"restart": how.rpartition(":")[2] == "true"}
    return services


def restarted_with(services: Mapping[str, Json], chosen: Iterable[str]) -> set[str]:
    """``chosen`` and, over and over, the services that depend on one of them with
    ``restart: true``: what compose restarts (or stops, before it replaces) along with them."""
    out = set(chosen)
    grown = True
    while grown:
        more = {
            name
            for name, spec in services.items()
            for needed, how in (spec.get("depends_on") or {}).items()
            if needed in out and (how or {}).get("restart")
        }
        grown = bool(more - out)
        out |= more
    return out


def restart(
    engine: Engine,
    name: str,
    *,
    services: Iterable[str] = (),
    timeout: int | None = None,
    no_deps: bool = False,
    outcome: Outcome | None = None,
) -> Outcome:
    """Restart project ``name``'s containers as compose does: of ``services`` (all, if none) and
    of those that depend on them with ``restart: true`` (not with ``no_deps``), each service
    after its dependencies."""
    outcome = outcome or Outcome()
    found = containers(engine, name, all=True)
    known = _services_of(found)
    asked = set(services) or set(known)
    # a service given that has no container has nothing to restart
    chosen = (asked if no_deps else restarted_with(known, asked)) & set(known)
    graph = {
        service: {
            needed
            for needed, how in known[service]["depends_on"].items()
            if needed in chosen and how.get("restart")
        }
        for service in chosen
    }

    def one(service: str, halt: threading.Event) -> None:
        for c in found:
            if (c.get("Labels") or {}).get(SERVICE, "") == service and not halt.is_set():
                engine.container_restart(c["Id"], t=timeout)
                outcome.container(name_of(c), "Restarted")

    ordering.walk(graph, one)
    return outcome


def stop(
    engine: Engine,
    name: str,
    *,
    services: Iterable[str] = (),
    timeout: int | None = None,
    kill: bool = False,
    remove: bool = False,
    volumes: bool = False,
    outcome: Outcome | None = None,
    project: Project | None = None,
) -> Outcome:
    """Stop project ``name``'s containers (of ``services``, if given) as compose does: each
    service once those that depend on it are stopped, independent ones at once; ``timeout``
    seconds (or each container's own stop timeout) before SIGKILL, or ``kill`` at once. With
    ``remove`` they are removed too (with ``volumes``, their anonymous volumes). With the
    ``project`` (its file), each service's ``pre_stop`` hooks run before its containers stop."""
    outcome = outcome or Outcome()
    found = containers(engine, name, all=True, services=services)
    graph = ordering.reversed_graph(ordering.dependencies(_services_of(found)))

    def one(service: str, halt: threading.Event) -> None:
        mine = [c for c in found if (c.get("Labels") or {}).get(SERVICE, "") == service]
        for c in mine:
            if c["State"] in ("running", "paused", "restarting") and not halt.is_set():
                if project is not None and service in project.services and not kill:
                    with contextlib.suppress(NotFound, Conflict):  # gone or stopped meanwhile
                        hooks(engine, project, service, str(c["Id"]), "pre_stop")
                if kill:
                    engine.container_kill(c["Id"])
                else:
                    engine.container_stop(c["Id"], t=timeout)
                outcome.container(name_of(c), "Killed" if kill else "Stopped")
        for c in mine if remove else []:
            engine.container_delete(c["Id"], force=True, v=volumes)
            outcome.container(name_of(c), "Removed")

    ordering.walk(graph, one)
    return outcome


def down(
    engine: Engine,
    name: str,
    *,
    volumes: bool = False,
    timeout: int | None = None,
    rmi: str | None = None,
    report: Callable[[str], None] | None = None,
    project: Project | None = None,
) -> Outcome:
    """Stop (``timeout`` seconds, or each container's own stop timeout, before SIGKILL) and remove
    project ``name``'s containers (one-off ones too), each service once those that depend on it
    are gone, independent ones at once; then its networks; with ``volumes``, its volumes and
    the containers' anonymous volumes; with ``rmi`` ``local``, the images ``build`` named
    ``PROJECT-SERVICE``, with ``all``, every image they ran. Found by compose's labels: either
    tool's project goes."""
    if rmi not in (None, "local", "all"):
        raise OptionError(f"invalid --rmi {rmi!r} (local or all)")
    outcome = Outcome(report=report)
    used = {  # the images the containers ran, asked only when they are to go too
        str(c["Image"]): (c.get("Labels") or {}).get(SERVICE, "")
        for c in (containers(engine, name, all=True) if rmi else [])
    }
    stop(
        engine, name, timeout=timeout, remove=True, volumes=volumes, outcome=outcome,
        project=project,
    )  # fmt: skip
    for image, service in sorted(used.items()) if rmi else []:
        if rmi == "all" or image.split(":")[0] == f"{name}-{service}":
            try:
                engine.image_delete(image)
                outcome.say("Image", image, "Removed")
            except NotFound:
                pass
    for n in engine.network_list(filters=of(name)):
        engine.network_delete(n["Id"])
        outcome.say("Network", n["Name"], "Removed")
    if volumes:
        for v in engine.volume_list(filters=of(name)).get("Volumes") or []:
            engine.volume_delete(v["Name"])
            outcome.say("Volume", v["Name"], "Removed")
    return outcome


def containers(
    engine: Engine, name: str, *, all: bool = False, services: Iterable[str] = ()
) -> list[Json]:
    """Project ``name``'s containers (running ones unless ``all``; of ``services`` if given),
    by name."""
    wanted = set(services)
    found = engine.container_list(all=all, filters=of(name))
    chosen = [c for c in found if not wanted or c["Labels"].get(SERVICE) in wanted]
    return sorted(chosen, key=lambda c: c["Names"][0])


def container_of(engine: Engine, name: str, service: str, index: int = 1) -> str:
    """The ID of ``service``'s container number ``index`` (what exec, port and logs act on)."""
    found = engine.container_list(
        all=True, filters=of(name, **{SERVICE: service, NUMBER: str(index)})
    )
    mine = regular(found)
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
