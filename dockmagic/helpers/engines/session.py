"""The engine helpers use when none is passed: made on first use, replaceable with use(); and the
session's labels on whatever any engine of this process creates."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from ...engine import Engine, TLSConfig
from ...engine.hosts import normalize_url
from ...settings import settings
from .labels import stamp

Engine.on_create(stamp)
_lock = threading.Lock()
_default: Engine | None = None
_current: ContextVar[Engine | None] = ContextVar("dockmagic_engine", default=None)


def default_engine() -> Engine:
    global _default
    with _lock:
        if _default is None:
            _default = Engine()
        return _default


def use(host: str | Engine | None = None, *, tls: TLSConfig | None = None) -> Engine:
    """Point the helpers (and magics) at another engine: a URL, an Engine, or None for the default.
    ``settings.host`` (``%config DockerMagics.host``) says the same afterwards."""
    engine = host if isinstance(host, Engine) else Engine(host, tls=tls)
    _install(engine)
    settings.host = (
        engine.host.url if host is not None else ""
    )  # follow_host then finds nothing to do
    return engine


def _install(engine: Engine) -> None:
    global _default
    with _lock:
        old, _default = _default, engine
    if old is not None and old is not engine:
        old.close()


def follow_host(url: str) -> None:
    """``settings.host`` changed: use that engine, unless it is the one in use already."""
    with _lock:
        current = _default
    if current is not None:
        from_environment = current.host.source != "argument"
        if (not url and from_environment) or (url and current.host.url == normalize_url(url)):
            return
    _install(Engine(url or None))


def follow_context() -> None:
    """After ``context use``: a default engine found from the environment is found again, as the
    CLI's next command would; one the user named explicitly stays."""
    with _lock:
        stale = _default is not None and _default.host.source != "argument"
    if stale:
        _install(Engine())


@contextmanager
def using(engine: Engine, close: bool = True) -> Iterator[Engine]:
    """Helpers called inside use ``engine`` (``%docker -H HOST ...`` for one command); it is closed
    after unless ``close`` is False (an engine kept for more)."""
    token = _current.set(engine)
    try:
        yield engine
    finally:
        _current.reset(token)
        if close:
            engine.close()


def engine_for(engine: Engine | None) -> Engine:
    return engine if engine is not None else _current.get() or default_engine()
