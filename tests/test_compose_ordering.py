"""Services in dependency order, independent ones at once (no engine needed): the order holds,
a failure stops the walk, Ctrl-C returns at once and what was under way sees the stop."""

from __future__ import annotations

import _thread
import threading
import time

import pytest

from dockmagic.compose import ordering
from dockmagic.errors import OptionError

GRAPH = {"db": set(), "cache": set(), "web": {"db", "cache"}, "worker": {"db"}}


def test_each_service_begins_after_what_it_needs_and_independent_ones_overlap() -> None:
    began: dict[str, float] = {}
    ended: dict[str, float] = {}
    running, most = 0, 0
    lock = threading.Lock()

    def act(name: str, stop: threading.Event) -> None:
        nonlocal running, most
        with lock:
            began[name] = time.monotonic()
            running += 1
            most = max(most, running)
        time.sleep(0.2)
        with lock:
            running -= 1
            ended[name] = time.monotonic()

    ordering.walk(GRAPH, act)
    for name, needs in GRAPH.items():
        assert all(began[name] >= ended[n] for n in needs)
    assert most >= 2  # db and cache at once


def test_a_failure_stops_the_walk_and_is_raised() -> None:
    seen: list[str] = []

    def act(name: str, stop: threading.Event) -> None:
        seen.append(name)
        if name == "db":
            raise OptionError("db failed")

    with pytest.raises(OptionError, match="db failed"):
        ordering.walk(GRAPH, act)
    assert "web" not in seen and "worker" not in seen


def test_ctrl_c_returns_at_once_and_the_stop_is_seen() -> None:
    stopped = threading.Event()

    def act(name: str, stop: threading.Event) -> None:
        if stop.wait(30):  # a wait for a condition that never comes, until the stop
            stopped.set()

    threading.Timer(0.3, _thread.interrupt_main).start()
    began = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        ordering.walk(GRAPH, act)
    assert time.monotonic() - began < 5  # not the 30 s the act would wait
    assert stopped.wait(2)
    left = [t for t in threading.enumerate() if t.name.startswith("dockmagic-compose")]
    for thread in left:
        thread.join(2)
    assert not any(t.is_alive() for t in left)


def test_a_cycle_is_named() -> None:
    with pytest.raises(OptionError, match=r"a dependency cycle \(a -> b -> a\)"):
        ordering.check_acyclic({"a": {"b"}, "b": {"a"}})


def test_down_goes_in_the_reverse_order() -> None:
    assert ordering.reversed_graph(GRAPH) == {
        "db": {"web", "worker"}, "cache": {"web"}, "web": set(), "worker": set()
    }  # fmt: skip
