"""One command on many engines at once: ``%docker --host a,b,c ps`` and ``dockmagic.engines([...])``.

Each engine gets its own thread (with its own ``using(engine)`` context, so helpers inside find it);
tables are merged with an ENGINE column in front, and an engine that fails is one row saying why,
not a failure of all.
"""

from __future__ import annotations

import contextvars
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from ...engine import Engine, TLSConfig
from ...engine.hosts import context_host
from ...errors import CommandError, DockerError
from ...render.table import Column, Table
from .session import using


@dataclass
class Answer:
    """What one engine answered: a value, or the error it raised."""

    engine: str
    value: Any = None
    error: str | None = None


def targets(
    spec: str | Iterable[str | Engine],
    env: dict[str, str] | None = None,
    tls: TLSConfig | None = None,
) -> list[tuple[str, Engine]]:
    """(name, engine) for each of ``a,b,c``: URLs (``unix://``, ``tcp://``, ...; with ``tls`` if
    given) and context names (found in the CLI's store, as ``env`` says)."""
    items = [s.strip() for s in spec.split(",")] if isinstance(spec, str) else list(spec)
    out: list[tuple[str, Engine]] = []
    for item in items:
        if isinstance(item, Engine):
            out.append((item.host.url, item))
        elif not item:
            raise CommandError("an empty engine in the list (a,b,c)")
        elif "://" in item:
            out.append((item, Engine(item, tls=tls)))
        else:
            found = context_host(item, env if env is not None else dict(os.environ))
            out.append((item, Engine(found)))
    names = [name for name, _ in out]
    if len(set(names)) != len(names):
        raise CommandError(f"an engine is named twice: {', '.join(names)}")
    return out


def fan_out(engines: list[tuple[str, Engine]], call: Callable[[], Any]) -> list[Answer]:
    """``call()`` once per engine, all at once; each in a context that uses its engine."""

    def one(name: str, engine: Engine) -> Answer:
        def inside() -> Answer:
            try:
                with using(engine, close=False):
                    return Answer(name, call())
            except DockerError as exc:
                return Answer(name, error=str(exc))

        return contextvars.copy_context().run(inside)

    futures = [_pool().submit(one, *pair) for pair in engines[1:]]
    try:
        here = one(*engines[0])  # the first in this thread: one handoff less
        return [here, *(f.result() for f in futures)]
    except BaseException:  # Ctrl-C: back at once; what is under way ends with its own engine call
        for f in futures:
            f.cancel()
        raise


_workers: ThreadPoolExecutor | None = None
_workers_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    """Threads kept for fan-outs: starting them is most of a fast command's cost."""
    global _workers
    with _workers_lock:
        if _workers is None:
            _workers = ThreadPoolExecutor(max_workers=32, thread_name_prefix="dockmagic-fanout")
        return _workers


def merged(answers: list[Answer]) -> Any:
    """Tables as one, with ENGINE first (and ERROR when an engine failed); else the answers."""
    tables = [a for a in answers if isinstance(a.value, Table)]
    if not tables and any(a.error is None for a in answers):
        return Answers(answers)
    first = tables[0].value if tables else None
    rows: list[dict[str, Any]] = []
    for answer in answers:
        if answer.error is not None:
            rows.append({"_engine": answer.engine, "_error": answer.error})
            continue
        if isinstance(answer.value, Table):
            rows += [{**row, "_engine": answer.engine} for row in answer.value.rows]
    columns = [Column.key("ENGINE", "_engine")]
    if first is not None:
        columns += [guarded(c) for c in first.columns]
    if any(a.error for a in answers):
        columns.append(Column.key("ERROR", "_error"))
    return Table(rows, columns, title=first.title if first is not None else "engines")


def guarded(column: Column) -> Column:
    """A column of the engines' tables, blank on an error row (which has none of its keys)."""
    get = column.get
    return Column(column.title, lambda row: None if "_error" in row else get(row), column.show)


@dataclass
class Answers:
    """Answers that are not tables, one per engine, shown one after another."""

    answers: list[Answer]

    def __iter__(self) -> Iterator[Answer]:
        return iter(self.answers)

    def __getitem__(self, engine: str) -> Any:
        return next(a.value for a in self.answers if a.engine == engine)

    def __repr__(self) -> str:
        return "\n".join(f"== {a.engine} ==\n{a.error or repr(a.value)}" for a in self.answers)


class Engines:
    """Several engines as one: ``dockmagic.engines(["unix:///a.sock", "lab"]).ps()``: any helper,
    called on each engine at once, its tables merged with an ENGINE column."""

    def __init__(self, spec: str | Iterable[str | Engine]) -> None:
        self.targets = targets(spec)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        from ... import helpers

        helper = getattr(helpers, name)
        return lambda *args, **kwargs: merged(
            fan_out(self.targets, lambda: helper(*args, **kwargs))
        )

    def close(self) -> None:
        for _, engine in self.targets:
            engine.close()


def engines(spec: str | Iterable[str | Engine]) -> Engines:
    return Engines(spec)
