"""Resource usage: snapshots of many containers at once (``docker stats --no-stream``), recorded
series, and the live view. The arithmetic is in measures.py, the threads in sampling.py, the
views in render/stats.py."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ...engine import Engine
from ...engine.shapes import MalformedAnswer
from ...errors import DockerError, NotFound
from ...render.stats import STATS_COLUMNS, StatsSeries, lookup
from ...render.table import Table
from ..engines.session import engine_for
from .measures import measures
from .sampling import Sampler

MAX_WORKERS = 64  # concurrent stats requests


def _targets(engine: Engine, containers: Iterable[str] | None, all: bool) -> list[dict[str, Any]]:
    """(id, name, state) for each container: the running ones, all of them, or those named."""
    if containers is None:
        return [
            {"id": c["Id"], "name": c["Names"][0].lstrip("/"), "state": c["State"]}
            for c in engine.container_list(all=all)
        ]
    rows = []
    for name in containers:  # one that does not exist is an error, as the CLI's
        info = engine.container_inspect(name)
        rows.append(
            {"id": info["Id"], "name": info["Name"].lstrip("/"), "state": info["State"]["Status"]}
        )
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
    except MalformedAnswer:
        # A container that stops or goes while the engine samples it gets an empty answer
        # ("null"): that is its end, not a broken engine, unless it still runs.
        try:
            state = engine.container_inspect(row["id"])["State"]
        except NotFound:
            return _idle(row, "removed")
        if state["Running"]:
            raise
        return _idle(row, state["Status"])


def stats(
    containers: Iterable[str] | None = None, *, all: bool = False, engine: Engine | None = None
) -> Table:
    """A ``docker stats --no-stream`` snapshot, every container sampled at the same time.

    The engine answers each request after two of its own one-second cycles (CPU % needs two
    readings), so the requests run concurrently: many containers take about as long as one,
    up to the engine's own per-container cost (on a 2-core host, 50 take about 2.5 s).
    """
    engine = engine_for(engine)
    targets = _targets(engine, containers, all)
    rows: list[dict[str, Any]] = []
    if targets:
        with ThreadPoolExecutor(
            max_workers=min(MAX_WORKERS, len(targets)), thread_name_prefix="dockmagic-stats"
        ) as pool:
            rows = list(pool.map(lambda r: _snapshot_one(engine, r), targets))
    if containers is None:  # the containers listed: those that went meanwhile are not shown
        shown = ("running", "paused")
        rows = [r for r in rows if r["state"] != "removed" and (all or r["state"] in shown)]
    return Table(rows, STATS_COLUMNS, title="containers", lookup=lookup)


def sample(
    containers: Iterable[str] | None = None,
    *,
    duration: float | str = 10,
    interval: float = 1.0,
    all: bool = False,
    engine: Engine | None = None,
) -> StatsSeries:
    """Record a time series for each container at once, for ``duration`` (seconds or ``"30s"``)."""
    from ..timeparse import parse_duration

    engine = engine_for(engine)
    targets = [t for t in _targets(engine, containers, all) if t["state"] == "running"]
    sampler = Sampler(engine, targets, interval).start()
    end = time.monotonic() + parse_duration(duration)
    try:
        while time.monotonic() < end and sampler.running:
            time.sleep(min(0.1, max(end - time.monotonic(), 0)))
    finally:  # Ctrl-C included: stop the threads, keep what was recorded
        sampler.stop()
    return _checked(sampler, StatsSeries(sampler.snapshot(), interval))


def _checked(sampler: Sampler, series: StatsSeries) -> StatsSeries:
    """The series, unless a stream broke: then the error, with what was recorded as ``partial``."""
    try:
        sampler.check()
    except DockerError as exc:
        exc.partial = series
        raise
    return series


def watch(
    containers: Iterable[str] | None = None,
    *,
    duration: float | str | None = None,
    interval: float = 1.0,
    plot: bool = False,
    all: bool = False,
    engine: Engine | None = None,
    shown: Callable[[Table], Any] | None = None,
) -> StatsSeries:
    """``docker stats`` live: a table (or, with ``plot``, the plots) updated in place every
    ``interval`` until ``duration`` or Ctrl-C; returns everything recorded. ``shown`` turns each
    tick's table into what is shown (``--format``'s rows, redrawn as the CLI redraws them)."""
    from ...render.live import PNG, LiveDisplay
    from ...render.plot import StatsFigure
    from ..timeparse import parse_duration

    engine = engine_for(engine)
    targets = [t for t in _targets(engine, containers, all) if t["state"] == "running"]
    sampler = Sampler(engine, targets, interval).start()
    view = LiveDisplay()
    end = time.monotonic() + parse_duration(duration) if duration else None
    seen = -1
    series = StatsSeries([], interval, plotted=plot)
    figure = StatsFigure() if plot else None  # built once; each tick moves its lines
    try:
        while sampler.running and (end is None or time.monotonic() < end):
            time.sleep(0.1)
            records = sampler.snapshot()
            if len(records) != seen:
                seen, series.records = len(records), records
                if figure is not None:
                    png = figure.update(records).png()
                    view.bytes_sent = len(png)
                    view.show(PNG(png))
                else:
                    view.show(shown(series.latest()) if shown else series.latest())
    except KeyboardInterrupt:
        pass  # Ctrl-C is how a live view ends, as with docker stats
    finally:
        sampler.stop()
    series.records = sampler.snapshot()
    if figure is not None and series.records:
        view.show(
            PNG(figure.update(series.records).fit().png(quick=False))
        )  # the last one stays in the notebook
    return _checked(sampler, series)
