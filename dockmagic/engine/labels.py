"""The labels every resource made through dockmagic carries, over any the caller gave: the
session's (what ``ps --mine``, ``clean`` and the reaper go by) and the configured ones
(``DockerMagics.labels``: an instructor's, which a ``-l`` of the same key cannot replace).

A session is this process: a kernel, a REPL or a script.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Callable, Mapping
from typing import Any

SESSION = "dockmagic.session"  # on containers, networks and volumes
# On images, another key: a container takes its image's labels, and one made from this session's
# image by anyone else must not pass for this session's (nor be removed with it).
BUILT = "dockmagic.session.image"
SESSION_ID = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


def forced(key: str = SESSION) -> dict[str, str]:
    from ..settings import settings  # here: the engine layer reads one setting, and only when creating

    return {**settings.labels, key: SESSION_ID}


_watchers: list[Callable[[Any], None]] = []


def watch(fn: Callable[[Any], None]) -> None:
    """Call ``fn(engine)`` before each create (an armed session links the engine to its reaper)."""
    _watchers.append(fn)


def stamped(labels: Mapping[str, Any] | None, creator: Any = None, key: str = SESSION) -> dict[str, Any]:
    """``labels`` with the forced ones over them, for a create through ``creator`` (an engine);
    ``key`` BUILT for images."""
    for fn in _watchers:
        fn(creator)
    return {**(labels or {}), **forced(key)}


def unstamped(labels: Mapping[str, Any] | None) -> dict[str, Any]:
    """``labels`` without the forced ones: what a caller asked for, for idempotent comparisons
    (another session's label is not a difference)."""
    drop = {*forced(), BUILT}
    return {k: v for k, v in (labels or {}).items() if k not in drop}


def stamps(labels: Mapping[str, Any] | None) -> dict[str, Any]:
    """The forced labels among ``labels``: what an update keeps, so what a session made stays its own."""
    plain = unstamped(labels)
    return {k: v for k, v in (labels or {}).items() if k not in plain}


def mine(key: str = SESSION, session: str | None = None) -> dict[str, list[str]]:
    """The filter for what this session (or ``session``) made; ``key`` BUILT for images."""
    return {"label": [f"{key}={session or SESSION_ID}"]}


_swarm_used: set[str] = set()  # engine URLs this session made services, secrets or configs on


def made_swarm_objects(creator: Any) -> None:
    host = getattr(creator, "host", None)
    if host is not None:
        _swarm_used.add(host.url)


def swarm_used(engine: Any) -> bool:
    """Whether this session made swarm objects on ``engine``: only then does its end ask for them
    (a student's engine, behind the lab proxy, may not be asked about the swarm at all)."""
    host = getattr(engine, "host", None)
    return host is not None and host.url in _swarm_used
