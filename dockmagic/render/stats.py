"""Views of resource usage: the ``docker stats`` table and a recorded series (summary, plots)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .table import Column, Table
from .units import binary_size, human_size


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


def lookup(row: dict[str, Any], key: str) -> bool:
    return row.get("name") == key or row["id"].startswith(key)


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
        cols += [Column.key(f"MEM {k}", f"mem_{k}", binary_size) for k in ("min", "mean", "max")]
        return Table(rows, cols, title="samples", lookup=lambda r, k: r["name"] == k)

    def plot(self) -> Any:
        """A matplotlib Figure: CPU %, memory, network and block I/O over time, a line per container."""
        from .plot import stats_figure

        return stats_figure(self.records)

    def __repr__(self) -> str:
        return (
            f"<StatsSeries {len(self.records)} samples of {len(self.containers)} container(s)>\n"
            + repr(self.summary())
        )

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(repr(self))

    def _repr_html_(self) -> str:
        from .plot import figure_html

        html = self.summary()._repr_html_()
        return html + (figure_html(self.plot()) if self.records and not self.plotted else "")

    def latest(self) -> Table:
        """The newest sample of each container, as the ``docker stats`` table."""
        newest = {r["container"]: {**r, "name": r["container"]} for r in self.records}
        return Table(list(newest.values()), STATS_COLUMNS, title="containers", lookup=lookup)
