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


# (panel row, column, series, line style) of each line a container gets
_LINES = [
    (0, 0, "cpu_percent", "-"),
    (0, 1, "memory", "-"),
    (1, 0, "net_rx", "-"),
    (1, 0, "net_tx", "--"),
    (1, 1, "block_read", "-"),
    (1, 1, "block_write", "--"),
]


def _series(points: list[dict[str, Any]], key: str) -> tuple[list[float], list[float]]:
    if key == "cpu_percent":
        return [p["t"] for p in points], [p["cpu_percent"] for p in points]
    if key == "memory":
        return [p["t"] for p in points], [p["memory"] / 2**20 for p in points]
    t, rates = _rates(points, key)
    return t, [v / 1000 for v in rates]


class StatsFigure:
    """The four panels, kept between updates: a live plot moves its lines (and rescales) rather
    than building a figure each tick."""

    def __init__(self, width: float = 11, height: float = 6.5) -> None:
        # Fixed margins, not a layout engine: "constrained" layout doubles the cost of every
        # redraw, and a live plot redraws once a second.
        self.fig = _matplotlib()(figsize=(width, height))
        self.fig.subplots_adjust(left=0.07, right=0.98, top=0.95, bottom=0.08, hspace=0.3, wspace=0.2)
        self.axes = self.fig.subplots(2, 2, sharex=True)
        self.lines: dict[tuple[str, str], Any] = {}
        self.colors: dict[str, str] = {}  # a colour per container, the same in every panel
        _decorate(self.axes)

    def update(self, records: list[dict[str, Any]]) -> StatsFigure:
        by_name: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in records:
            by_name[r["container"]].append(r)
        for name, points in by_name.items():
            for row, col, key, style in _LINES:
                line = self.lines.get((name, key))
                if line is None:
                    color = self.colors.setdefault(name, f"C{len(self.colors) % 10}")
                    label = name if key == "cpu_percent" else None
                    (line,) = self.axes[row][col].plot([], [], color=color, linestyle=style, label=label)
                    self.lines[(name, key)] = line
                    if label:
                        self.axes[0][0].legend(fontsize=8, loc="upper left")
                line.set_data(*_series(points, key))
        for ax in (a for row in self.axes for a in row):
            ax.relim()
            ax.set_autoscale_on(True)  # set_ylim(bottom=0) turned it off
            ax.autoscale_view()
            ax.set_ylim(bottom=0)
        return self

    def png(self, dpi: int = 80, quick: bool = True) -> bytes:
        """The figure as PNG; ``quick`` compresses lightly (a tick's image lives a second)."""
        buf = io.BytesIO()
        self.fig.savefig(buf, format="png", dpi=dpi, pil_kwargs={"compress_level": 1} if quick else None)
        return buf.getvalue()


def stats_figure(records: list[dict[str, Any]], width: float = 11, height: float = 6.5) -> Any:
    """Four panels: CPU %, memory (MiB), network (kB/s rx solid, tx dashed), block I/O (kB/s)."""
    return StatsFigure(width, height).update(records).fig


def _decorate(axes: Any) -> None:
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


def figure_png(fig: Any, dpi: int = 80) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def figure_html(fig: Any) -> str:
    data = base64.b64encode(figure_png(fig)).decode()
    return f"<img src='data:image/png;base64,{data}'/>"
