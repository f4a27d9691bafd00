"""Driving a hijacked attach/exec stream: stdin fed from a thread, output shown live."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ..engine.streams import demux
from ..engine.transport import HijackedSocket
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


def pump(sock: HijackedSocket, tty: bool, live: LiveOutput, stdin: bytes | None, deadline: float | None = None) -> None:
    """Feed stdin and show output until the stream ends; closes the socket."""
    with stdin_feeder(sock, stdin):
        for chunk in demux(sock.chunks(deadline=deadline), tty):
            live.feed(chunk)
    sock.close()
