"""``compose run``: a one-off container of a service, as compose makes one: named
``PROJECT-SERVICE-run-SLUG``, labelled one-off (so ``up`` and ``ps`` leave it alone and
``down`` removes it), without the service's ports (unless asked), restart policy or aliases,
after the service's dependencies are up and meet their conditions."""

from __future__ import annotations

import copy
import dataclasses
import secrets
import shlex
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..engine import Engine
from ..errors import OptionError
from . import files, waiting
from .containers import body, connect
from .labels import SERVICE, SLUG, of, regular
from .model import Json, Project
from .project import Outcome, selected, up


@dataclass
class RunOptions:
    """What ``compose run`` changes in the service for its one-off container."""

    command: Sequence[str] = ()
    entrypoint: str | None = None
    environment: Sequence[str] = ()
    labels: Sequence[str] = ()
    name: str | None = None
    user: str | None = None
    workdir: str | None = None
    publish: Sequence[str] = ()
    service_ports: bool = False
    volumes: Sequence[str] = field(default_factory=list)
    cap_add: Sequence[str] = ()
    cap_drop: Sequence[str] = ()


def _pairs(entries: Iterable[str], what: str) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for entry in entries:
        key, sep, value = entry.partition("=")
        if not key:
            raise OptionError(f"invalid {what} {entry!r} (write KEY=VALUE)")
        out[key] = value if sep else None
    return out


def one_off_spec(project: Project, service: str, options: RunOptions, slug: str) -> Json:
    """The service as its one-off container runs it (compose's ``applyRunOptions``)."""
    from .model import ports, volumes

    spec = copy.deepcopy(project.services[service])
    spec["container_name"] = options.name or f"{project.name}-{service}-run-{slug[:12]}"
    spec["tty"], spec["stdin_open"] = False, False  # a cell has no terminal and gives no input
    spec.pop("restart", None)
    (spec.get("deploy") or {}).pop("restart_policy", None)
    if not options.service_ports:
        spec.pop("ports", None)
    if options.publish:
        spec["ports"] = [*(spec.get("ports") or []), *ports(options.publish)]
    if options.volumes:
        added = volumes(options.volumes, project.directory)
        spec["volumes"] = [*(spec.get("volumes") or []), *added]
    if options.command:
        spec["command"] = list(options.command)
    if options.entrypoint is not None:
        spec["entrypoint"] = shlex.split(options.entrypoint)
        if not options.command:
            spec["command"] = []
    for key, value in (("user", options.user), ("working_dir", options.workdir)):
        if value:
            spec[key] = value
    if options.cap_add:
        spec["cap_add"] = [*(spec.get("cap_add") or []), *options.cap_add]
        spec["cap_drop"] = [c for c in spec.get("cap_drop") or [] if c not in options.cap_add]
    if options.cap_drop:
        spec["cap_drop"] = [*(spec.get("cap_drop") or []), *options.cap_drop]
        spec["cap_add"] = [c for c in spec.get("cap_add") or [] if c not in options.cap_drop]
    environment = dict(spec.get("environment") or {})
    for key, value in _pairs(options.environment, "-e").items():
        value = project.environment.get(key) if value is None else value
        if value is not None:
            environment[key] = value
    if environment:
        spec["environment"] = environment
    labels = {**(spec.get("labels") or {}), **_pairs(options.labels, "-l")}
    if labels:
        spec["labels"] = {k: v or "" for k, v in labels.items()}
    return spec


@dataclass
class Prepared:
    """A one-off container's create body, its name, and what to do once it exists."""

    engine: Engine
    project: Project
    service: str
    name: str
    body: Json
    networks: list[tuple[str, Json]]

    def created(self, cid: str) -> None:
        """Join its other networks and write its secrets and configs in, before it starts."""
        connect(self.engine, cid, self.networks)
        files.inject(self.engine, self.project, self.service, cid)


def prepare(
    engine: Engine,
    project: Project,
    service: str,
    options: RunOptions,
    *,
    no_deps: bool = False,
    remove: bool = False,
    outcome: Outcome | None = None,
) -> Prepared:
    """Bring up what ``service`` depends on (unless ``no_deps``), wait for their conditions,
    and make the one-off container's create body."""
    if service not in project.services:
        raise OptionError(f"no such service: {service}")
    needs = [s for s in selected(project, [service]) if s != service]
    if needs and not no_deps:
        report = outcome.report if outcome is not None else None
        up(engine, project, services=needs, report=report)
    slug = secrets.token_hex(32)
    spec = one_off_spec(project, service, options, slug)
    model = {**project.model, "services": {**project.services, service: spec}}
    running = dataclasses.replace(project, model=model)
    made = {
        name: [
            str(c["Id"])
            for c in regular(
                engine.container_list(all=True, filters=of(project.name, **{SERVICE: name}))
            )
        ]
        for name in needs
    }
    if not no_deps:
        waiting.for_dependencies(
            engine,
            service,
            spec.get("depends_on") or {},
            made,
            threading.Event(),
            warn=outcome.warn if outcome is not None else (lambda _: None),
        )
    ids = {name: found[0] for name, found in made.items() if found}
    create, networks = body(engine, running, service, None, ids, labels={SLUG: slug})
    if remove:
        create.setdefault("HostConfig", {})["AutoRemove"] = True
    return Prepared(engine, running, service, str(spec["container_name"]), create, networks)


def start_detached(prepared: Prepared) -> str:
    """Create and start the one-off container in the background: its ID."""
    engine = prepared.engine
    platform = prepared.project.services[prepared.service].get("platform")
    cid = str(engine.container_create(prepared.body, name=prepared.name, platform=platform)["Id"])
    prepared.created(cid)
    engine.container_start(cid)
    return cid
