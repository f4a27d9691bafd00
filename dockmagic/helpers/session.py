"""The engine helpers use when none is passed: made on first use, replaceable with use()."""

from __future__ import annotations

import threading

from ..engine import Engine, TLSConfig

_lock = threading.Lock()
_default: Engine | None = None


def default_engine() -> Engine:
    global _default
    with _lock:
        if _default is None:
            _default = Engine()
        return _default


def use(host: str | Engine | None = None, *, tls: TLSConfig | None = None) -> Engine:
    """Point the helpers (and magics) at another engine: a URL, an Engine, or None for the default."""
    global _default
    engine = host if isinstance(host, Engine) else Engine(host, tls=tls)
    with _lock:
        old, _default = _default, engine
    if old is not None and old is not engine:
        old.close()
    return engine


def pick(engine: Engine | None) -> Engine:
    return engine if engine is not None else default_engine()
