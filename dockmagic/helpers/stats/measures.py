"""The numbers ``docker stats`` shows, computed from one engine stats sample as the CLI computes
them, for cgroup v1 and v2."""

from __future__ import annotations

from typing import Any


def cpu_percent(sample: dict[str, Any]) -> float:
    cpu, pre = sample.get("cpu_stats") or {}, sample.get("precpu_stats") or {}
    cpu_delta = (cpu.get("cpu_usage") or {}).get("total_usage", 0) - (
        pre.get("cpu_usage") or {}
    ).get("total_usage", 0)
    system_delta = (cpu.get("system_cpu_usage") or 0) - (pre.get("system_cpu_usage") or 0)
    online = (
        cpu.get("online_cpus") or len((cpu.get("cpu_usage") or {}).get("percpu_usage") or []) or 1
    )
    if cpu_delta <= 0 or system_delta <= 0:
        return 0.0
    return cpu_delta / system_delta * online * 100.0


def memory_usage(sample: dict[str, Any]) -> tuple[int, int]:
    """(used, limit): usage minus page cache (v1 total_inactive_file, v2 inactive_file)."""
    mem = sample.get("memory_stats") or {}
    usage, stats = mem.get("usage") or 0, mem.get("stats") or {}
    for key in ("total_inactive_file", "inactive_file"):  # cgroup v1, then v2
        if key in stats and stats[key] < usage:
            usage -= stats[key]
            break
    return usage, mem.get("limit") or 0


def block_io(sample: dict[str, Any]) -> tuple[int, int]:
    read = write = 0
    for entry in (sample.get("blkio_stats") or {}).get("io_service_bytes_recursive") or []:
        op = str(entry.get("op", "")).lower()
        if op == "read":
            read += entry.get("value", 0)
        elif op == "write":
            write += entry.get("value", 0)
    return read, write


def network_io(sample: dict[str, Any]) -> tuple[int, int]:
    nets = (sample.get("networks") or {}).values()
    return sum(n.get("rx_bytes", 0) for n in nets), sum(n.get("tx_bytes", 0) for n in nets)


def measures(sample: dict[str, Any]) -> dict[str, Any]:
    """One engine stats sample as the numbers docker stats shows."""
    used, limit = memory_usage(sample)
    rx, tx = network_io(sample)
    read, write = block_io(sample)
    return {
        "cpu_percent": round(cpu_percent(sample), 2),
        "memory": used,
        "memory_limit": limit,
        "memory_percent": round(used / limit * 100, 2) if limit else 0.0,
        "net_rx": rx,
        "net_tx": tx,
        "block_read": read,
        "block_write": write,
        "pids": (sample.get("pids_stats") or {}).get("current", 0),
    }
