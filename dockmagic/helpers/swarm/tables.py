"""The tables of a swarm, with the columns the docker CLI shows: nodes, services, tasks, secrets
and configs."""

from __future__ import annotations

import re
from typing import Any

from ...options.table import get_path
from ...render.table import Column, Row, Table
from ...render.units import ago, binary_size


def _id(row: Row, key: str) -> bool:
    return key in (row.get("ID"), (row.get("Spec") or {}).get("Name"), row.get("_name")) or str(
        row.get("ID", "")
    ).startswith(key)


def _spec(row: Row, path: str) -> Any:
    return get_path(row, f"Spec.{path}")


def _hostname(row: Row) -> str:
    return str(get_path(row, "Description.Hostname") or "")


def natural(text: str) -> list[Any]:
    """A sort key that puts web2 before web10, as the CLI orders its listings."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def nodes_table(rows: list[Row], me: str = "", placed: list[Row] | None = None) -> Table:
    """``docker node ls``; with ``placed`` (running tasks), what is placed on each node too."""

    def manager(row: Row) -> str:
        status = row.get("ManagerStatus") or {}
        return (
            "Leader" if status.get("Leader") else str(status.get("Reachability", "")).capitalize()
        )

    rows = sorted(rows, key=lambda r: natural(_hostname(r)))
    return Table(
        rows,
        [
            Column("ID", lambda r: r["ID"] + (" *" if r["ID"] == me else "")),
            Column("HOSTNAME", _hostname),
            Column("STATUS", lambda r: str((r.get("Status") or {}).get("State", "")).capitalize()),
            Column("AVAILABILITY", lambda r: str(_spec(r, "Availability") or "").capitalize()),
            Column("MANAGER STATUS", manager),
            Column(
                "ENGINE VERSION",
                lambda r: str(get_path(r, "Description.Engine.EngineVersion") or ""),
            ),
            *(_resource_columns(placed) if placed is not None else []),
        ],
        title="nodes",
        lookup=lambda r, key: _id(r, key) or key == _hostname(r),
    )


def service_mode(spec: dict[str, Any]) -> str:
    mode = next(iter(spec.get("Mode") or {"Replicated": {}}))
    return {"Replicated": "replicated", "Global": "global", "ReplicatedJob": "replicated job"}.get(
        mode, "global job"
    )


def _replicas(row: Row) -> str:
    status = row.get("ServiceStatus") or {}
    running, desired = status.get("RunningTasks", 0), status.get("DesiredTasks", 0)
    most = _spec(row, "TaskTemplate.Placement.MaxReplicas")
    return f"{running}/{desired}" + (f" (max {most} per node)" if most else "")


def service_ports(row: Row) -> str:
    ports = (row.get("Endpoint") or {}).get("Ports") or _spec(row, "EndpointSpec.Ports") or []
    return ", ".join(
        f"*:{p.get('PublishedPort', '')}->{p.get('TargetPort')}/{p.get('Protocol', 'tcp')}"
        for p in ports
        if p.get("PublishMode", "ingress") == "ingress"
    )


def services_table(rows: list[Row]) -> Table:
    return Table(
        sorted(rows, key=lambda r: natural(str(_spec(r, "Name") or ""))),
        [
            Column("ID", lambda r: r["ID"][:12]),
            Column("NAME", lambda r: _spec(r, "Name") or ""),
            Column("MODE", lambda r: service_mode(r.get("Spec") or {})),
            Column("REPLICAS", _replicas),
            Column(
                "IMAGE",
                lambda r: str(_spec(r, "TaskTemplate.ContainerSpec.Image") or "").partition("@")[0],
            ),
            Column("PORTS", service_ports),
        ],
        title="services",
        lookup=_id,
    )


def task_name(task: Row, service: str) -> str:
    """``web.3`` (a replica's slot) or ``web.<node id>`` (a global service's task on a node)."""
    return (
        f"{service}.{task['Slot']}" if task.get("Slot") else f"{service}.{task.get('NodeID', '')}"
    )


def _task_ports(task: Row) -> str:
    """Ports a task publishes on its node itself (mode=host), as the CLI shows them."""
    ports = ((task.get("Status") or {}).get("PortStatus") or {}).get("Ports") or []
    return ", ".join(
        f"*:{p.get('PublishedPort')}->{p.get('TargetPort')}/{p.get('Protocol', 'tcp')}"
        for p in ports
    )


def tasks_table(rows: list[Row]) -> Table:
    """Tasks as ``docker service ps``: each slot's newest first, its older ones as ``\\_ name``.
    Rows carry ``_name`` and ``_node`` (the node's host name) and ``_history`` (an older task)."""

    def state(r: Row) -> str:
        status = r.get("Status") or {}
        # the CLI's words: "Running 5 seconds ago", "Running less than a second ago"
        return f"{str(status.get('State', '')).capitalize()} {ago(status.get('Timestamp')).lower()}".strip()

    return Table(
        rows,
        [
            Column("ID", lambda r: r["ID"][:12]),
            Column("NAME", lambda r: (" \\_ " if r.get("_history") else "") + r.get("_name", "")),
            Column("IMAGE", lambda r: str(_spec(r, "ContainerSpec.Image") or "").partition("@")[0]),
            Column("NODE", lambda r: r.get("_node", "")),
            Column("DESIRED STATE", lambda r: str(r.get("DesiredState", "")).capitalize()),
            Column("CURRENT STATE", state),
            Column("ERROR", lambda r: (r.get("Status") or {}).get("Err", "")),
            Column("PORTS", _task_ports),
        ],
        title="tasks",
        lookup=_id,
    )


def stored_table(rows: list[Row], kind: str) -> Table:
    """Secrets or configs: their names and ages (never their data)."""
    columns = [
        Column("ID", lambda r: r["ID"]),
        Column("NAME", lambda r: _spec(r, "Name") or ""),
        Column("CREATED", lambda r: r.get("CreatedAt"), ago),
        Column("UPDATED", lambda r: r.get("UpdatedAt"), ago),
    ]
    if kind == "secret":
        columns.insert(2, Column("DRIVER", lambda r: (_spec(r, "Driver") or {}).get("Name", "")))
    ordered = sorted(rows, key=lambda r: natural(str(_spec(r, "Name") or "")))
    return Table(ordered, columns, title=f"{kind}s", lookup=_id)


def _cpus(nano: Any) -> str:
    return f"{int(nano or 0) / 1e9:g}"


def _resource_columns(tasks: list[Row]) -> list[Column]:
    """Running tasks per node, the node's CPUs and memory, and what its tasks reserve and are
    limited to (``%docker node ls --resources``)."""
    placed: dict[str, list[Row]] = {}
    for task in tasks:
        placed.setdefault(str(task.get("NodeID", "")), []).append(task)

    def summed(kind: str) -> Any:
        def show(row: Row) -> str:
            wants = [get_path(t, f"Spec.Resources.{kind}") or {} for t in placed.get(row["ID"], [])]
            cpus = sum(int(w.get("NanoCPUs") or 0) for w in wants)
            return f"{_cpus(cpus)} CPU, {binary_size(sum(int(w.get('MemoryBytes') or 0) for w in wants))}"

        return show

    return [
        Column("TASKS", lambda r: len(placed.get(r["ID"], []))),
        Column("CPUS", lambda r: _cpus(get_path(r, "Description.Resources.NanoCPUs"))),
        Column("MEMORY", lambda r: binary_size(get_path(r, "Description.Resources.MemoryBytes"))),
        Column("RESERVED", summed("Reservations")),
        Column("LIMITED TO", summed("Limits")),
    ]
