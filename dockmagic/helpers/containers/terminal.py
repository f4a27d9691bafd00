"""An interactive session on the user's own terminal: ``%docker run -it`` and ``exec -it`` in a
terminal IPython, as the docker CLI gives them.

With ``-t`` the terminal goes raw: every key (Ctrl-C too) goes to the container, whose tty follows the
window's size, and the detach keys (Ctrl-P Ctrl-Q unless ``--detach-keys`` says otherwise) leave it
running. Without ``-t``, typed lines go in, output comes out on stdout and stderr, and Ctrl-D ends
stdin. A notebook has no terminal; there stdin is the cell.
"""

from __future__ import annotations

import os
import selectors
import signal
import sys
import termios
import threading
import tty as ttymode
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ...engine.streams import STDERR, FrameDecoder
from ...engine.transport import HijackedSocket
from ...errors import OptionError

DEFAULT_DETACH_KEYS = "ctrl-p,ctrl-q"
_CTRL_SPECIALS = {"@": 0, "[": 27, "\\": 28, "]": 29, "^": 30, "_": 31}


def terminal_available() -> bool:
    """A terminal IPython (or plain Python) whose stdin and stdout are a real terminal; never a
    notebook kernel, whose stdin is not the user's keyboard."""
    try:
        from IPython import get_ipython
    except ImportError:
        shell = None
    else:
        shell = get_ipython()
    if shell is not None and type(shell).__name__ != "TerminalInteractiveShell":
        return False
    try:
        return os.isatty(sys.stdin.fileno()) and os.isatty(sys.stdout.fileno())
    except (AttributeError, ValueError, OSError):  # replaced streams without a file descriptor
        return False


def detach_sequence(spec: str | None) -> bytes:
    """``--detach-keys`` as the CLI reads it: ``ctrl-p,ctrl-q``, ``ctrl-@``, or plain letters."""
    out = bytearray()
    for key in (spec or DEFAULT_DETACH_KEYS).split(","):
        key = key.strip()
        if len(key) == 1:
            out.append(ord(key))
        elif key.lower().startswith("ctrl-") and len(key) == 6:
            char = key[5].lower()
            if "a" <= char <= "z":
                out.append(ord(char) - ord("a") + 1)
            elif char in _CTRL_SPECIALS:
                out.append(_CTRL_SPECIALS[char])
            else:
                raise OptionError(f"invalid --detach-keys {spec!r}: unknown key {key!r}")
        else:
            raise OptionError(f"invalid --detach-keys {spec!r}: expected keys like ctrl-p,ctrl-q")
    return bytes(out)


@contextmanager
def _raw(fd: int, wanted: bool) -> Iterator[None]:
    """The terminal in raw mode for the session, restored however it ends."""
    if not wanted:
        yield
        return
    saved = termios.tcgetattr(fd)
    ttymode.setraw(fd)
    try:
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


@contextmanager
def _follow_window(out_fd: int, resize: Callable[[int, int], None] | None) -> Iterator[None]:
    """Tell the engine the window's size now and on every SIGWINCH (main thread only)."""

    def sync(*_: object) -> None:
        try:
            size = os.get_terminal_size(out_fd)
            resize(size.lines, size.columns)  # type: ignore[misc]
        except (
            Exception
        ):  # a resize that fails (the process just ended) changes nothing for the user
            pass

    if resize is None:
        yield
        return
    sync()
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGWINCH, sync) if main else None
    try:
        yield
    finally:
        if main:
            signal.signal(signal.SIGWINCH, previous)


class _DetachWatch:
    """Holds back keys that could begin the detach sequence, as the CLI does."""

    def __init__(self, keys: bytes) -> None:
        self.keys, self.held = keys, b""

    def filter(self, data: bytes) -> tuple[bytes, bool]:
        """What to send on, and whether the sequence is now complete."""
        out = bytearray()
        for byte in data:
            candidate = self.held + bytes([byte])
            if self.keys.startswith(candidate):
                self.held = candidate
                if candidate == self.keys:
                    return bytes(out), True
            else:
                out += candidate
                self.held = b""
        return bytes(out), False


def converse(
    sock: HijackedSocket,
    *,
    tty: bool,
    resize: Callable[[int, int], None] | None = None,
    detach_keys: str | None = None,
) -> bool:
    """Join the terminal to the stream until the container's side ends. True when the user detached."""
    in_fd, out_fd, err_fd = sys.stdin.fileno(), sys.stdout.fileno(), sys.stderr.fileno()
    sys.stdout.flush()
    watch = _DetachWatch(detach_sequence(detach_keys))
    frames = None if tty else FrameDecoder()
    selector = selectors.DefaultSelector()
    selector.register(sock.sock, selectors.EVENT_READ)
    selector.register(in_fd, selectors.EVENT_READ)

    def show(data: bytes) -> None:
        if frames is None:
            os.write(out_fd, data)
            return
        for chunk in frames.feed(data):
            os.write(err_fd if chunk.stream == STDERR else out_fd, chunk.data)

    try:
        with _raw(in_fd, tty), _follow_window(out_fd, resize if tty else None):
            pending = sock.take_pending()
            if pending:
                show(pending)
            while True:
                waiting = sock.buffered()  # decrypted already: the socket may stay quiet
                ready = [key.fileobj for key, _ in selector.select(0 if waiting else 0.5)]
                if waiting and sock.sock not in ready:
                    ready.append(sock.sock)
                for fileobj in ready:
                    if fileobj is sock.sock:
                        data = sock.sock.recv(65536)
                        if not data:
                            return False
                        show(data)
                        continue
                    typed = os.read(in_fd, 4096)
                    if not typed:  # Ctrl-D on a line-mode terminal: end of stdin, output goes on
                        selector.unregister(in_fd)
                        sock.close_write()
                        continue
                    send, detached = watch.filter(typed)
                    if send:
                        sock.write(send)
                    if detached:
                        return True
    finally:
        selector.close()
        sock.close()
