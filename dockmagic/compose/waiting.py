"""Waiting for services as ``depends_on`` conditions ask (and ``up --wait``), as compose waits:
``service_healthy`` until every container is healthy, ``service_completed_successfully`` until
one has exited (with 0, or the dependant fails), and for ``--wait`` running-or-healthy."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from ..engine import Engine
from ..errors import DependencyFailed, TimedOut
from .labels import name_of

STARTED = "service_started"
HEALTHY = "service_healthy"
COMPLETED = "service_completed_successfully"
RUNNING_OR_HEALTHY = "running_or_healthy"  # compose's own, for --wait
POLL = 0.2  # seconds between looks (compose looks every 0.5 s)


def healthy(engine: Engine, ids: list[str], *, or_running: bool) -> bool:
    """Whether every container is healthy (or, ``or_running``, runs and has no healthcheck); one
    that exited or is unhealthy fails the wait at once."""
    for cid in ids:
        info = engine.container_inspect(cid)
        state, name = info["State"], name_of(info)
        if state.get("Status") == "exited":
            raise DependencyFailed(f"container {name} exited ({state.get('ExitCode')})")
        if or_running and not (info["Config"].get("Healthcheck") or {}).get("Test"):
            if state.get("Status") != "running":
                return False
            continue
        health = (state.get("Health") or {}).get("Status")
        if health is None:
            raise DependencyFailed(f"container {name} has no healthcheck configured")
        if health == "unhealthy":
            raise DependencyFailed(f"container {name} is unhealthy")
        if health != "healthy":
            return False
    return True


def completed(engine: Engine, service: str, ids: list[str]) -> bool:
    """Whether one of the containers has exited: with 0 the dependant may start, else it fails."""
    for cid in ids:
        state = engine.container_inspect(cid)["State"]
        if state.get("Status") == "exited" or state.get("DryRun"):  # --dry-run: as if it had
            if state.get("ExitCode"):
                raise DependencyFailed(
                    f'service "{service}" didn\'t complete successfully: exit {state["ExitCode"]}'
                )
            return True
    return False


def check(engine: Engine, condition: str, service: str, ids: list[str]) -> bool:
    """Whether ``service``'s containers ``ids`` meet ``condition`` now."""
    if condition == COMPLETED:
        return completed(engine, service, ids)
    if condition == HEALTHY:
        return healthy(engine, ids, or_running=False)
    return healthy(engine, ids, or_running=True)


def until(
    engine: Engine,
    condition: str,
    service: str,
    ids: list[str],
    stop: threading.Event,
    deadline: float | None,
    what: str,
) -> bool:
    """Look until ``service``'s containers meet ``condition`` (True), ``stop`` is set (False) or
    ``deadline`` passes (``TimedOut``, saying ``what``)."""
    while not check(engine, condition, service, ids):
        if deadline is not None and time.monotonic() > deadline:
            raise TimedOut(what)
        if stop.wait(POLL):
            return False
    return True


def for_dependencies(
    engine: Engine,
    dependant: str,
    depends_on: Mapping[str, Mapping[str, Any]],
    containers: Mapping[str, list[str]],
    stop: threading.Event,
    *,
    warn: Callable[[str], None],
    deadline: float | None = None,
) -> None:
    """Wait until each of ``dependant``'s dependencies meets its condition. ``containers`` has
    each service's containers; an optional dependency that fails is a warning, not a failure."""
    for dependency, how in depends_on.items():
        condition = how.get("condition") or STARTED
        required = how.get("required", True)
        if condition == STARTED:
            continue  # the order already saw to it
        ids = containers.get(dependency) or []
        if not ids:
            if required:
                raise DependencyFailed(f"{dependant} is missing dependency {dependency}")
            warn(f"{dependant} is missing dependency {dependency}")
            continue
        try:
            what = f"timeout waiting for {dependant}'s dependencies"
            until(engine, condition, dependency, ids, stop, deadline, what)
        except DependencyFailed as exc:
            if required:
                if condition == HEALTHY:
                    raise DependencyFailed(f"dependency failed to start: {exc}") from None
                raise
            warn(f"optional dependency {dependency!r}: {exc}")
