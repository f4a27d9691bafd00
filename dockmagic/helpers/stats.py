"""Resource usage: snapshots of many containers at once, and time series from the stats stream.

The numbers are computed the way ``docker stats`` computes them, for cgroup v1 and v2.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ..engine import Engine
from ..errors import DockerError, NotFound
from ..render.table import Column, Table
from ..render.units import binary_size, human_size
from .session import pick

MAX_WORKERS = 64  # concurrent stats requests


def cpu_percent(sample: dict[str, Any]) -> float:
    cpu, pre = sample.get("cpu_stats") or {}, sample.get("precpu_stats") or {}
    cpu_delta = (cpu.get("cpu_usage") or {}).get("total_usage", 0) - (pre.get("cpu_usage") or {}).get("total_usage", 0)
    system_delta = (cpu.get("system_cpu_usage") or 0) - (pre.get("system_cpu_usage") or 0)
    online = cpu.get("online_cpus") or len((cpu.get("cpu_usage") or {}).get("percpu_usage") or []) or 1
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


def _pct(v: Any) -> str:
    return "--" if math.isnan(v) else f"{v:.2f}%"


STATS_COLUMNS = [
    Column("CONTAINER ID", lambda r: r["id"][:12]),
    Column.key("NAME", "name"),
    Column.key("STATE", "state"),
    Column.key("CPU %", "cpu_percent", _pct),
    Column(
        "MEM USAGE / LIMIT",
        lambda r: (r.get("memory"), r.get("memory_limit")),
        lambda v: f"{binary_size(v[0])} / {binary_size(v[1])}" if v[0] is not None else "--",
    ),
    Column.key("MEM %", "memory_percent", _pct),
    Column(
        "NET I/O",
        lambda r: (r.get("net_rx"), r.get("net_tx")),
        lambda v: f"{human_size(v[0])} / {human_size(v[1])}" if v[0] is not None else "--",
    ),
    Column(
        "BLOCK I/O",
        lambda r: (r.get("block_read"), r.get("block_write")),
        lambda v: f"{human_size(v[0])} / {human_size(v[1])}" if v[0] is not None else "--",
    ),
    Column.key("PIDS", "pids"),
]


def _lookup(row: dict[str, Any], key: str) -> bool:
    return row.get("name") == key or row["id"].startswith(key)


def _targets(engine: Engine, containers: Iterable[str] | None, all: bool) -> list[dict[str, Any]]:
    """(id, name, state) for each container: the running ones, all of them, or those named."""
    if containers is None:
        return [
            {"id": c["Id"], "name": c["Names"][0].lstrip("/"), "state": c["State"]}
            for c in engine.container_list(all=all)
        ]
    rows = []
    for name in containers:
        try:
            info = engine.container_inspect(name)
            rows.append({"id": info["Id"], "name": info["Name"].lstrip("/"), "state": info["State"]["Status"]})
        except NotFound:
            rows.append({"id": name, "name": name, "state": "removed"})
    return rows


def _idle(row: dict[str, Any], state: str | None = None) -> dict[str, Any]:
    """A row for a container that has no usage to show (stopped, created, removed)."""
    return {
        **row,
        "state": state or row["state"],
        "cpu_percent": 0.0,
        "memory_percent": 0.0,
        "pids": 0,
        "memory": None,
        "net_rx": None,
        "block_read": None,
    }


def _snapshot_one(engine: Engine, row: dict[str, Any]) -> dict[str, Any]:
    if row["state"] not in ("running", "paused"):
        return _idle(row)
    try:
        return {**row, **measures(engine.container_stats(row["id"], stream=False))}
    except NotFound:
        return _idle(row, "removed")


def stats(containers: Iterable[str] | None = None, *, all: bool = False, engine: Engine | None = None) -> Table:
    """A ``docker stats --no-stream`` snapshot, every container sampled at the same time.

    The engine answers each request after two of its own one-second cycles (CPU % needs two
    readings), so the requests run concurrently: many containers take about as long as one,
    up to the engine's own per-container cost (on a 2-core host, 50 take about 2.5 s).
    """
    engine = pick(engine)
    targets = _targets(engine, containers, all)
    rows: list[dict[str, Any]] = []
    if targets:
        with ThreadPoolExecutor(
            max_workers=min(MAX_WORKERS, len(targets)), thread_name_prefix="dockmagic-stats"
        ) as pool:
            rows = list(pool.map(lambda r: _snapshot_one(engine, r), targets))
    return Table(rows, STATS_COLUMNS, title="containers", lookup=_lookup)


class Sampler:
    """Records samples from the streaming stats endpoint, one thread per container.

    The engine sends a sample about every second; ``interval`` keeps one per interval. Threads end
    when stopped (within about a second: after their next sample) or when their container stops.
    """

    def __init__(self, engine: Engine, targets: list[dict[str, Any]], interval: float = 1.0) -> None:
        self.engine, self.targets, self.interval = engine, targets, interval
        self.records: list[dict[str, Any]] = []
        self.started = time.time()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> Sampler:
        for target in self.targets:
            thread = threading.Thread(
                target=self._follow, args=(target,), daemon=True, name=f"dockmagic-sample-{target['name']}"
            )
            thread.start()
            self._threads.append(thread)
        return self

    def _follow(self, target: dict[str, Any]) -> None:
        last = 0.0
        try:
            stream = self.engine.container_stats(target["id"], stream=True)
            try:
                for sample in stream:
                    # After its container stops the engine keeps sending empty samples ("read" at year 1).
                    if self._stop.is_set() or str(sample.get("read", "")).startswith("0001-"):
                        break
                    now = time.time()
                    if now - last < self.interval * 0.9:
                        continue
                    last = now
                    record = {
                        "t": round(now - self.started, 3),
                        "time": now,
                        "container": target["name"],
                        "id": target["id"],
                        "state": "running",
                        **measures(sample),
                    }
                    if not (sample.get("precpu_stats") or {}).get("system_cpu_usage"):
                        record["cpu_percent"] = math.nan  # the first sample has no previous one to compare
                    with self._lock:
                        self.records.append(record)
            finally:
                stream.close()  # type: ignore[attr-defined]
        except DockerError:
            pass  # removed or stopped while sampling: its series simply ends

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.records)

    @property
    def running(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    def stop(self, wait: float = 0.8) -> None:
        """Ask the threads to end and give them ``wait`` seconds (Ctrl-C must return within one);
        one still reading ends after its next sample, at most a second later."""
        self._stop.set()
        deadline = time.monotonic() + wait
        for thread in self._threads:
            thread.join(max(deadline - time.monotonic(), 0))


@dataclass
class StatsSeries:
    """A recorded time series: ``records`` (one dict per container per tick)."""

    records: list[dict[str, Any]] = field(default_factory=list)
    interval: float = 1.0
    plotted: bool = False  # already shown as a live plot: the repr then shows the summary only

    @property
    def containers(self) -> list[str]:
        return list(dict.fromkeys(r["container"] for r in self.records))

    def to_pandas(self) -> Any:
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("to_pandas() needs pandas: pip install 'dockmagic[pandas]'") from None
        return pd.DataFrame(self.records)

    def summary(self) -> Table:
        """min / mean / max of CPU % and memory per container."""
        rows = []
        for name in self.containers:
            mine = [r for r in self.records if r["container"] == name]
            cpu = [r["cpu_percent"] for r in mine if not math.isnan(r["cpu_percent"])] or [math.nan]
            mem = [r["memory"] for r in mine]
            rows.append(
                {
                    "name": name,
                    "samples": len(mine),
                    "cpu_min": min(cpu),
                    "cpu_mean": sum(cpu) / len(cpu),
                    "cpu_max": max(cpu),
                    "mem_min": min(mem),
                    "mem_mean": sum(mem) / len(mem),
                    "mem_max": max(mem),
                }
            )
        cols = [Column.key("NAME", "name"), Column.key("SAMPLES", "samples")]
        cols += [Column.key(f"CPU % {k}", f"cpu_{k}", _pct) for k in ("min", "mean", "max")]
        cols += [Column.key(f"MEM {k}", f"mem_{k}", human_size) for k in ("min", "mean", "max")]
        return Table(rows, cols, title="samples", lookup=lambda r, k: r["name"] == k)

    def plot(self) -> Any:
        """A matplotlib Figure: CPU %, memory, network and block I/O over time, a line per container."""
        from ..render.plot import stats_figure

        return stats_figure(self.records)

    def __repr__(self) -> str:
        return f"<StatsSeries {len(self.records)} samples of {len(self.containers)} container(s)>\n" + repr(
            self.summary()
        )

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(repr(self))

    def _repr_html_(self) -> str:
        from ..render.plot import figure_html

        html = self.summary()._repr_html_()
        return html + (figure_html(self.plot()) if self.records and not self.plotted else "")

    def latest(self) -> Table:
        """The newest sample of each container, as the ``docker stats`` table."""
        newest = {r["container"]: {**r, "name": r["container"]} for r in self.records}
        return Table(list(newest.values()), STATS_COLUMNS, title="containers", lookup=_lookup)


def sample(
    containers: Iterable[str] | None = None,
    *,
    duration: float | str = 10,
    interval: float = 1.0,
    all: bool = False,
    engine: Engine | None = None,
) -> StatsSeries:
    """Record a time series for each container at once, for ``duration`` (seconds or ``"30s"``)."""
    from .timeparse import parse_duration

    engine = pick(engine)
    targets = [t for t in _targets(engine, containers, all) if t["state"] == "running"]
    sampler = Sampler(engine, targets, interval).start()
    end = time.monotonic() + parse_duration(duration)
    try:
        while time.monotonic() < end and sampler.running:
            time.sleep(min(0.1, max(end - time.monotonic(), 0)))
    finally:  # Ctrl-C included: stop the threads, keep what was recorded
        sampler.stop()
    return StatsSeries(sampler.snapshot(), interval)


def watch(
    containers: Iterable[str] | None = None,
    *,
    duration: float | str | None = None,
    interval: float = 1.0,
    plot: bool = False,
    all: bool = False,
    engine: Engine | None = None,
) -> StatsSeries:
    """``docker stats`` live: a table (or, with ``plot``, the plots) updated in place every
    ``interval`` until ``duration`` or Ctrl-C; returns everything recorded."""
    from ..render.live import PNG, LiveDisplay
    from ..render.plot import figure_png
    from .timeparse import parse_duration

    engine = pick(engine)
    targets = [t for t in _targets(engine, containers, all) if t["state"] == "running"]
    sampler = Sampler(engine, targets, interval).start()
    view = LiveDisplay()
    end = time.monotonic() + parse_duration(duration) if duration else None
    seen = -1
    series = StatsSeries([], interval, plotted=plot)
    try:
        while sampler.running and (end is None or time.monotonic() < end):
            time.sleep(0.1)
            records = sampler.snapshot()
            if len(records) != seen:
                seen, series.records = len(records), records
                if plot:
                    png = figure_png(series.plot())
                    view.bytes_sent = len(png)
                    view.show(PNG(png))
                else:
                    view.show(series.latest())
    except KeyboardInterrupt:
        pass  # Ctrl-C is how a live view ends, as with docker stats
    finally:
        sampler.stop()
    series.records = sampler.snapshot()
    if plot and series.records:
        view.show(PNG(figure_png(series.plot())))  # the final figure stays in the saved notebook
    return series
