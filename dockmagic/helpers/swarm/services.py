"""Swarm services (``docker service ...``): create, list, tasks, logs, scale, update, rollback,
remove, and the resource usage of a service's tasks gathered from the engines of their nodes.

Creating or changing a service waits, as the CLI does without ``-d``, until its tasks run (each
count shown in place as it changes); Ctrl-C stops the waiting, never the service.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Mapping
from typing import Any

from ...engine import Engine
from ...errors import DockerError, NotFound, OperationFailed, OptionError
from ...options.swarm.service import check_api, service_spec, updated_spec
from ...options.table import get_path
from ...options.values import as_command
from ...render.results import LogsResult
from ...render.stats import STATS_COLUMNS
from ...render.table import Column, Table
from ...render.tree import Inspection
from ..batch import for_each
from ..containers.output import LiveOutput
from ..engines.fanout import fan_out, guarded, targets
from ..engines.session import engine_for
from ..images.progress import CountBar
from ..stats.series import stats
from ..timeparse import to_timestamp
from .tables import natural, services_table, task_name, tasks_table

WAIT_LIMIT = 300.0  # seconds a create or update waits for its tasks, unless told


def services(*, filters: dict[str, Any] | None = None, engine: Engine | None = None) -> Table:
    """``docker service ls``: REPLICAS is running/desired."""
    return services_table(engine_for(engine).service_list(filters))


def service_inspect(service: str, *, engine: Engine | None = None) -> Inspection:
    return Inspection(engine_for(engine).service_inspect(service))


def resolved(engine: Engine, spec: dict[str, Any]) -> dict[str, Any]:
    """Secrets and configs named by name get their IDs, as the CLI looks them up before sending."""
    container = spec.get("TaskTemplate", {}).get("ContainerSpec", {})
    for kind in ("secret", "config"):
        refs = container.get(f"{kind.capitalize()}s") or []
        if not refs or all(r.get(f"{kind.capitalize()}ID") for r in refs):
            continue
        known = {o["Spec"]["Name"]: o["ID"] for o in getattr(engine, f"{kind}_list")()}
        for ref in refs:
            name = ref[f"{kind.capitalize()}Name"]
            if name not in known:
                raise NotFound(404, f"{kind} not found: {name}")
            ref[f"{kind.capitalize()}ID"] = known[name]
    return spec


def service_create(
    image: str,
    command: str | Iterable[str] | None = None,
    *,
    detach: bool = False,
    quiet: bool = False,
    timeout: float | None = None,
    extra: Mapping[str, Any] | None = None,
    engine: Engine | None = None,
    **options: Any,
) -> str:
    """``docker service create IMAGE [COMMAND]``: the service's ID. Options are ``docker service
    create``'s flags by name (``replicas=6``, ``publish=["8080:80"]``, ``limit_memory="64m"``,
    ``env=...``: see ``dockmagic.options.swarm.service.SERVICE_OPTIONS``). Unless ``detach``, waits until
    its tasks run (at most ``timeout`` seconds)."""
    engine = engine_for(engine)
    spec = service_spec(image, command, extra=extra, **options)
    check_api(options, engine.api_version)
    created = engine.service_create(resolved(engine, spec))
    for warning in created.get("Warnings") or []:
        print(f"warning: {warning}", file=sys.stderr)
    if not detach:
        converge(created["ID"], quiet=quiet, timeout=timeout, engine=engine)
    return str(created["ID"])


def service_update(
    service: str,
    *,
    image: str | None = None,
    args: str | Iterable[str] | None = None,
    force: bool = False,
    add: Mapping[str, Any] | None = None,
    remove: Mapping[str, Any] | None = None,
    detach: bool = False,
    quiet: bool = False,
    timeout: float | None = None,
    engine: Engine | None = None,
    **options: Any,
) -> str:
    """``docker service update``: options given replace theirs; ``add``/``remove`` change list
    options item by item (``add={"env": ["A=1"]}`` is ``--env-add A=1``, ``remove={"publish":
    ["80"]}`` is ``--publish-rm 80``); ``force`` replaces the tasks even with nothing changed."""
    engine = engine_for(engine)
    found = engine.service_inspect(service)
    spec = updated_spec(found["Spec"], add=add, remove=remove, **options)
    check_api({**options, **(add or {})}, engine.api_version)
    container = spec["TaskTemplate"]["ContainerSpec"]
    if image:
        container["Image"] = image
    if args is not None:
        container["Args"] = as_command(args) or []
    if force:
        spec["TaskTemplate"]["ForceUpdate"] = int(spec["TaskTemplate"].get("ForceUpdate") or 0) + 1
    return _replace(
        engine, found, resolved(engine, spec), detach=detach, quiet=quiet, timeout=timeout
    )


def _replace(
    engine: Engine,
    found: dict[str, Any],
    spec: dict[str, Any] | None,
    *,
    detach: bool,
    quiet: bool,
    timeout: float | None,
    rollback: bool = False,
) -> str:
    answer = engine.service_update(
        found["ID"], found["Version"]["Index"], spec or found["Spec"], rollback=rollback
    )
    for warning in answer.get("Warnings") or []:
        print(f"warning: {warning}", file=sys.stderr)
    if not detach:
        new = spec or found["Spec"]
        rolls = rollback or new.get("TaskTemplate") != found["Spec"].get("TaskTemplate")
        before = found.get("UpdateStatus") or {} if rolls else None
        converge(found["ID"], quiet=quiet, timeout=timeout, engine=engine, rollout_after=before)
    return str(found["Spec"]["Name"])


def service_rollback(
    service: str,
    *,
    detach: bool = False,
    quiet: bool = False,
    timeout: float | None = None,
    engine: Engine | None = None,
) -> str:
    """``docker service rollback``: back to the spec before the last update."""
    engine = engine_for(engine)
    found = engine.service_inspect(service)
    if not found.get("PreviousSpec"):
        raise OperationFailed(
            f"service {found['Spec']['Name']} has no previous spec to roll back to"
        )
    return _replace(engine, found, None, detach=detach, quiet=quiet, timeout=timeout, rollback=True)


def service_scale(
    scales: Mapping[str, int] | None = None,
    *,
    detach: bool = False,
    quiet: bool = False,
    timeout: float | None = None,
    engine: Engine | None = None,
    **counts: int,
) -> dict[str, int]:
    """``docker service scale web=6 api=2``: ``service_scale(web=6)`` or ``service_scale({"web": 6})``."""
    engine = engine_for(engine)
    wanted = {**(scales or {}), **counts}
    for name, count in wanted.items():
        found = engine.service_inspect(name)
        mode = found["Spec"].get("Mode") or {}
        if "Replicated" not in mode:
            raise OptionError(f"scale can only be used with replicated mode ({name} is not)")
        spec = {**found["Spec"], "Mode": {"Replicated": {"Replicas": int(count)}}}
        engine.service_update(found["ID"], found["Version"]["Index"], spec)
        if not quiet:
            print(f"{name} scaled to {int(count)}")
    if not detach:
        for name in wanted:
            converge(name, quiet=quiet, timeout=timeout, engine=engine)
    return {name: int(count) for name, count in wanted.items()}


def service_rm(*services: str, engine: Engine | None = None) -> list[str]:
    engine = engine_for(engine)
    return for_each(services, engine.service_delete, "remove")


# -- waiting for a service's tasks -------------------------------------------------------------


def converge(
    service: str,
    *,
    quiet: bool = False,
    timeout: float | None = None,
    engine: Engine | None = None,
    rollout_after: dict[str, Any] | None = None,
) -> None:
    """Wait until ``service`` runs as many tasks as it wants and no rolling update of it is under
    way, showing the count as it changes. A rollout that pauses, or is rolled back, ends the wait with the
    swarm's message; so do tasks that keep failing with none running. The service stays as it is.
    ``rollout_after``: the rollout status before an update that changes the tasks; until the
    swarm starts the new rollout (a few seconds at most), the old tasks' count means nothing."""
    engine = engine_for(engine)
    found = engine.service_inspect(service)
    sid, name = found["ID"], found["Spec"]["Name"]
    start = time.monotonic()
    end = start + (WAIT_LIMIT if timeout is None else timeout)
    shown: tuple[int, int, str] | None = None
    changed = start  # when the count last moved
    reason = ""  # why tasks wait, as the swarm says (no suitable node, ...)
    updating = False  # a rollout was seen under way during this wait
    interrupted = f"{name}: no longer waiting; the service stays, converging in the background"
    with CountBar(name, show=not quiet, interrupted=interrupted) as count:
        while True:
            listed = engine.service_list(filters={"id": [sid]})
            if not listed:
                raise NotFound(404, f"service {name} is gone")
            svc = listed[0]
            status = svc.get("ServiceStatus") or {}
            running, desired = (
                int(status.get("RunningTasks") or 0),
                int(status.get("DesiredTasks") or 0),
            )
            rollout = svc.get("UpdateStatus") or {}
            state = str(rollout.get("State") or "")
            step = state.replace("_", " ") if state in _UNDER_WAY else ""
            if (running, desired, state) != shown:
                count.update(running, desired, step)
                shown, changed = (running, desired, state), time.monotonic()
            elif time.monotonic() - changed > 2 and (why := _waiting_for(engine, sid)) != reason:
                reason = why
                count.update(
                    running, desired, "; ".join(filter(None, (step, why and f"tasks wait: {why}")))
                )
            if state in ("paused", "rollback_paused") or (
                updating and state == "rollback_completed"
            ):
                why = {"rollback_completed": "was rolled back"}.get(
                    state, f"is {state.replace('_', ' ')}"
                )
                raise OperationFailed(f"the update of {name} {why}: {rollout.get('Message', '')}")
            updating = updating or state == "updating"
            begun = (
                rollout_after is None
                or rollout.get("StartedAt") != rollout_after.get("StartedAt")
                or time.monotonic() - start > ROLLOUT_GRACE
            )
            if running == desired and state not in _UNDER_WAY and begun:
                count.close(f"converged after {time.monotonic() - start:.1f} s")
                return
            if running == 0:
                _failing(engine, svc)
            if time.monotonic() > end:
                raise OperationFailed(
                    f"service {name} did not converge within {end - start:.0f} s ({running}/{desired} tasks"
                    f" running{'; ' + reason if reason else ''}); it stays, converging in the background"
                )
            time.sleep(0.1)  # the count is one cheap request


_UNDER_WAY = ("updating", "rollback_started")
ROLLOUT_GRACE = 5.0  # seconds a task-changing update gets for the swarm to begin its rollout


def _waiting_for(engine: Engine, service_id: str) -> str:
    """What the swarm says holds a task of the service back (``no suitable node (...)``), or ""."""
    tasks = engine.task_list(filters={"service": [service_id], "desired-state": ["running"]})
    held = [
        t["Status"].get("Err") for t in tasks if (t.get("Status") or {}).get("State") != "running"
    ]
    return next((str(err) for err in held if err), "")


def _failing(engine: Engine, svc: dict[str, Any]) -> None:
    """Raise when the service's tasks fail again and again (a missing image, a bad command)."""
    tasks = engine.task_list(filters={"service": [svc["ID"]]})
    failed = [t for t in tasks if (t.get("Status") or {}).get("State") in ("failed", "rejected")]
    wanted = max(3, int((svc.get("ServiceStatus") or {}).get("DesiredTasks") or 0))
    if len(failed) >= wanted:
        latest = max(failed, key=lambda t: str((t.get("Status") or {}).get("Timestamp", "")))
        err = (latest.get("Status") or {}).get("Err") or (latest.get("Status") or {}).get(
            "Message", "failed"
        )
        raise OperationFailed(
            f"the tasks of {svc['Spec']['Name']} keep failing ({len(failed)} so far): {err}; the service stays"
            f" (%docker service ps {svc['Spec']['Name']}, or service rm)"
        )


# -- tasks ----------------------------------------------------------------------------------------


def service_ps(
    *services: str,
    filters: dict[str, Any] | None = None,
    engine: Engine | None = None,
) -> Table:
    """``docker service ps`` (no services: all the swarm's tasks): each task with its node's host
    name, the newest of each slot first."""
    engine = engine_for(engine)
    found = (
        [engine.service_inspect(s) for s in services]
        if services
        else engine.service_list(status=False)
    )
    names = {s["ID"]: s["Spec"]["Name"] for s in found}
    wanted = {**(filters or {}), "service": list(names)} if services else filters
    tasks = engine.task_list(filters=wanted)
    hosts = hostnames(engine)
    for task in tasks:
        task["_name"] = task_name(task, names.get(task.get("ServiceID", ""), ""))
        task["_node"] = hosts.get(task.get("NodeID", ""), "")
    tasks.sort(
        key=lambda t: (t["_name"], str((t.get("Status") or {}).get("Timestamp", ""))), reverse=False
    )
    rows: list[dict[str, Any]] = []
    by_name: dict[str, list[dict[str, Any]]] = {}
    for task in tasks:
        by_name.setdefault(task["_name"], []).append(task)
    for name in sorted(by_name, key=natural):
        newest_first = sorted(
            by_name[name],
            key=lambda t: str((t.get("Status") or {}).get("Timestamp", "")),
            reverse=True,
        )
        rows += [{**t, "_history": i > 0} for i, t in enumerate(newest_first)]
    return tasks_table(rows)


def hostnames(engine: Engine) -> dict[str, str]:
    """Each node's host name by its ID (the ID where a node reports none)."""
    return {
        n["ID"]: (n.get("Description") or {}).get("Hostname", n["ID"]) for n in engine.node_list()
    }


def service_logs(
    service: str,
    *,
    follow: bool = False,
    tail: int | str | None = None,
    since: Any = None,
    timestamps: bool = False,
    task_ids: bool = True,
    no_trunc: bool = False,
    raw: bool = False,
    details: bool = False,
    quiet: bool = False,
    engine: Engine | None = None,
) -> LogsResult:
    """``docker service logs``: every task's output, each line prefixed ``web.3.<task>@<node> |``
    (``raw``: no prefix), stdout and stderr kept apart. ``follow`` ends with Ctrl-C."""
    engine = engine_for(engine)
    found = engine.service_inspect(service)
    name = found["Spec"]["Name"]
    tty = bool(get_path(found, "Spec.TaskTemplate.ContainerSpec.TTY"))
    slots: dict[str, str] = {}
    hosts = hostnames(engine)
    live = LiveOutput(show=not quiet)
    stream = engine.service_logs(
        found["ID"],
        follow=follow,
        since=to_timestamp(since),
        timestamps=timestamps,
        tail=tail or "all",
        tty=tty,
    )

    def prefix(attrs: dict[str, str]) -> str:
        task = attrs.get("com.docker.swarm.task.id", "")
        if task not in slots:
            try:
                slots[task] = task_name(engine.task_inspect(task), name)
            except DockerError:
                slots[task] = name
        shown = slots[task] + (("." + (task if no_trunc else task[:12])) if task_ids else "")
        node = attrs.get("com.docker.swarm.node.id", "")
        return f"{shown}@{hosts.get(node, node)}"

    try:
        for chunk in stream:
            text = chunk.data.decode("utf-8", errors="replace")
            head, sep, body = text.partition(" ")
            attrs = (
                dict(p.partition("=")[::2] for p in head.split(",")) if sep and "=" in head else {}
            )
            if not attrs:
                body = text
            extra = ""
            if details:
                extra = (
                    ",".join(
                        f"{k}={v}"
                        for k, v in attrs.items()
                        if not k.startswith("com.docker.swarm.")
                    )
                    + " "
                )
            line = body if raw else f"{prefix(attrs)}    | {extra.lstrip()}{body}"
            live.feed(type(chunk)(chunk.stream, line.encode()))
    except KeyboardInterrupt:
        if not follow:
            raise
    finally:
        stream.close()
        live.close()
    return LogsResult(
        stdout=live.stdout, stderr=live.stderr, hidden_lines=live.hidden_lines, container=name
    )


# -- resource usage across nodes ----------------------------------------------------------------


def service_stats(
    service: str,
    *,
    engines: str | Iterable[str | Engine] | None = None,
    engine: Engine | None = None,
) -> Table:
    """A ``docker stats --no-stream`` of the service's running tasks, each sampled on its node's
    engine: ``engine`` (a manager) and ``engines`` (hosts, contexts or Engines; each is asked which
    node it is). A task on a node none of them is reads as one row saying so."""
    manager = engine_for(engine)
    found = manager.service_inspect(service)
    name = found["Spec"]["Name"]
    tasks = [
        t
        for t in manager.task_list(filters={"service": [found["ID"]], "desired-state": ["running"]})
        if (t.get("Status") or {}).get("ContainerStatus", {}).get("ContainerID")
    ]
    candidates = [(manager.host.url, manager), *(targets(engines) if engines is not None else [])]
    answers = fan_out(
        candidates, lambda: str(engine_for(None).system_info().get("Swarm", {}).get("NodeID", ""))
    )
    node_engine = {a.value: dict(candidates)[a.engine] for a in answers if a.value}
    hosts = hostnames(manager)
    rows: list[dict[str, Any]] = []
    for node in sorted({t["NodeID"] for t in tasks}):
        on_node = [t for t in tasks if t["NodeID"] == node]
        label = f"{hosts.get(node, node)} ({node[:12]})"
        if node not in node_engine:
            rows += [
                {
                    "_task": task_name(t, name),
                    "_node": label,
                    "_error": "no engine given for this node",
                }
                for t in on_node
            ]
            continue
        ids = [t["Status"]["ContainerStatus"]["ContainerID"] for t in on_node]
        sampled = {r["id"]: r for r in stats(ids, engine=node_engine[node]).rows}
        rows += [
            {**sampled.get(i, {}), "_task": task_name(t, name), "_node": label}
            for t, i in zip(on_node, ids, strict=True)
        ]
    rows.sort(key=lambda r: natural(r["_task"]))
    columns = [Column.key("TASK", "_task"), Column.key("NODE", "_node")]
    columns += [guarded(c) for c in STATS_COLUMNS]
    if any("_error" in r for r in rows):
        columns.append(Column.key("ERROR", "_error"))
    return Table(rows, columns, title=f"tasks of {name}")
