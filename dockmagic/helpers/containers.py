"""Container helpers that are one or two engine calls: ps, inspect, top, diff, export, lifecycle."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..engine import Engine
from ..errors import DockerError, Missing, NotFound, PartlyFailed
from ..options import update_body
from ..render.formats import Formatted
from ..render.table import Table
from ..render.tree import Inspection
from .archive import write_tar
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
    rows = pick(engine).container_list(
        all=all or bool(last), limit=last, size=size, filters=filters
    )
    return containers_table(rows)


def inspect(
    name: str, *, type: str | None = None, size: bool = False, engine: Engine | None = None
) -> Inspection:
    """Inspect a container, image, network or volume (tried in that order, as ``docker inspect``)."""
    engine = pick(engine)
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
    ports = pick(engine).container_inspect(container)["NetworkSettings"].get("Ports") or {}
    if private is not None:
        key = private if "/" in private else f"{private}/tcp"
        if not ports.get(key):
            raise Missing(f"No public port '{key}' published for {container}")
        return Formatted("".join(f"{_host_port(b)}\n" for b in ports[key]))
    lines = [f"{p} -> {_host_port(b)}" for p, binds in sorted(ports.items()) for b in binds or []]
    return Formatted("".join(line + "\n" for line in lines))


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
    repo, _, tag = (
        (ref or "").partition(":") if ref and ":" in ref.rsplit("/", 1)[-1] else (ref, "", "")
    )
    made = pick(engine).image_commit(
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
    return top_table(pick(engine).container_top(container, ps_args))


def diff(container: str, *, engine: Engine | None = None) -> Table:
    """Changes to the container's filesystem: A added, C changed, D deleted."""
    return changes_table(pick(engine).container_changes(container))


def export(container: str, path: str | os.PathLike[str], *, engine: Engine | None = None) -> Path:
    """Write the container's filesystem as a tar file, streamed (never whole in memory)."""
    return write_tar(pick(engine).container_export(container), path)


def each(
    containers: tuple[str, ...] | list[str], action: Callable[[str], Any], verb: str
) -> list[str]:
    """Apply one engine call to every target, in order, as the docker CLI does: a failure does not
    stop the rest; one error at the end names the failed ones. The names done come back."""
    done: list[str] = []
    errors: dict[str, DockerError] = {}
    for c in containers:
        try:
            action(c)
            done.append(c)
        except DockerError as exc:
            errors[c] = exc
    if errors:
        raise PartlyFailed.of(verb, done, errors)
    return done


def start(*containers: str, engine: Engine | None = None) -> list[str]:
    return each(containers, pick(engine).container_start, "started")


def stop(
    *containers: str,
    time: int | None = None,
    signal: str | None = None,
    engine: Engine | None = None,
) -> list[str]:
    e = pick(engine)
    return each(containers, lambda c: e.container_stop(c, t=time, signal=signal), "stopped")


def restart(*containers: str, time: int | None = None, engine: Engine | None = None) -> list[str]:
    e = pick(engine)
    return each(containers, lambda c: e.container_restart(c, t=time), "restarted")


def kill(*containers: str, signal: str | None = None, engine: Engine | None = None) -> list[str]:
    e = pick(engine)
    return each(containers, lambda c: e.container_kill(c, signal=signal), "killed")


def pause(*containers: str, engine: Engine | None = None) -> list[str]:
    return each(containers, pick(engine).container_pause, "paused")


def unpause(*containers: str, engine: Engine | None = None) -> list[str]:
    return each(containers, pick(engine).container_unpause, "unpaused")


def rename(container: str, new_name: str, *, engine: Engine | None = None) -> str:
    pick(engine).container_rename(container, new_name)
    return new_name


def rm(
    *containers: str, force: bool = False, volumes: bool = False, engine: Engine | None = None
) -> list[str]:
    e = pick(engine)
    return each(containers, lambda c: e.container_delete(c, force=force, v=volumes), "removed")


def wait(*containers: str, condition: str | None = None, engine: Engine | None = None) -> list[int]:
    """Block until each container stops; their exit codes."""
    return [pick(engine).container_wait(c, condition)["StatusCode"] for c in containers]


def update(*containers: str, engine: Engine | None = None, **options: Any) -> list[str]:
    """``docker update``: change resources in place (memory, memory_swap, cpus, cpu_shares,
    restart, pids_limit, ...: the updatable rows of the option table); only what is given changes."""
    body = update_body(**options)
    e = pick(engine)
    return each(containers, lambda c: e.container_update(c, _keep_swap(e, c, body)), "updated")


def _keep_swap(engine: Engine, container: str, body: dict[str, Any]) -> dict[str, Any]:
    """A new memory limit without a swap limit: keep the container's swap allowance. On cgroup v1
    the engine refuses a memory limit above the current memory+swap limit (the docker CLI fails
    there too), and ``MemorySwap=-1`` fails where a limit is already set."""
    if "Memory" not in body or "MemorySwap" in body:
        return body
    host = engine.container_inspect(container)["HostConfig"]
    memory, swap = host.get("Memory") or 0, host.get("MemorySwap") or 0
    kept = body["Memory"] + (swap - memory) if memory > 0 and swap > 0 else -1
    return {**body, "MemorySwap": kept}


def prune(*, filters: dict[str, Any] | None = None, engine: Engine | None = None) -> dict[str, Any]:
    """Remove stopped containers; what was removed and the space reclaimed."""
    return pick(engine).container_prune(filters)
