"""The instructor's view of the class (``%docker lab status``) and a student's clean-up
(``%docker lab clean STUDENT``), read from the engine by the students' labels."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..engine import Engine
from ..errors import DockerError
from ..helpers.engines.cleanup import find_labelled, sweep
from ..render.table import Column, Table
from .policy import Policy, student_filter
from .proxy import ENGINE_SOCKET, LabProxy


def _usage(engine: Engine, cid: str) -> tuple[float, int]:
    """CPU percent and memory bytes of one running container, from one stats sample."""
    try:
        s = engine.container_stats(cid, stream=False)
    except DockerError:
        return 0.0, 0
    cpu, pre = s.get("cpu_stats") or {}, s.get("precpu_stats") or {}
    used = (cpu.get("cpu_usage") or {}).get("total_usage", 0) - (pre.get("cpu_usage") or {}).get(
        "total_usage", 0
    )
    system = (cpu.get("system_cpu_usage") or 0) - (pre.get("system_cpu_usage") or 0)
    cores = cpu.get("online_cpus") or 1
    percent = used / system * cores * 100 if system > 0 and used > 0 else 0.0
    return percent, int((s.get("memory_stats") or {}).get("usage") or 0)


def status(
    policy: Policy, proxy: LabProxy | None = None, engine_socket: str = ENGINE_SOCKET
) -> Table:
    """One row per student: containers, running, CPU, memory, last activity, refusals."""
    engine = Engine(f"unix://{engine_socket}")
    try:
        rows: list[dict[str, Any]] = []
        with ThreadPoolExecutor(8) as pool:
            for student in policy.students:
                listed = engine.container_list(all=True, filters=student_filter(student))
                running = [c["Id"] for c in listed if c.get("State") == "running"]
                usage = list(pool.map(lambda cid: _usage(engine, cid), running))
                seen = proxy.activity[student] if proxy else None
                last = max(
                    [seen.last if seen else 0.0, *(float(c.get("Created") or 0) for c in listed)]
                )
                rows.append(
                    {
                        "Student": student,
                        "Containers": len(listed),
                        "Running": len(running),
                        "CPU": f"{sum(u[0] for u in usage):.1f}%",
                        "Memory": f"{sum(u[1] for u in usage) / (1 << 20):.0f} MiB",
                        "Last": _ago(last),
                        "Refused": seen.refused if seen else "",
                        "cpu": sum(u[0] for u in usage),  # the numbers, for plot()
                        "memory": sum(u[1] for u in usage),
                    }
                )
    finally:
        engine.close()
    columns = [
        Column.key(k.upper(), k)
        for k in ("Student", "Containers", "Running", "CPU", "Memory", "Last", "Refused")
    ]
    return Table(rows, columns, title="the class")


def plot(table: Table) -> Any:
    """The class at a glance: CPU and memory per student, side by side (a matplotlib figure)."""
    import matplotlib.pyplot as plt

    students = [r["Student"] for r in table]
    figure, (cpu, memory) = plt.subplots(
        1, 2, figsize=(10, 0.35 * len(students) + 1.5), sharey=True
    )
    cpu.barh(students, [r["cpu"] for r in table], color="#4c78a8")
    cpu.set_xlabel("CPU %")
    memory.barh(students, [r["memory"] / (1 << 20) for r in table], color="#f58518")
    memory.set_xlabel("memory (MiB)")
    cpu.invert_yaxis()
    figure.suptitle("the class, now")
    figure.tight_layout()
    plt.close(figure)  # shown once, as the cell's value
    return figure


def _ago(when: float) -> str:
    if not when:
        return "-"
    seconds = int(time.time() - when)
    return f"{seconds} s ago" if seconds < 120 else f"{seconds // 60} min ago"


def clean_student(student: str, engine_socket: str = ENGINE_SOCKET) -> Table:
    """Remove what carries the student's label: containers (and their anonymous volumes), networks,
    volumes."""
    engine = Engine(f"unix://{engine_socket}")
    try:
        found = find_labelled(engine, student_filter(student), None)
        return sweep(engine, found=found).table()
    finally:
        engine.close()
