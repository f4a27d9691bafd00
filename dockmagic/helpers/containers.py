"""Container helpers that are one or two engine calls: ps, inspect, top, diff, export, lifecycle."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..engine import Engine
from ..errors import NotFound
from ..render.table import Table
from ..render.tree import Inspection
from .config import as_restart, parse_bytes
from .session import pick
from .tables import changes_table, containers_table, top_table


def ps(
    all: bool = False,
    *,
    filters: dict[str, Any] | None = None,
    last: int | None = None,
    size: bool = False,
    engine: Engine | None = None,
) -> Table:
    """Containers as a table, in ONE request however many there are (like ``docker ps``)."""
    rows = pick(engine).container_list(all=all or bool(last), limit=last, size=size, filters=filters)
    return containers_table(rows)


def inspect(name: str, *, type: str | None = None, engine: Engine | None = None) -> Inspection:
    """Inspect a container, image, network or volume (tried in that order, as ``docker inspect``)."""
    engine = pick(engine)
    kinds: dict[str, Callable[[str], dict[str, Any]]] = {
        "container": engine.container_inspect,
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
    raise NotFound(404, f"No such object: {name}", "GET", "inspect")


def top(container: str, ps_args: str | None = None, *, engine: Engine | None = None) -> Table:
    return top_table(pick(engine).container_top(container, ps_args))


def diff(container: str, *, engine: Engine | None = None) -> Table:
    """Changes to the container's filesystem: A added, C changed, D deleted."""
    return changes_table(pick(engine).container_changes(container))


def export(container: str, path: str | os.PathLike[str], *, engine: Engine | None = None) -> Path:
    """Write the container's filesystem as a tar file, streamed (never whole in memory)."""
    target = Path(path).expanduser()
    partial = target.with_name(target.name + ".part")
    try:
        with open(partial, "wb") as f:
            for chunk in pick(engine).container_export(container):
                f.write(chunk)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def _each(containers: tuple[str, ...], action: Callable[[str], Any]) -> list[str]:
    """Apply one engine call to each container, in order; the names back."""
    for c in containers:
        action(c)
    return list(containers)


def start(*containers: str, engine: Engine | None = None) -> list[str]:
    return _each(containers, pick(engine).container_start)


def stop(
    *containers: str, time: int | None = None, signal: str | None = None, engine: Engine | None = None
) -> list[str]:
    e = pick(engine)
    return _each(containers, lambda c: e.container_stop(c, t=time, signal=signal))


def restart(*containers: str, time: int | None = None, engine: Engine | None = None) -> list[str]:
    e = pick(engine)
    return _each(containers, lambda c: e.container_restart(c, t=time))


def kill(*containers: str, signal: str | None = None, engine: Engine | None = None) -> list[str]:
    e = pick(engine)
    return _each(containers, lambda c: e.container_kill(c, signal=signal))


def pause(*containers: str, engine: Engine | None = None) -> list[str]:
    return _each(containers, pick(engine).container_pause)


def unpause(*containers: str, engine: Engine | None = None) -> list[str]:
    return _each(containers, pick(engine).container_unpause)


def rename(container: str, new_name: str, *, engine: Engine | None = None) -> str:
    pick(engine).container_rename(container, new_name)
    return new_name


def rm(*containers: str, force: bool = False, volumes: bool = False, engine: Engine | None = None) -> list[str]:
    e = pick(engine)
    return _each(containers, lambda c: e.container_delete(c, force=force, v=volumes))


def wait(*containers: str, condition: str | None = None, engine: Engine | None = None) -> list[int]:
    """Block until each container stops; their exit codes."""
    return [pick(engine).container_wait(c, condition)["StatusCode"] for c in containers]


def update(
    *containers: str,
    memory: int | str | None = None,
    cpus: float | None = None,
    restart: str | None = None,
    engine: Engine | None = None,
    **resources: Any,
) -> list[str]:
    """Change resources in place (memory, cpus, restart policy, or API fields like CpuShares)."""
    body: dict[str, Any] = dict(resources)
    if memory is not None:
        body["Memory"] = parse_bytes(memory)
        body.setdefault("MemorySwap", -1)
    if cpus is not None:
        body["NanoCpus"] = int(cpus * 1e9)
    if restart:
        body["RestartPolicy"] = as_restart(restart)
    e = pick(engine)
    return _each(containers, lambda c: e.container_update(c, body))


def prune(*, filters: dict[str, Any] | None = None, engine: Engine | None = None) -> dict[str, Any]:
    """Remove stopped containers; what was removed and the space reclaimed."""
    return pick(engine).container_prune(filters)
