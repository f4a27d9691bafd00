"""``logs``: a container's output, streamed live with stdout and stderr kept apart."""

from __future__ import annotations

import time
from typing import Any

from ...engine import Engine
from ...render.results import LogsResult
from ..engines.session import engine_for
from ..timeparse import to_timestamp
from .output import LiveOutput
from .streaming import confirm_ended, container_running, pump, wants_prompt


def logs(
    container: str,
    *,
    follow: bool = False,
    tail: int | str | None = None,
    since: Any = None,
    until: Any = None,
    timestamps: bool = False,
    stdout: bool = True,
    stderr: bool = True,
    details: bool = False,
    quiet: bool = False,
    engine: Engine | None = None,
) -> LogsResult:
    """Like ``docker logs``; ``since``/``until`` take seconds, datetimes, RFC 3339 or ``10m``."""
    engine = engine_for(engine)
    info = engine.container_inspect(container)
    live = LiveOutput(show=not quiet)
    ends = to_timestamp(until)
    stream = engine.container_logs(
        info["Id"],
        follow=follow,
        tail="all" if tail is None else tail,
        since=to_timestamp(since),
        until=ends,
        timestamps=timestamps,
        stdout=stdout,
        stderr=stderr,
        details=details,
        tty=bool((info.get("Config") or {}).get("Tty")),
    )
    try:
        live.feed_all(stream)
        # followed logs end when the container stops, or at --until (a real end, not a cut)
        if follow and (ends is None or time.time() < float(ends) - 0.5):
            confirm_ended(lambda: container_running(engine, info["Id"]), info["Name"].lstrip("/"))
    except KeyboardInterrupt:
        if not follow:
            raise
        # Ctrl-C is how following ends, as with docker logs -f: what arrived is the result
    finally:  # also on Ctrl-C: the connection is closed, what arrived was shown
        stream.close()
        live.close()
    return LogsResult(
        stdout=live.stdout,
        stderr=live.stderr,
        hidden_lines=live.hidden_lines,
        container=info["Name"].lstrip("/"),
    )


def attach(container: str, *, quiet: bool = False, engine: Engine | None = None) -> LogsResult:
    """``docker attach`` for a notebook: the container's output from now on, live, until it stops.
    Ctrl-C detaches (the container keeps running) and closes the connection."""
    engine = engine_for(engine)
    info = engine.container_inspect(container)
    live = LiveOutput(show=not quiet)
    config = info.get("Config") or {}
    ask = wants_prompt(None, bool(config.get("OpenStdin")))  # typed into the notebook
    sock = engine.container_attach(info["Id"], stdin=ask)
    try:
        pump(sock, bool(config.get("Tty")), live, None, ask=ask)
        confirm_ended(lambda: container_running(engine, info["Id"]), info["Name"].lstrip("/"))
    except KeyboardInterrupt:
        pass  # Ctrl-C detaches: the container keeps running
    finally:
        sock.close()
        live.close()
    return LogsResult(
        stdout=live.stdout,
        stderr=live.stderr,
        hidden_lines=live.hidden_lines,
        container=info["Name"].lstrip("/"),
    )
