"""Driving a hijacked attach/exec stream: stdin fed from a thread, output shown live."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ...engine import Engine
from ...engine.streams import demux
from ...engine.transport import HijackedSocket
from ...errors import NotFound, StreamCut
from .output import LiveOutput


@contextmanager
def stdin_feeder(sock: HijackedSocket, data: bytes | None) -> Iterator[None]:
    """Write ``data`` then half-close, from a thread: a command that prints while it reads must not
    deadlock against us. The thread ends with the write (or with the socket)."""
    if data is None:
        yield
        return

    def feed() -> None:
        try:
            sock.write(data)
            sock.close_write()
        except OSError:
            pass  # the command exited without reading it all: nothing to feed

    thread = threading.Thread(target=feed, name="dockmagic-stdin", daemon=True)
    thread.start()
    try:
        yield
    finally:
        sock.close()  # unblocks the writer if it is still writing
        thread.join(timeout=1)


def pump(
    sock: HijackedSocket,
    tty: bool,
    live: LiveOutput,
    stdin: bytes | None,
    deadline: float | None = None,
    *,
    ask: bool = False,
) -> None:
    """Feed stdin and show output until the stream ends; closes the socket (Ctrl-C included).
    ``ask``: stdin is read from the notebook's input box, line by line (prompting.py)."""
    if ask:
        from .prompting import converse_by_input

        converse_by_input(sock, tty, live)
        return
    if tty and stdin is not None:
        stdin = tty_input(stdin)
    try:
        with stdin_feeder(sock, stdin):
            for chunk in demux(sock.chunks(deadline=deadline), tty):
                live.feed(chunk)
    finally:
        sock.close()


def tty_input(data: bytes) -> bytes:
    """Input for a TTY, ended as a terminal ends it: closing the stream is no end of input to a
    TTY, its end-of-file character is (^D, twice after a line without its newline)."""
    return data + (b"\x04" if not data or data.endswith(b"\n") else b"\x04\x04")


def stdin_plan(data: bytes | None, interactive: bool, attached: bool) -> tuple[bytes | None, bool]:
    """What a run's or exec's stdin is: the ``data`` given; else, with -i in the foreground
    (``attached``) and no terminal of the user's, what is typed into the notebook (the second
    value: ask) or, where nobody can type, an empty stdin, as the CLI's -i fed from nothing."""
    if data is not None or not interactive or not attached:
        return data, False
    if wants_prompt(None, True):
        return None, True
    return b"", False


def wants_prompt(stdin: bytes | None, interactive: bool) -> bool:
    """-i with nothing given as stdin, in a kernel whose notebook can answer input requests."""
    from .prompting import kernel_allows_input

    return stdin is None and interactive and kernel_allows_input()


GRACE = 1.0  # seconds an ended stream's process may take to be seen as ended


def cut(what: str) -> StreamCut:
    return StreamCut(
        f"the stream from {what} ended while it still runs: its output is incomplete (cut?)"
    )


def confirm_ended(still_running: Callable[[], bool], what: str, grace: float = GRACE) -> None:
    """A stream that ended is an ending only if what it streamed has ended too. The engine closes
    attach, exec and followed logs when the process exits, so one still running a moment later means
    the stream was cut on the way (a clean-looking end, at a frame boundary, looks like any other)."""
    deadline = time.monotonic() + grace
    while still_running():
        if time.monotonic() >= deadline:
            raise cut(what)
        time.sleep(0.02)


def container_running(engine: Engine, container: str) -> bool:
    try:
        return bool(engine.container_inspect(container)["State"].get("Running"))
    except NotFound:
        return False  # removed at its exit (--rm)
