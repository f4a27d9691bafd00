"""Services in dependency order, independent ones at once, as compose's ``InDependencyOrder``
walks them: ``up`` creates and starts a service once what it depends on is done, ``down`` stops
one once what depends on it is stopped (the reverse)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from ..errors import OptionError

# At most this many services at once: the engine serialises much of the work anyway, and a
# project of fifty services should not open fifty connections.
WORKERS = 8


def dependencies(services: Mapping[str, Mapping[str, Any]]) -> dict[str, set[str]]:
    """Each service's dependencies within ``services`` (a missing optional one is not waited for)."""
    return {
        name: {d for d in (spec.get("depends_on") or {}) if d in services and d != name}
        for name, spec in services.items()
    }


def reversed_graph(graph: Mapping[str, set[str]]) -> dict[str, set[str]]:
    """Who depends on each service: what must go first when the project goes down."""
    out: dict[str, set[str]] = {name: set() for name in graph}
    for name, needs in graph.items():
        for dependency in needs:
            out[dependency].add(name)
    return out


def check_acyclic(graph: Mapping[str, set[str]]) -> None:
    """Say which services depend on each other in a circle, before anything is made."""
    state: dict[str, int] = {}  # 1: being visited, 2: done

    def visit(name: str, path: tuple[str, ...]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = (*path[path.index(name) :], name)
            raise OptionError(f"services: a dependency cycle ({' -> '.join(cycle)})")
        state[name] = 1
        for dependency in sorted(graph[name]):
            visit(dependency, (*path, name))
        state[name] = 2

    for name in sorted(graph):
        visit(name, ())


def walk(
    graph: Mapping[str, set[str]],
    act: Callable[[str, threading.Event], None],
    *,
    workers: int = WORKERS,
) -> None:
    """Call ``act(service, stop)`` for every service of ``graph`` once all it needs is done,
    independent services in threads at once. On the first failure no service is begun any
    more, ``stop`` is set (so that waits inside ``act`` end), the ones under way finish, and the
    failure is raised; on Ctrl-C the same, but it is raised at once (the calls under way end
    by themselves)."""
    check_acyclic(graph)
    stop = threading.Event()
    done: set[str] = set()
    running: dict[Future[None], str] = {}
    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="dockmagic-compose")
    try:
        while len(done) < len(graph):
            for name in sorted(graph):
                if name not in done and name not in running.values() and graph[name] <= done:
                    running[pool.submit(act, name, stop)] = name
            finished, _ = wait(running, timeout=0.25, return_when=FIRST_COMPLETED)
            for future in finished:
                future.result()  # a failure ends the walk here
                done.add(running.pop(future))
    except KeyboardInterrupt:
        # Ctrl-C must return now: the calls under way finish by themselves (they see ``stop``)
        stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    except BaseException:
        stop.set()  # a failure: what is under way ends first, so that what is left is known
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
