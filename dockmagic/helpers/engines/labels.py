"""A session's labels: what every resource made through dockmagic carries, over any the caller gave: the
session's (what ``ps --mine``, ``clean`` and the reaper go by) and the configured ones
(``DockerMagics.labels``: an instructor's, which a ``-l`` of the same key cannot replace).

A session is this process: a kernel, a REPL or a script. ``stamp`` is its create hook, which the
helpers' session installs on the engine client (by itself, the client labels nothing).
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Mapping
from typing import Any

from ...engine.core import EngineCore
from ...settings import settings

SESSION = "dockmagic.session"  # on containers, networks and volumes
# On images, another key: a container takes its image's labels, and one made from this session's
# image by anyone else must not pass for this session's (nor be removed with it).
BUILT = "dockmagic.session.image"
SESSION_ID = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


def forced(key: str = SESSION) -> dict[str, str]:
    return {**settings.labels, key: SESSION_ID}


SWARM_KINDS = ("service", "secret", "config")  # only a swarm manager has them
_swarm_used: set[str] = set()  # engine URLs this session made services, secrets or configs on


def stamp(engine: EngineCore, kind: str, labels: dict[str, Any]) -> dict[str, Any]:
    """The create hook of a session: ``labels`` with the forced ones over them."""
    if kind in SWARM_KINDS:
        _swarm_used.add(engine.host.url)
    if kind == "commit":  # the image is this session's, not the container's: containers made from
        return {**labels, **forced(BUILT), SESSION: ""}  # it take its labels
    return {**labels, **forced(BUILT if kind == "image" else SESSION)}


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


def swarm_used(engine: EngineCore) -> bool:
    """Whether this session made swarm objects on ``engine``: only then does its end ask for them
    (a student's engine, behind the lab proxy, may not be asked about the swarm at all)."""
    return engine.host.url in _swarm_used
