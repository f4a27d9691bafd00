"""What containers are and hold: ps, inspect, port, top, diff; commit and export."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ...engine import Engine
from ...errors import Missing, NotFound
from ...render.formats import Formatted
from ...render.table import Table
from ...render.tree import Inspection
from ..engines.session import engine_for
from ..images.registry import split_ref
from ..tables import changes_table, containers_table, top_table
from .archive import write_tar


def ps(
    all: bool = False,
    *,
    filters: dict[str, Any] | None = None,
    last: int | None = None,
    size: bool = False,
    engine: Engine | None = None,
) -> Table:
    """Containers as a table, in ONE request however many there are (like ``docker ps``)."""
    rows = engine_for(engine).container_list(
        all=all or bool(last), limit=last, size=size, filters=filters
    )
    return containers_table(rows)


def inspect(
    name: str, *, type: str | None = None, size: bool = False, engine: Engine | None = None
) -> Inspection:
    """Inspect a container, image, network or volume (tried in that order, as ``docker inspect``)."""
    engine = engine_for(engine)
    kinds: dict[str, Callable[[str], dict[str, Any]]] = {
        "container": lambda n: engine.container_inspect(n, size=size),
        "image": engine.image_inspect,
        "network": engine.network_inspect,
        "volume": engine.volume_inspect,
    }
    for kind, fn in kinds.items():
        if type in (None, kind):
            try:
                return Inspection(fn(name))
            except NotFound:
                continue
    raise Missing(f"No such object: {name}")


def port(container: str, private: str | None = None, *, engine: Engine | None = None) -> Formatted:
    """``docker port``: each published port as ``80/tcp -> 0.0.0.0:8080``, or the host addresses of
    one port (``port("web", "80")``)."""
    ports = engine_for(engine).container_inspect(container)["NetworkSettings"].get("Ports") or {}
    if private is not None:
        key = private if "/" in private else f"{private}/tcp"
        if not ports.get(key):
            raise Missing(f"No public port '{key}' published for {container}")
        return Formatted.lines(_host_port(b) for b in ports[key])
    lines = [f"{p} -> {_host_port(b)}" for p, binds in sorted(ports.items()) for b in binds or []]
    return Formatted.lines(lines)


def _host_port(binding: dict[str, str]) -> str:
    ip = binding.get("HostIp") or "0.0.0.0"
    return f"[{ip}]:{binding.get('HostPort')}" if ":" in ip else f"{ip}:{binding.get('HostPort')}"


def commit(
    container: str,
    ref: str | None = None,
    *,
    author: str | None = None,
    changes: list[str] | None = None,
    message: str | None = None,
    pause: bool = True,
    engine: Engine | None = None,
) -> Formatted:
    """``docker commit``: an image of the container's changes; its ID."""
    repo, tag = split_ref(ref) if ref else (None, None)  # a registry's port is no tag
    made = engine_for(engine).image_commit(
        container,
        repo=repo or None,
        tag=tag or None,
        comment=message,
        author=author,
        pause=pause,
        changes="\n".join(changes) if changes else None,
    )
    return Formatted(f"{made['Id']}\n")


def top(container: str, ps_args: str | None = None, *, engine: Engine | None = None) -> Table:
    return top_table(engine_for(engine).container_top(container, ps_args))


def diff(container: str, *, engine: Engine | None = None) -> Table:
    """Changes to the container's filesystem: A added, C changed, D deleted."""
    return changes_table(engine_for(engine).container_changes(container))


def export(container: str, path: str | os.PathLike[str], *, engine: Engine | None = None) -> Path:
    """Write the container's filesystem as a tar file, streamed (never whole in memory)."""
    return write_tar(engine_for(engine).container_export(container), path)
