"""``logs``: a container's output, streamed live with stdout and stderr kept apart."""

from __future__ import annotations

import contextlib
import functools
import shutil
import time
from typing import Any

from ...engine import Engine
from ...errors import DockerError
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
    stream = None
    try:  # Ctrl-C may come while the engine has not answered yet (Podman answers at the first line)
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
        live.feed_all(stream)
        # followed logs end when the container stops, or at --until (a real end, not a cut)
        if follow and (ends is None or time.time() < float(ends) - 0.5):
            confirm_ended(lambda: container_running(engine, info["Id"]), info["Name"].lstrip("/"))
    except KeyboardInterrupt:
        if not follow:
            raise
        # Ctrl-C is how following ends, as with docker logs -f: what arrived is the result
    finally:  # also on Ctrl-C: the connection is closed, what arrived was shown
        if stream is not None:
            stream.close()
        live.close()
    return LogsResult(
        stdout=live.stdout,
        stderr=live.stderr,
        hidden_lines=live.hidden_lines,
        container=info["Name"].lstrip("/"),
    )


def attach(
    container: str,
    *,
    quiet: bool = False,
    no_stdin: bool = False,
    detach_keys: str | None = None,
    engine: Engine | None = None,
) -> LogsResult:
    """``docker attach`` for a notebook: the container's output from now on, live, until it stops,
    and its stdin (if it keeps one open, unless ``no_stdin``) from what is typed: the user's
    terminal in a terminal IPython (the detach keys, Ctrl-P Ctrl-Q by default, leave it), the input
    box under the cell in JupyterLab. Ctrl-C detaches (the container keeps running)."""
    from .terminal import converse, terminal_available

    engine = engine_for(engine)
    info = engine.container_inspect(container)
    live = LiveOutput(show=not quiet)
    config = info.get("Config") or {}
    keeps_stdin = bool(config.get("OpenStdin")) and not no_stdin
    on_terminal = keeps_stdin and terminal_available()
    ask = not on_terminal and wants_prompt(None, keeps_stdin)  # typed into the notebook
    sock = engine.container_attach(info["Id"], stdin=on_terminal or ask, detach_keys=detach_keys)
    tty = bool(config.get("Tty"))
    try:
        if on_terminal:
            resize = functools.partial(engine.container_resize, info["Id"])
            if tty:  # the shell redraws its prompt for the new size, as after the CLI's attach
                # (converse sends the size too, later: without this first one the prompt of a
                # shell detached from earlier does not come back; the pty test shows it)
                with contextlib.suppress(DockerError):
                    resize(*_terminal_size())
            if converse(sock, tty=tty, resize=resize, detach_keys=detach_keys):
                print(f"\r\ndetached from {info['Name'].lstrip('/')}; it keeps running", flush=True)
                return LogsResult(stdout="", stderr="", container=info["Name"].lstrip("/"))
        else:
            pump(sock, tty, live, None, ask=ask)
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


def _terminal_size() -> tuple[int, int]:
    size = shutil.get_terminal_size()
    return size.lines, size.columns
