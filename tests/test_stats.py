"""Stats: the docker stats arithmetic (cgroup v1 and v2), concurrent snapshots, series, plots."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from typing import Any

import pytest

import dockmagic
from dockmagic.engine import Engine
from dockmagic.errors import NotFound
from dockmagic.helpers.stats.measures import measures
from dockmagic.render.live import LiveDisplay

from .support import LABELS, unique

V1 = {
    "cpu_stats": {
        "cpu_usage": {"total_usage": 400, "percpu_usage": [200, 200]},
        "system_cpu_usage": 2000,
    },
    "precpu_stats": {"cpu_usage": {"total_usage": 200}, "system_cpu_usage": 1000},
    "memory_stats": {
        "usage": 100 * 2**20,
        "limit": 1000 * 2**20,
        "stats": {"total_inactive_file": 20 * 2**20},
    },
    "networks": {"eth0": {"rx_bytes": 10, "tx_bytes": 5}, "eth1": {"rx_bytes": 1, "tx_bytes": 1}},
    "blkio_stats": {
        "io_service_bytes_recursive": [
            {"op": "Read", "value": 7},
            {"op": "Write", "value": 9},
            {"op": "Total", "value": 16},
        ]
    },
    "pids_stats": {"current": 3},
}
V2 = {
    "cpu_stats": {"cpu_usage": {"total_usage": 1500}, "system_cpu_usage": 10000, "online_cpus": 4},
    "precpu_stats": {"cpu_usage": {"total_usage": 1000}, "system_cpu_usage": 8000},
    "memory_stats": {
        "usage": 50 * 2**20,
        "limit": 100 * 2**20,
        "stats": {"inactive_file": 10 * 2**20},
    },
    "blkio_stats": {
        "io_service_bytes_recursive": [{"op": "read", "value": 1}, {"op": "write", "value": 2}]
    },
}


def test_cgroup_v1_numbers() -> None:
    m = measures(V1)
    assert m["cpu_percent"] == 40.0  # 200/1000 of the system, times 2 CPUs
    assert (m["memory"], m["memory_percent"]) == (80 * 2**20, 8.0)
    assert (m["net_rx"], m["net_tx"], m["block_read"], m["block_write"], m["pids"]) == (
        11,
        6,
        7,
        9,
        3,
    )


def test_cgroup_v2_numbers() -> None:
    m = measures(V2)
    assert m["cpu_percent"] == 100.0  # 500/2000 times 4 online CPUs
    assert (m["memory"], m["memory_percent"]) == (40 * 2**20, 40.0)
    assert (m["block_read"], m["block_write"], m["net_rx"]) == (1, 2, 0)


def test_no_previous_sample_means_zero_not_a_crash() -> None:
    assert measures({"cpu_stats": {}, "memory_stats": {}})["cpu_percent"] == 0.0


@pytest.fixture
def workers(engine: Engine, image: str) -> Iterator[list[str]]:
    names = [unique("spin"), unique("idle")]
    dockmagic.run(
        image,
        "sh -c 'while :; do :; done'",
        name=names[0],
        detach=True,
        cpus=0.5,
        labels=LABELS,
        engine=engine,
    )
    dockmagic.run(image, "sleep 60", name=names[1], detach=True, labels=LABELS, engine=engine)
    yield names
    for n in names:
        engine.container_delete(n, force=True)


def test_snapshot_of_many_shows_stopped_and_removed(
    engine: Engine, image: str, workers: list[str]
) -> None:
    stopped = unique("stopped")
    engine.container_create({"Image": image, "Cmd": ["true"], "Labels": LABELS}, name=stopped)
    try:
        table = dockmagic.stats([*workers, stopped], engine=engine)
        with pytest.raises(NotFound, match="No such container: no-such-container-xyz"):
            dockmagic.stats([workers[0], "no-such-container-xyz"], engine=engine)
        with pytest.raises(NotFound, match="No such container"):
            dockmagic.sample(["no-such-container-xyz"], duration=1, engine=engine)
    finally:
        engine.container_delete(stopped)
    assert table[workers[0]]["cpu_percent"] > 10
    assert table[workers[1]]["memory"] > 0 and table[workers[1]]["pids"] == 1
    assert table[stopped]["state"] == "created"
    assert "--" in table.to_text()  # no numbers for what is not running


def test_a_snapshot_of_all_while_containers_come_and_go(engine: Engine, image: str) -> None:
    """Containers that stop or go while they are sampled are left out, as the CLI leaves them
    (the engine answers their stats with an empty sample): no error, every time."""
    import threading

    halt = threading.Event()
    made: list[str] = []

    def churn() -> None:
        while not halt.is_set():
            body = {"Image": image, "Cmd": ["sleep", "0.7"], "Labels": LABELS}
            cid = engine.container_create(body, name=unique("churn"))["Id"]
            made.append(cid)
            engine.container_start(cid)
            time.sleep(0.3)

    thread = threading.Thread(target=churn, daemon=True)
    thread.start()
    try:
        for _ in range(8):
            table = dockmagic.stats(engine=engine)  # all running containers
            assert all(row["state"] in ("running", "paused") for row in table)
    finally:
        halt.set()
        thread.join(5)
        for cid in made:
            engine.container_delete(cid, force=True)


def test_sample_series_summary_plot(engine: Engine, workers: list[str]) -> None:
    series = dockmagic.sample(workers, duration=3.5, engine=engine)
    assert set(series.containers) == set(workers)
    spin = [
        r
        for r in series.records
        if r["container"] == workers[0] and not math.isnan(r["cpu_percent"])
    ]
    assert spin and 20 < max(r["cpu_percent"] for r in spin) < 80  # capped at half a CPU
    summary = series.summary()
    assert summary[workers[0]]["samples"] >= 2
    df = series.to_pandas()
    assert {"t", "container", "cpu_percent", "memory", "net_rx"} <= set(df.columns)
    fig = series.plot()
    assert [ax.get_title() for ax in fig.axes][:2] == ["CPU", "Memory"]
    assert series._repr_html_().count("<img src='data:image/png;base64,") == 1


def test_a_container_removed_while_sampling_ends_its_series(engine: Engine, image: str) -> None:
    name = unique()
    dockmagic.run(image, "sleep 1.5", name=name, detach=True, labels=LABELS, engine=engine)
    try:
        start = time.monotonic()
        series = dockmagic.sample([name], duration=10, engine=engine)
        assert time.monotonic() - start < 6  # ended with the container, not at the duration
        assert len(series.records) >= 1
    finally:
        engine.container_delete(name, force=True)


def test_watch_updates_in_place(
    engine: Engine, workers: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[Any] = []
    monkeypatch.setattr(LiveDisplay, "show", lambda self, obj: shown.append(obj))
    series = dockmagic.watch(workers[:1], duration=2.5, plot=True, engine=engine)
    assert series.plotted and series.records
    assert all(hasattr(obj, "_repr_png_") for obj in shown) and len(shown) >= 2


def test_live_stats_with_a_format_redraw_its_rows(
    ip: Any, workers: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``stats --format`` without --no-stream: the template's rows, redrawn each tick, as the CLI."""
    shown: list[Any] = []
    monkeypatch.setattr(LiveDisplay, "show", lambda self, obj: shown.append(obj))
    ip.run_line_magic(
        "docker", f"stats --duration 2.5 --format '{{{{.Name}}}}: {{{{.PIDs}}}}' {workers[1]}"
    )
    rows = [str(obj) for obj in shown if str(obj)]  # (before the first sample: nothing)
    assert rows and all(row == f"{workers[1]}: 1\n" for row in rows), shown


def test_run_with_stats(engine: Engine, image: str) -> None:
    r = dockmagic.run(
        image,
        # busy, then long enough for the engine's samples (about one a second) whatever the speed
        "sh -c 'i=0; while [ $i -lt 500000 ]; do i=$((i+1)); done; sleep 2'",
        stats=True,
        remove=True,
        quiet=True,
        labels=LABELS,
        engine=engine,
    )
    assert r.stats is not None and r.stats.records
    assert "<img" in r._repr_html_()


def test_plot_without_matplotlib_says_which_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_matplotlib(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("matplotlib"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    with pytest.raises(ImportError, match=r"pip install 'dockmagic\[plot\]'"):
        dockmagic.StatsSeries(
            [{"t": 0, "time": 0, "container": "c", "cpu_percent": 1.0, "memory": 1}]
        ).plot()


def test_importing_dockmagic_does_not_import_matplotlib() -> None:
    import subprocess
    import sys

    code = "import sys, dockmagic; print('matplotlib' in sys.modules, 'pandas' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "False"]


def test_a_live_figure_moves_its_lines() -> None:
    """Built once: each tick sets the lines' data (a new container gets its own colour in every
    panel) and rescales, instead of building a figure."""
    from dockmagic.render.plot import StatsFigure

    def records(names: list[str], n: int) -> list[dict[str, Any]]:
        zero = dict.fromkeys(("net_rx", "net_tx", "block_read", "block_write"), 0)
        return [
            {
                "t": t,
                "time": t,
                "container": c,
                "cpu_percent": 10.0 * t,
                "memory": 2**20 * t,
                **zero,
            }
            for t in range(n)
            for c in names
        ]

    figure = StatsFigure()
    first = figure.update(records(["a"], 3)).png()
    lines = dict(figure.lines)
    figure.update(records(["a", "b"], 10))
    assert all(figure.lines[k] is line for k, line in lines.items())  # the same lines, moved
    assert list(figure.lines[("a", "cpu_percent")].get_xdata()) == list(range(10))
    assert figure.lines[("a", "memory")].get_color() != figure.lines[("b", "memory")].get_color()
    assert figure.axes[0][0].get_ylim()[1] >= 90  # rescaled to the new data
    assert first.startswith(b"\x89PNG") and figure.png(quick=False).startswith(b"\x89PNG")
    figure.update(
        records(["a", "b"], 11)
    ).png()  # within the limits: only the lines are drawn again
    assert not figure._stale and figure.axes[0][0].get_xlim()[1] >= 10


def test_a_live_cpu_axis_grows_past_a_first_sample_without_cpu() -> None:
    """The first sample of a series has no CPU % (NaN: nothing before it to compare with); the
    live axis must still grow to the 50-90 % that follow."""
    from dockmagic.render.plot import StatsFigure

    zero = dict.fromkeys(("net_rx", "net_tx", "block_read", "block_write"), 0)
    records = [
        {"t": t, "time": t, "container": "busy", "memory": 2**20, **zero,
         "cpu_percent": math.nan if t == 0 else 80.0}
        for t in range(4)
    ]  # fmt: skip
    figure = StatsFigure()
    figure.update(records).png()
    assert figure.axes[0][0].get_ylim()[1] >= 80


def test_a_live_table_in_a_terminal_is_redrawn_in_place(monkeypatch: pytest.MonkeyPatch) -> None:
    """In a terminal, each update takes the last one's rows back and draws over them (the CLI's
    live stats), instead of printing a new table every second."""
    import io

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    monkeypatch.setattr("sys.stdout", screen)
    live = LiveDisplay()
    live.show("NAME  CPU %\nweb   1.00%")
    live.show("NAME  CPU %\nweb   2.00%")
    assert screen.getvalue() == "NAME  CPU %\nweb   1.00%\n\x1b[2F\x1b[JNAME  CPU %\nweb   2.00%\n"
