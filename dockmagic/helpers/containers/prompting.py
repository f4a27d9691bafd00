"""stdin from the notebook itself: ``run -i``, ``exec -i`` and ``attach`` in a Jupyter kernel with
no cell as stdin read it line by line through the kernel's input requests (the box ``input()``
and pdb use in JupyterLab), while the output streams into the cell.

Each submitted line goes to the container; an empty submit (or Ctrl-D in a terminal frontend)
ends stdin (a TTY gets its end-of-file character, ^D). When the process ends while a prompt is
open, the prompt is withdrawn by interrupting the main thread, which this module alone catches.
"""

from __future__ import annotations

import _thread
import threading
import time
from typing import Any

from ...engine.streams import demux
from ...engine.transport import HijackedSocket
from .output import LiveOutput

EOT = b"\x04"  # what a terminal sends for Ctrl-D: a TTY's end of input


def kernel_allows_input() -> bool:
    """Whether this runs in a Jupyter kernel whose frontend answers input requests (nbclient and
    other headless runs do not, and ``input()`` there would fail)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    kernel = getattr(shell, "kernel", None)
    return bool(kernel is not None and getattr(kernel, "_allow_stdin", False))


class _Echo:
    """What a TTY will echo of the lines sent, taken out of the output: the input box has already
    shown each line under its prompt, and the echo would show it twice. Only an exact echo is
    taken (``line`` and the CRLF the line discipline makes of its newline); output that differs
    (a password prompt with echo off, a full-screen program) drops the expectation and is shown."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.expected = b""

    def sent(self, line: bytes) -> None:
        with self.lock:
            self.expected += line + b"\r\n"

    def strip(self, data: bytes) -> bytes:
        with self.lock:
            if not self.expected:
                return data
            same = 0
            limit = min(len(data), len(self.expected))
            while same < limit and data[same] == self.expected[same]:
                same += 1
            if same == limit:  # all of what came (or all of what was expected) was the echo
                self.expected = self.expected[same:]
                return data[same:]
            self.expected = b""  # not an echo after all
            return data


class _Prompting:
    """The main thread's place in the conversation: whether it waits in ``input()``, and whether
    the reader interrupted it there (an interrupt that is ours, not the user's Ctrl-C)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.waiting = False
        self.fired = False
        self.ended = threading.Event()

    def end(self) -> None:
        """The stream ended: withdraw an open prompt (the main thread is in ``input()``)."""
        with self.lock:
            self.ended.set()
            if self.waiting:
                self.fired = True
                _thread.interrupt_main()


def converse_by_input(sock: HijackedSocket, tty: bool, live: LiveOutput, prompt: str = "") -> None:
    """Show the output while each line typed into the kernel's input box is sent to stdin, until
    the process ends; closes the socket. Ctrl-C (the kernel's interrupt) ends it as elsewhere."""
    state = _Prompting()
    echo = _Echo() if tty else None
    failure: list[BaseException] = []

    def read() -> None:
        try:
            for chunk in demux(sock.chunks(), tty):
                if echo is not None:
                    chunk = chunk._replace(data=echo.strip(chunk.data))
                if chunk.data:
                    live.feed(chunk)
        except BaseException as exc:  # shown by the main thread, after the prompt is gone
            failure.append(exc)
        finally:
            state.end()

    reader = threading.Thread(target=read, name="dockmagic-output", daemon=True)
    reader.start()
    try:
        try:
            _send_lines(sock, tty, state, prompt, echo)
            reader.join()
            if state.fired:
                time.sleep(0.01)  # our interrupt, if still on its way, arrives here
        except KeyboardInterrupt:
            if not state.fired:
                raise  # the user's
            reader.join()  # ours: the process ended while the prompt was open
    finally:
        sock.close()
        reader.join(timeout=1)
    if failure:
        raise failure[0]


def _send_lines(
    sock: HijackedSocket, tty: bool, state: _Prompting, prompt: str, echo: _Echo | None
) -> None:
    while not state.ended.is_set():
        with state.lock:
            state.waiting = True
        try:
            line = _ask(prompt)
        except EOFError:
            line = None
        finally:
            with state.lock:
                state.waiting = False
        if not line:
            _end_input(sock, tty)
            return
        data = line.encode(errors="replace")
        if echo is not None:
            echo.sent(data)
        try:
            sock.write(data + b"\n")
        except OSError:
            return  # the process is gone: its output says why


def _ask(prompt: str) -> str | None:
    import builtins

    answer: Any = builtins.input(prompt)
    return None if answer is None else str(answer)


def _end_input(sock: HijackedSocket, tty: bool) -> None:
    try:
        if tty:
            sock.write(EOT)  # a TTY's line discipline reads ^D as the end of input
        else:
            sock.close_write()
    except OSError:
        pass
