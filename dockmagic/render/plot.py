"""Plots of stats series with matplotlib, imported only when a plot is drawn."""

from __future__ import annotations

import base64
import io
import itertools
from collections import defaultdict
from typing import Any


def _matplotlib() -> Any:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("plots need matplotlib: pip install 'dockmagic[plot]'") from None
    return Figure


def _rates(points: list[dict[str, Any]], key: str) -> tuple[list[float], list[float]]:
    """Per-second rate of a cumulative counter between consecutive samples."""
    ts, values = [], []
    for a, b in itertools.pairwise(points):
        dt = b["time"] - a["time"]
        if dt > 0:
            ts.append(b["t"])
            values.append(max(b[key] - a[key], 0) / dt)
    return ts, values


def stats_figure(records: list[dict[str, Any]], width: float = 11, height: float = 6.5) -> Any:
    """Four panels: CPU %, memory (MiB), network (kB/s rx solid, tx dashed), block I/O (kB/s)."""
    figure_cls = _matplotlib()
    # Fixed margins, not a layout engine: "constrained" layout doubles the cost of every redraw,
    # and a live plot redraws once a second.
    fig = figure_cls(figsize=(width, height))
    fig.subplots_adjust(left=0.07, right=0.98, top=0.95, bottom=0.08, hspace=0.3, wspace=0.2)
    axes = fig.subplots(2, 2, sharex=True)
    by_name: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        by_name[r["container"]].append(r)
    for i, (name, points) in enumerate(by_name.items()):
        color = f"C{i % 10}"
        t = [p["t"] for p in points]
        axes[0][0].plot(t, [p["cpu_percent"] for p in points], color=color, label=name)
        axes[0][1].plot(t, [p["memory"] / 2**20 for p in points], color=color)
        for key, style in (("net_rx", "-"), ("net_tx", "--")):
            rt, rv = _rates(points, key)
            axes[1][0].plot(rt, [v / 1000 for v in rv], color=color, linestyle=style)
        for key, style in (("block_read", "-"), ("block_write", "--")):
            rt, rv = _rates(points, key)
            axes[1][1].plot(rt, [v / 1000 for v in rv], color=color, linestyle=style)
    titles = [
        ("CPU", "%"),
        ("Memory", "MiB"),
        ("Network (rx solid, tx dashed)", "kB/s"),
        ("Block I/O (read solid, write dashed)", "kB/s"),
    ]
    for ax, (title, unit) in zip([a for row in axes for a in row], titles, strict=True):
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(unit)
        ax.grid(alpha=0.3)
        ax.set_ylim(bottom=0)
    for ax in axes[1]:
        ax.set_xlabel("seconds")
    if by_name:
        axes[0][0].legend(fontsize=8, loc="upper left")
    return fig


def figure_png(fig: Any, dpi: int = 80) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def figure_html(fig: Any) -> str:
    data = base64.b64encode(figure_png(fig)).decode()
    return f"<img src='data:image/png;base64,{data}'/>"
