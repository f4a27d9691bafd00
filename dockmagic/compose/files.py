"""Secrets and configs without Swarm, as compose gives them to a container: one from a ``file``
is bind-mounted read-only (secrets under ``/run/secrets/``, configs under ``/``); one from
``environment`` or ``content`` is written into the container before each start."""

from __future__ import annotations

import io
import tarfile
import time
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ..engine import Engine
from ..errors import OptionError

if TYPE_CHECKING:
    from .model import Project

Json = dict[str, Any]

KINDS = {"secrets": "/run/secrets/", "configs": "/"}  # where each kind goes by default


def _target(kind: str, reference: Mapping[str, Any]) -> str:
    target = str(reference.get("target") or reference["source"])
    return target if target.startswith("/") else KINDS[kind] + target


def _references(project: Project, service: str) -> Iterator[tuple[str, Json, Json]]:
    """Each secret and config the service uses: its kind, the reference and the definition."""
    spec = project.services[service]
    for kind in KINDS:
        declared = project.model.get(kind) or {}
        for reference in spec.get(kind) or []:
            definition = declared[reference["source"]]
            where = f"{kind}.{reference['source']}"
            if definition.get("external"):
                raise OptionError(f"{where}: an external one needs Swarm (docker stack deploy)")
            for key in ("driver", "template_driver"):
                if definition.get(key):
                    raise OptionError(f"{where}.{key}: only Swarm reads it (docker stack deploy)")
            yield kind, reference, definition


def mounts(project: Project, service: str, taken: set[str]) -> list[Json]:
    """The read-only binds of the service's file-backed secrets and configs (not at a target
    one of its volumes already has)."""
    out = []
    for kind, reference, definition in _references(project, service):
        target = _target(kind, reference)
        if "file" not in definition or target in taken:
            continue
        out.append(
            {
                "Type": "bind",
                "Source": definition["file"],
                "Target": target,
                "ReadOnly": True,
                **({"BindOptions": {}} if kind == "secrets" else {}),
            }
        )
        taken.add(target)
    return out


def _contents(project: Project, service: str) -> Iterator[tuple[str, bytes, Json]]:
    """The targets, contents and references of the secrets and configs written in at start."""
    for kind, reference, definition in _references(project, service):
        if "content" in definition:
            yield _target(kind, reference), str(definition["content"]).encode(), reference
        elif "environment" in definition:
            variable = str(definition["environment"])
            if variable not in project.environment:
                raise OptionError(
                    f"environment variable {variable!r} required by {kind} "
                    f"{reference['source']!r} is not set"
                )
            yield _target(kind, reference), project.environment[variable].encode(), reference


def inject(engine: Engine, project: Project, service: str, cid: str) -> None:
    """Write the service's inline and environment secrets and configs into container ``cid``."""
    for target, data, reference in _contents(project, service):
        if project.services[service].get("read_only"):
            raise OptionError(
                f"services.{service}: cannot write {target} in a read_only container "
                "(only a file-backed secret or config can be given to it)"
            )
        mode = reference.get("mode")
        member = tarfile.TarInfo(target.lstrip("/"))
        member.size, member.mtime = len(data), int(time.time())
        member.mode = 0o444 if mode is None else (int(mode, 8) if isinstance(mode, str) else mode)
        member.uid, member.gid = int(reference.get("uid") or 0), int(reference.get("gid") or 0)
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as tar:
            tar.addfile(member, io.BytesIO(data))
        owned = bool(reference.get("uid") or reference.get("gid"))
        engine.put_container_archive(cid, "/", buffer.getvalue(), copy_uid_gid=owned)
