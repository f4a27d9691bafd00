"""Swarm stacks (``docker stack deploy / ls / services / ps / rm``): a Compose file's services,
networks, secrets and configs on a swarm, named and labelled as the docker CLI makes them, so the
CLI and dockmagic see and change the same stacks."""

from __future__ import annotations

import base64
import os
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ...engine import Engine
from ...errors import DockerError, HostFileError, NotFound, OperationFailed
from ...options.swarm.composefile import parsed
from ...options.swarm.stack import IMAGE_LABEL, NAMESPACE, StackPlan, stack_plan
from ...render.table import Column, Table
from ..engines.labels import stamps
from ..engines.session import engine_for
from .services import converge, resolved, service_ps, services

RESOLVE = ("always", "changed", "never")


def _of(name: str) -> dict[str, list[str]]:
    return {"label": [f"{NAMESPACE}={name}"]}


def load_compose(
    path: str | os.PathLike[str] | None = None, text: str | Mapping[str, Any] | None = None
) -> tuple[Mapping[str, Any], Path]:
    """A Compose file, from ``path`` or given as ``text`` (YAML, or the mapping itself), and the
    folder its relative paths start from (the file's, or the current one)."""
    if (path is None) == (text is None):
        raise OperationFailed("give one compose file: a path, or its text")
    if path is None:
        return parsed(text or ""), Path.cwd()
    where = Path(path).expanduser()
    try:
        source = where.read_text(encoding="utf-8")
    except OSError as exc:
        raise HostFileError(
            f"cannot read the compose file {str(where)!r}: {exc.strerror or exc}"
        ) from None
    return parsed(source), where.resolve().parent


def stack_deploy(
    name: str,
    compose_file: str | os.PathLike[str] | None = None,
    *,
    compose: str | Mapping[str, Any] | None = None,
    prune: bool = False,
    resolve_image: str = "always",
    detach: bool = True,
    quiet: bool = False,
    engine: Engine | None = None,
) -> list[str]:
    """``docker stack deploy -c FILE NAME``: create what ``compose_file`` (or ``compose``, its YAML
    text or mapping) describes, update the services that are there already (``prune``: remove the
    stack's services the file no longer has). What was done, a line each, as the CLI says it; without
    ``detach``, waits until every service converged."""
    if resolve_image not in RESOLVE:
        raise OperationFailed(f"--resolve-image {resolve_image!r} (always, changed or never)")
    data, base = load_compose(compose_file, compose)
    plan = stack_plan(name, data, base)
    engine = engine_for(engine)
    if not (engine.system_info().get("Swarm") or {}).get("ControlAvailable"):
        raise OperationFailed("this engine is not a swarm manager (%docker swarm init makes one)")
    said: list[str] = []

    def say(line: str) -> None:
        said.append(line)
        if not quiet:
            print(line, flush=True)

    if plan.ignored:
        print(f"Ignoring unsupported options: {', '.join(plan.ignored)}", file=sys.stderr)
    if prune:
        wanted = {spec["Name"] for spec in plan.services.values()}
        for service in engine.service_list(filters=_of(name), status=False):
            if service["Spec"]["Name"] not in wanted:
                say(f"Removing service {service['Spec']['Name']}")
                engine.service_delete(service["ID"])
    _networks(engine, plan, say)
    _stored(engine, plan, say)
    ids = _services(engine, plan, resolve_image, say)
    if not detach:
        for sid in ids:
            converge(sid, quiet=quiet, engine=engine)
    return said


def _networks(engine: Engine, plan: StackPlan, say: Callable[[str], None]) -> None:
    for external in plan.external_networks:
        try:
            found = engine.network_inspect(external)
        except NotFound:
            raise OperationFailed(
                f"network {external!r} is declared as external, but could not be found: create a swarm-scoped"
                " network before the stack is deployed"
            ) from None
        if found.get("Scope") != "swarm" and external not in ("host", "bridge", "none"):
            raise OperationFailed(
                f"network {external!r} is declared as external, but its scope is {found.get('Scope')!r}"
            )
    there = {n["Name"] for n in engine.network_list(filters=_of(plan.name))}
    for network, body in plan.networks.items():
        if network not in there:
            say(f"Creating network {network}")
            engine.network_create(body)


def _stored(engine: Engine, plan: StackPlan, say: Callable[[str], None]) -> None:
    """Secrets and configs: created, or their labels updated (their data never changes)."""
    for kind, specs in (("secret", plan.secrets), ("config", plan.configs)):
        for spec in specs:
            try:
                found = getattr(engine, f"{kind}_inspect")(spec["Name"])
            except NotFound:
                say(f"Creating {kind} {spec['Name']}")
                getattr(engine, f"{kind}_create")(
                    spec["Name"], base64.b64decode(spec["Data"]), spec["Labels"]
                )
                continue
            kept = {**spec, "Labels": {**spec["Labels"], **stamps(found["Spec"].get("Labels"))}}
            try:
                getattr(engine, f"{kind}_update")(found["ID"], found["Version"]["Index"], kept)
            except DockerError as exc:
                raise OperationFailed(f"failed to update {kind} {spec['Name']}: {exc}") from None


def _services(
    engine: Engine, plan: StackPlan, resolve: str, say: Callable[[str], None]
) -> list[str]:
    there = {
        s["Spec"]["Name"]: s for s in engine.service_list(filters=_of(plan.name), status=False)
    }
    ids = []
    for spec in plan.services.values():
        resolved(engine, spec)
        name, image = spec["Name"], spec["TaskTemplate"]["ContainerSpec"]["Image"]
        current = there.get(name)
        if current is None:
            say(f"Creating service {name}")
            pinned = _pinned(engine, spec) if resolve != "never" else []
            made = engine.service_create(spec)
            ids.append(str(made["ID"]))
            warnings = pinned + (made.get("Warnings") or [])
        else:
            say(f"Updating service {name} (id: {current['ID']})")
            old = current["Spec"]
            same = image == old["Labels"].get(IMAGE_LABEL)
            if resolve == "always" or (resolve == "changed" and not same):
                pinned = _pinned(engine, spec)
            else:
                pinned = []
                if (
                    same
                ):  # keep the digest an earlier deploy found: otherwise every task is replaced
                    spec["TaskTemplate"]["ContainerSpec"]["Image"] = old["TaskTemplate"][
                        "ContainerSpec"
                    ]["Image"]
            spec["TaskTemplate"]["ForceUpdate"] = old["TaskTemplate"].get("ForceUpdate", 0)
            spec["Labels"] = {**spec["Labels"], **stamps(old.get("Labels"))}
            answer = engine.service_update(current["ID"], current["Version"]["Index"], spec)
            ids.append(str(current["ID"]))
            warnings = pinned + (answer.get("Warnings") or [])
        for warning in warnings:
            print(warning, file=sys.stderr)
    return ids


def _pinned(engine: Engine, spec: dict[str, Any]) -> list[str]:
    """The image pinned to the digest its registry has now, and the platforms it is built for, as
    the CLI resolves it (so every node runs the same image); a warning when no registry answers."""
    container, image = (
        spec["TaskTemplate"]["ContainerSpec"],
        spec["TaskTemplate"]["ContainerSpec"]["Image"],
    )
    try:
        found = engine.distribution_inspect(image)
    except DockerError:
        return [
            f"image {image} could not be accessed on a registry to record its digest. Each node will access"
            f" {image} independently, possibly leading to different nodes running different versions of the image."
        ]
    digest = str((found.get("Descriptor") or {}).get("Digest") or "")
    if digest and "@" not in image:
        container["Image"] = f"{image}@{digest}"
    platforms = [
        {"Architecture": "" if str(p.get("architecture", "")).lower() == "arm" else str(p.get("architecture", "")),
         "OS": str(p.get("os", ""))}
        for p in found.get("Platforms") or []
    ]  # fmt: skip
    if platforms:
        spec["TaskTemplate"].setdefault("Placement", {})["Platforms"] = platforms
    return []


def stacks(*, engine: Engine | None = None) -> Table:
    """``docker stack ls``: each stack with its number of services, by name."""
    counted: dict[str, int] = {}
    for service in engine_for(engine).service_list(filters={"label": [NAMESPACE]}, status=False):
        stack = (service["Spec"].get("Labels") or {}).get(NAMESPACE, "")
        counted[stack] = counted.get(stack, 0) + 1
    rows = [{"Name": n, "Services": counted[n]} for n in sorted(counted)]
    return Table(
        rows,
        [Column.key("NAME", "Name"), Column.key("SERVICES", "Services")],
        lookup=lambda row, key: row["Name"] == key,
    )


def stack_services(
    name: str, *, filters: dict[str, Any] | None = None, engine: Engine | None = None
) -> Table:
    """``docker stack services NAME``: the stack's services as service ls shows them."""
    found = services(filters={**(filters or {}), **_of(name)}, engine=engine)
    if not len(found):
        raise OperationFailed(f"nothing found in stack: {name}")
    return found


def stack_ps(
    name: str, *, filters: dict[str, Any] | None = None, engine: Engine | None = None
) -> Table:
    """``docker stack ps NAME``: the tasks of the stack's services, as service ps shows them."""
    engine = engine_for(engine)
    ids = [s["ID"] for s in engine.service_list(filters=_of(name), status=False)]
    if not ids:
        raise OperationFailed(f"nothing found in stack: {name}")
    return service_ps(*ids, filters=filters, engine=engine)


def stack_rm(*names: str, wait: float = 30, engine: Engine | None = None) -> list[str]:
    """``docker stack rm``: each stack's services, secrets, configs and networks, a line each; the
    networks once the services' tasks have let go of them (up to ``wait`` seconds)."""
    engine = engine_for(engine)
    said: list[str] = []
    for name in names:
        found = engine.service_list(filters=_of(name), status=False)
        secrets, configs = (
            engine.secret_list(filters=_of(name)),
            engine.config_list(filters=_of(name)),
        )
        networks = engine.network_list(filters=_of(name))
        if not (found or secrets or configs or networks):
            print(f"Nothing found in stack: {name}", file=sys.stderr)
            continue
        for service in sorted(found, key=lambda s: s["Spec"]["Name"]):
            said.append(f"Removing service {service['Spec']['Name']}")
            engine.service_delete(service["ID"])
        for kind, objects in (("secret", secrets), ("config", configs)):
            for obj in sorted(objects, key=lambda o: o["Spec"]["Name"]):
                said.append(f"Removing {kind} {obj['Spec']['Name']}")
                getattr(engine, f"{kind}_delete")(obj["ID"])
        deadline = time.monotonic() + wait
        for network in sorted(networks, key=lambda n: n["Name"]):
            said.append(f"Removing network {network['Name']}")
            while True:  # in use until the removed services' tasks are gone
                try:
                    engine.network_delete(network["Id"])
                    break
                except NotFound:
                    break
                except DockerError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
    return said
