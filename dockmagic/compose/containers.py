"""A service's containers, as compose converges them: one per replica, numbered; kept when their
config hash is current, else replaced (the new one made under a temporary name with the old
one's anonymous volumes, the old one removed, the new one renamed); started with their secrets
and configs written in."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..engine import Engine
from ..errors import OptionError
from . import files
from .convert import container_body, image_of
from .labels import (
    COMPOSE_VERSION,
    CONFIG_FILES,
    CONFIG_HASH,
    DEPENDS_ON,
    IMAGE,
    NUMBER,
    ONEOFF,
    PROJECT,
    REPLACE,
    SERVICE,
    VERSION,
    WORKING_DIR,
    depends_on,
    name_of,
    of,
    regular,
)
from .model import Json, Project, config_hash

Say = Callable[[str, str], None]  # (container name, what happened)


def container_name(project: Project, service: str, number: int = 1) -> str:
    spec = project.services[service]
    return str(spec.get("container_name") or f"{project.name}-{service}-{number}")


def replicas(spec: Mapping[str, Any]) -> int:
    """How many containers a service runs: ``deploy.replicas`` or ``scale``, else one."""
    count = (spec.get("deploy") or {}).get("replicas", spec.get("scale", 1))
    return int(1 if count is None else count)


def scale(project: Project, service: str) -> int:
    """The service's replicas as this ``up`` runs it (``--scale`` over the file)."""
    return project.services_scaled.get(service, replicas(project.services[service]))


@dataclass(frozen=True)
class Recreate:
    """When ``up`` replaces a service's containers: ``force`` always, ``never`` not even when
    their config changed; ``timeout``: the seconds an old one has to stop."""

    force: bool = False
    never: bool = False
    timeout: int | None = None


def converge(
    engine: Engine,
    project: Project,
    service: str,
    ids: Mapping[str, str],
    say: Say,
    how: Recreate,
    before_replacing: Callable[[], None] = lambda: None,
) -> list[str]:
    """The service's containers, made, kept or replaced (one per replica): their IDs, by number.
    ``ids`` has the first container of each service made so far (what ``service:NAME`` means);
    ``before_replacing`` is called before each container is replaced."""
    spec = project.services[service]
    wanted = config_hash(spec, ids)
    found = engine.container_list(all=True, filters=of(project.name, **{SERVICE: service}))
    current = {int(c["Labels"].get(NUMBER) or 1): c for c in regular(found)}
    count = scale(project, service)
    if count > 1 and spec.get("container_name"):
        raise OptionError(f"services.{service}: container_name names one container, not {count}")
    for number, extra in sorted(current.items()):
        if number > count:  # scaled down
            engine.container_delete(extra["Id"], force=True, v=True)
            say(name_of(extra), "Removed")
    made = []
    for number in range(1, count + 1):
        name = container_name(project, service, number)
        old = current.get(number)
        if old is None:
            made.append(create(engine, project, service, number, ids))
            say(name, "Created")
        elif how.never or (old["Labels"].get(CONFIG_HASH) == wanted and not how.force):
            made.append(str(old["Id"]))
            if old["State"] == "running":
                say(name, "Running")
        else:
            before_replacing()
            made.append(_recreate(engine, project, service, number, ids, old, how))
            say(name, "Recreated")
    return made


def _recreate(
    engine: Engine,
    project: Project,
    service: str,
    number: int,
    ids: Mapping[str, str],
    old: Json,
    how: Recreate,
) -> str:
    """Replace ``old`` as compose does: the new container is made under a temporary name with
    the old one's anonymous volumes, the old one stopped and removed, the new one renamed."""
    spec = project.services[service]
    info = engine.container_inspect(old["Id"])
    created = create(
        engine,
        project,
        service,
        number,
        ids,
        name=f"{str(old['Id'])[:12]}_{container_name(project, service, number)}",
        inherited=_anonymous_volumes(engine, project, service, info),
        labels={REPLACE: str(spec.get("container_name") or f"{service}-{number}")},
    )
    engine.container_stop(old["Id"], t=how.timeout)
    engine.container_delete(old["Id"])
    engine.container_rename(created, container_name(project, service, number))
    return created


def _anonymous_volumes(engine: Engine, project: Project, service: str, old: Json) -> list[Json]:
    """The old container's anonymous volumes (its image's, and the service's volumes without a
    source), as mounts for the container that replaces it: their data stays."""
    spec = project.services[service]
    anonymous = {
        v["target"]
        for v in spec.get("volumes") or []
        if v["type"] == "volume" and not v.get("source")
    }
    image = engine.image_inspect(image_of(project, service))
    anonymous |= set((image.get("Config") or {}).get("Volumes") or {})
    return [
        {
            "Type": m["Type"],
            "Source": m["Name"] if m["Type"] == "volume" else m["Source"],
            "Target": m["Destination"],
            "ReadOnly": not m.get("RW", True),
        }
        for m in old.get("Mounts") or []
        if m["Type"] != "tmpfs" and m["Destination"] in anonymous
    ]


def container_labels(
    project: Project, service: str, number: int | None, ids: Mapping[str, str], image: str | None
) -> Json:
    """The labels compose writes on ``service``'s container ``number`` (None: a one-off one):
    the file's, then compose's own; ``image``: the ID of the image it runs, if known."""
    spec = project.services[service]
    return {
        **(spec.get("labels") or {}),
        PROJECT: project.name,
        SERVICE: service,
        **({NUMBER: str(number)} if number is not None else {}),
        ONEOFF: "True" if number is None else "False",
        CONFIG_HASH: config_hash(spec, ids),
        WORKING_DIR: str(project.directory),
        CONFIG_FILES: ",".join(str(f) for f in project.files),
        VERSION: COMPOSE_VERSION,
        DEPENDS_ON: depends_on(spec),
        **({IMAGE: image} if image else {}),
    }


def body(
    engine: Engine,
    project: Project,
    service: str,
    number: int | None,
    ids: Mapping[str, str],
    *,
    inherited: list[Json] | None = None,
    labels: Mapping[str, str] | None = None,
) -> tuple[Json, list[tuple[str, Json]]]:
    """The create body of ``service``'s container ``number`` with compose's labels (a one-off
    container has no number, and only its own name as an alias), and the networks to connect
    it to after it is made."""
    spec = project.services[service]
    if "start_interval" in (spec.get("healthcheck") or {}):
        engine.require("1.44", f"services.{service}.healthcheck.start_interval")
    image = engine.image_inspect(image_of(project, service))
    labelled = {
        **container_labels(project, service, number, ids, str(image["Id"])),
        **(labels or {}),
    }
    name = container_name(project, service, number or 1)
    return container_body(
        project,
        service,
        ids,
        labelled,
        name,
        inherited=inherited or [],
        aliases=number is not None,
        links=links(project, service, number, _existing(engine, project)),
    )


def links(
    project: Project, service: str, number: int | None, names: Callable[[str], list[str]]
) -> list[str]:
    """``Links`` as compose writes them: each container of a linked service (``names(service)``)
    under the link's name and as ``SERVICE-N`` and ``PROJECT-SERVICE-N`` (N: this container's
    number); a one-off container linked to its own service's containers; external links as
    written."""
    spec = project.services[service]
    n = number or 1
    out: list[str] = []
    for link in spec.get("links") or []:
        other, _, alias = str(link).partition(":")
        for c in names(other):
            out += [f"{c}:{alias or other}", f"{c}:{other}-{n}", f"{c}:{project.name}-{other}-{n}"]
    if number is None:
        for c in names(service):
            out += [f"{c}:{service}", f"{c}:{c.removeprefix(project.name + '-')}", f"{c}:{c}"]
    for link in spec.get("external_links") or []:
        other, _, alias = str(link).partition(":")
        out.append(f"{other}:{alias or other}")
    return out


def _existing(engine: Engine, project: Project) -> Callable[[str], list[str]]:
    """The names of a service's containers on the engine (what ``links`` links to)."""

    def names(service: str) -> list[str]:
        found = engine.container_list(all=True, filters=of(project.name, **{SERVICE: service}))
        return sorted(name_of(c) for c in regular(found))

    return names


def create(
    engine: Engine,
    project: Project,
    service: str,
    number: int,
    ids: Mapping[str, str],
    *,
    name: str | None = None,
    inherited: list[Json] | None = None,
    labels: Mapping[str, str] | None = None,
) -> str:
    """Create container ``number`` of ``service`` (as ``name``, if given: a temporary name)."""
    made, extra_networks = body(
        engine, project, service, number, ids, inherited=inherited, labels=labels
    )
    created = engine.container_create(
        made,
        name=name or container_name(project, service, number),
        platform=project.services[service].get("platform"),
    )
    connect(engine, str(created["Id"]), extra_networks)
    return str(created["Id"])


def connect(engine: Engine, cid: str, networks: list[tuple[str, Json]]) -> None:
    """Join a new container to its networks past the first (the create body takes one only)."""
    for network, endpoint in networks:
        engine.network_connect(network, cid, endpoint)


def start(
    engine: Engine, project: Project, service: str, cid: str, say: Say, lock: threading.Lock
) -> None:
    """Start ``cid`` unless it runs, its inline and environment secrets and configs written in
    first (as compose, before each start); one start at a time (``lock``): the engine's choice
    of ports from a range races otherwise."""
    info = engine.container_inspect(cid)
    if info["State"]["Running"]:
        return
    files.inject(engine, project, service, cid)
    with lock:
        engine.container_start(cid)
    hooks(engine, project, service, cid, "post_start")
    say(name_of(info), "Started")


def hooks(engine: Engine, project: Project, service: str, cid: str, kind: str) -> None:
    """Run the service's ``kind`` hooks (post_start, pre_stop) in ``cid``, as compose runs them
    for ``up -d``: quietly, each to its end; one that fails fails the command."""
    from ..errors import ContainerFailed
    from ..helpers.containers.execs import exec_

    if getattr(engine, "dry_run", False):
        return  # a pretended container runs no command
    for hook in project.services[service].get(kind) or []:
        ran = exec_(
            cid,
            hook["command"],
            user=hook.get("user"),
            workdir=hook.get("working_dir"),
            env=hook.get("environment"),
            privileged=bool(hook.get("privileged")),
            quiet=True,
            engine=engine,
        )
        if ran.exit_code:
            raise ContainerFailed(f"the {service} {kind} hook", ran.exit_code or 0)
