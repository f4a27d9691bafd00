"""A container's life: start, stop, restart, kill, pause, unpause, rename, update, rm, wait, prune."""

from __future__ import annotations

from typing import Any

from ...engine import Engine
from ...options import update_body
from ..batch import for_each
from ..engines.session import engine_for


def start(*containers: str, engine: Engine | None = None) -> list[str]:
    return for_each(containers, engine_for(engine).container_start, "started")


def stop(
    *containers: str,
    time: int | None = None,
    signal: str | None = None,
    engine: Engine | None = None,
) -> list[str]:
    e = engine_for(engine)
    return for_each(containers, lambda c: e.container_stop(c, t=time, signal=signal), "stopped")


def restart(*containers: str, time: int | None = None, engine: Engine | None = None) -> list[str]:
    e = engine_for(engine)
    return for_each(containers, lambda c: e.container_restart(c, t=time), "restarted")


def kill(*containers: str, signal: str | None = None, engine: Engine | None = None) -> list[str]:
    e = engine_for(engine)
    return for_each(containers, lambda c: e.container_kill(c, signal=signal), "killed")


def pause(*containers: str, engine: Engine | None = None) -> list[str]:
    return for_each(containers, engine_for(engine).container_pause, "paused")


def unpause(*containers: str, engine: Engine | None = None) -> list[str]:
    return for_each(containers, engine_for(engine).container_unpause, "unpaused")


def rename(container: str, new_name: str, *, engine: Engine | None = None) -> str:
    engine_for(engine).container_rename(container, new_name)
    return new_name


def rm(
    *containers: str,
    force: bool = False,
    volumes: bool = False,
    link: bool = False,
    engine: Engine | None = None,
) -> list[str]:
    """``docker rm``; ``link``: remove the links named (``/webapp/redis``), not containers."""
    e = engine_for(engine)
    return for_each(
        containers, lambda c: e.container_delete(c, force=force, v=volumes, link=link), "removed"
    )


def wait(*containers: str, condition: str | None = None, engine: Engine | None = None) -> list[int]:
    """Block until each container stops; their exit codes."""
    return [engine_for(engine).container_wait(c, condition)["StatusCode"] for c in containers]


def update(*containers: str, engine: Engine | None = None, **options: Any) -> list[str]:
    """``docker update``: change resources in place (memory, memory_swap, cpus, cpu_shares,
    restart, pids_limit, ...: the updatable rows of the option table); only what is given changes."""
    body = update_body(**options)
    e = engine_for(engine)
    return for_each(containers, lambda c: e.container_update(c, _keep_swap(e, c, body)), "updated")


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
    return engine_for(engine).container_prune(filters)
