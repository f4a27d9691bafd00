"""Plots of stats series with matplotlib, imported only when a plot is drawn."""

from __future__ import annotations

import base64
import io
import itertools
import math
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


def _nice(value: float) -> float:
    """The next round number above ``value`` (1, 2 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


class StatsFigure:
    """The four panels, kept between updates. A live tick moves the lines and redraws only them
    over a saved background; the axes grow in round steps, so the whole figure (its text is most
    of the cost) is drawn again only when a limit, a legend or a container changes."""

    def __init__(self, width: float = 11, height: float = 6.5, dpi: int = 80) -> None:
        figure_cls = _matplotlib()  # first: says which extra is missing
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        # Fixed margins, not a layout engine: "constrained" layout doubles the cost of a redraw.
        self.fig = figure_cls(figsize=(width, height), dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        self.fig.subplots_adjust(
            left=0.07, right=0.98, top=0.95, bottom=0.08, hspace=0.3, wspace=0.2
        )
        self.axes = self.fig.subplots(2, 2, sharex=True)
        self.lines: dict[tuple[str, str], Any] = {}
        self.colors: dict[str, str] = {}  # a colour per container, the same in every panel
        self._limits: dict[Any, float] = {}  # per panel its top; "x" the right edge
        self._backgrounds: list[Any] = []
        self._stale = True  # a whole redraw is due
        _decorate(self.axes)

    @property
    def _panels(self) -> list[Any]:
        return [a for row in self.axes for a in row]

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
                    (line,) = self.axes[row][col].plot(
                        [], [], color=color, linestyle=style, label=label
                    )
                    self.lines[(name, key)] = line
                    if label:
                        self.axes[0][0].legend(fontsize=8, loc="upper left")
                    self._stale = True
                line.set_data(*_series(points, key))
        self._grow()
        return self

    def _grow(self) -> None:
        """Limits only grow, in round steps: most ticks then keep the background as it is."""
        tops: dict[Any, float] = defaultdict(float)
        right = 0.0
        for line in self.lines.values():
            xs, ys = line.get_xdata(), line.get_ydata()
            if len(xs):
                right = max(right, max(xs))
                # NaN (a first CPU sample has nothing to compare with) wins Python's max() when it
                # comes first, and the axis then never grows past 1 %: leave it out
                tops[line.axes] = max(tops[line.axes], max((y for y in ys if y == y), default=0))
        if right > self._limits.get("x", 0):
            self._limits["x"] = _nice(right * 1.2)
            self.axes[0][0].set_xlim(0, self._limits["x"])
            self._stale = True
        for ax in self._panels:
            if tops[ax] > self._limits.get(ax, 0) or ax not in self._limits:
                self._limits[ax] = _nice(tops[ax] * 1.2)
                ax.set_ylim(0, self._limits[ax])
                self._stale = True

    def fit(self) -> StatsFigure:
        """Limits fitted to the data, for the figure that stays (live ones keep room to grow)."""
        for ax in self._panels:
            ax.relim()
            ax.set_autoscale_on(True)
            ax.autoscale_view()
            ax.set_ylim(bottom=0)
        self._limits.clear()
        self._stale = True
        return self

    def _draw(self) -> None:
        if self._stale:  # the whole figure once, without the lines: that is the background
            kept = {k: line.get_data() for k, line in self.lines.items()}
            for line in self.lines.values():
                line.set_data([], [])
            self.canvas.draw()
            self._backgrounds = [self.canvas.copy_from_bbox(ax.bbox) for ax in self._panels]
            for k, line in self.lines.items():
                line.set_data(*kept[k])
            self._stale = False
        for background in self._backgrounds:
            self.canvas.restore_region(background)
        for line in self.lines.values():
            line.axes.draw_artist(line)

    def png(self, quick: bool = True) -> bytes:
        """The figure as PNG; ``quick`` compresses lightly (a tick's image lives a second)."""
        from PIL import Image

        self._draw()
        width, height = self.canvas.get_width_height()
        image = Image.frombuffer(
            "RGBA", (width, height), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1
        )
        buf = io.BytesIO()
        image.save(buf, format="png", compress_level=1 if quick else 6)
        return buf.getvalue()


def stats_figure(records: list[dict[str, Any]], width: float = 11, height: float = 6.5) -> Any:
    """Four panels: CPU %, memory (MiB), network (kB/s rx solid, tx dashed), block I/O (kB/s)."""
    return StatsFigure(width, height).update(records).fit().fig


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
