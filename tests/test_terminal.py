"""%docker run -it / exec -it in a terminal IPython: the user's terminal joined to the container, as
the docker CLI does it. IPython runs in a pseudo-terminal of the test's own, driven key by key."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import sys
import termios
import time
from collections.abc import Iterator

import pytest

from dockmagic import Engine
from dockmagic.errors import NotFound
from dockmagic.helpers.containers.terminal import _DetachWatch, detach_sequence

from .support import LABEL, Registry, unique


class Pty:
    """IPython on a pseudo-terminal: type into it, wait for what it prints."""

    def __init__(self, rows: int = 33, cols: int = 101) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: IPython, plain prompts, no history file
            argv = [
                sys.executable,
                "-m",
                "IPython",
                "--simple-prompt",
                "--no-banner",
                "--colors=NoColor",
            ]
            os.execv(sys.executable, [*argv, "--HistoryManager.enabled=False"])
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.seen = b""
        self.everything = b""  # all it printed, for a terminal emulator to read

    def send(self, text: str) -> None:
        os.write(self.fd, text.encode())

    def expect(self, pattern: str, timeout: float = 30) -> str:
        """Wait until ``pattern`` shows in the output after what was already matched."""
        deadline = time.monotonic() + timeout
        while True:
            found = re.search(pattern.encode(), self.seen)
            if found:
                text = self.seen[: found.end()].decode(errors="replace")
                self.seen = self.seen[found.end() :]
                return text
            left = deadline - time.monotonic()
            assert left > 0, f"no {pattern!r} in {self.seen.decode(errors='replace')[-2000:]!r}"
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    data = os.read(self.fd, 65536)
                    self.seen += data
                    self.everything += data
                except OSError:  # the child closed the terminal
                    tail = self.seen.decode(errors="replace")[-2000:]
                    raise AssertionError(f"IPython ended before {pattern!r}: {tail!r}") from None

    def close(self) -> None:
        try:
            self.send("exit\n")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and os.waitpid(self.pid, os.WNOHANG) == (0, 0):
                time.sleep(0.1)
        finally:
            try:
                os.kill(self.pid, 9)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            os.close(self.fd)


@pytest.fixture
def term(engine: Engine, image: str) -> Iterator[Pty]:
    shell = Pty()
    try:
        shell.expect(r"In \[1\]: ")
        shell.send("%load_ext dockmagic\n")
        shell.expect(r"In \[2\]: ")
        yield shell
    finally:
        shell.close()


def test_run_it_is_a_session_on_the_terminal(term: Pty, engine: Engine, image: str) -> None:
    name = unique("tty")
    term.send(f"%docker run -it --rm --name {name} --label {LABEL}=1 {image} sh\n")
    term.expect(r"# ")
    term.send("echo hello-$((20+22)); stty size\n")
    term.expect(r"hello-42\r?\n33 101")  # the container's tty has the window's size
    term.send("exit 3\n")
    term.expect(r"In \[3\]: ")
    with pytest.raises(NotFound):  # --rm: gone with its exit
        for _ in range(50):
            engine.container_inspect(name)
            time.sleep(0.1)


def test_detach_keys_leave_it_running_and_exec_it_joins_it(
    term: Pty, engine: Engine, image: str
) -> None:
    name = unique("tty")
    try:
        term.send(f"%docker run -it --name {name} --label {LABEL}=1 {image} sh\n")
        term.expect(r"# ")
        term.send("\x10\x11")  # Ctrl-P Ctrl-Q
        term.expect(rf"detached from {name}; it keeps running")
        term.expect(r"In \[3\]: ")
        assert engine.container_inspect(name)["State"]["Running"]

        term.send(f"%docker exec -it --detach-keys ctrl-x,x {name} sh\n")
        term.expect(r"# ")
        term.send("echo in-$((6*7))\n")
        term.expect(r"in-42")
        term.send("exit\n")
        term.expect(r"In \[4\]: ")

        term.send(f"%docker exec -i {name} cat\n")  # no -t: lines go in, Ctrl-D ends stdin
        term.send("a line\n")
        term.expect(r"a line\r?\n.*a line", timeout=15)  # the terminal's echo, then cat's copy
        term.send("\x04")
        term.expect(r"In \[5\]: ")

        term.send(f"%docker attach {name}\n")  # back into the shell detached from above
        term.send("\n")
        term.expect(r"# ")
        term.send("echo back-$((40+2))\n")
        term.expect(r"back-42")
        term.send("\x10\x11")  # and out again: it keeps running
        term.expect(rf"detached from {name}; it keeps running")
        term.expect(r"In \[6\]: ")
        assert engine.container_inspect(name)["State"]["Running"]
    finally:
        engine.container_delete(name, force=True)


def test_detach_keys_are_read_as_the_cli_reads_them() -> None:
    assert detach_sequence(None) == b"\x10\x11"
    assert detach_sequence("ctrl-x,x") == b"\x18x"
    assert detach_sequence("ctrl-@,ctrl-[") == b"\x00\x1b"
    watch = _DetachWatch(b"\x10\x11")
    assert watch.filter(b"ab\x10") == (b"ab", False)  # held: it may begin the sequence
    assert watch.filter(b"c") == (b"\x10c", False)  # it did not: sent on
    assert watch.filter(b"\x10\x11") == (b"", True)


def test_progress_bars_leave_no_debris_in_the_terminal(
    engine: Engine, image: str, registry: Registry
) -> None:
    """A push and a pull in a terminal IPython, read by a terminal emulator (pyte): each bar ends
    as one line, total first, and what is printed next is not overwritten by a bar."""
    import pyte

    rows, cols = 80, 101
    shell = Pty(rows, cols)
    screen = pyte.Screen(cols, rows)
    name, ref = unique("bars"), f"{registry.address}/dockmagic-test/bars:{unique()}"
    try:
        shell.expect(r"In \[1\]: ")
        shell.send("%load_ext dockmagic\n")
        shell.expect(r"In \[2\]: ")
        shell.send(  # a layer of its own, so that there are bytes to move
            f"%docker run --name {name} --label {LABEL}=1 {image} "
            "sh -c 'head -c 3000000 /dev/urandom > /blob'\n"
        )
        shell.expect(r"In \[3\]: ")
        typed = [f"%docker commit {name} {ref}", f"%docker push {ref}", f"%docker rmi {ref}",
                 f"%docker pull {ref}", "print('after the bars')"]  # fmt: skip
        for i, line in enumerate(typed, start=3):
            shell.send(line + "\n")
            shell.expect(rf"In \[{i + 1}\]: ", timeout=60)
        pyte.ByteStream(screen).feed(shell.everything)
    finally:
        shell.close()  # the session's end removes the container it ran
        for remove, what in ((engine.container_delete, name), (engine.image_delete, ref)):
            try:
                remove(what, force=True)
            except NotFound:
                pass
    lines = [line.rstrip() for line in screen.display if line.strip()]
    text = "\n".join(lines)
    bar = re.compile(r"((push|pull) total|\w{12} [A-Z][a-z ]+): +100%\|█+\| ")
    debris = [line for line in lines if "█" in line and not bar.match(line)]
    assert not debris, text  # a bar's tail under the next output ("Digest: ...40:00<00:00...")
    for what in ("push", "pull"):
        totals = [i for i, line in enumerate(lines) if line.startswith(f"{what} total: 100%")]
        assert len(totals) == 1, text  # one final line, not one per redraw
        below = lines[totals[0] + 1]
        assert re.match(r"\w{12} (Pushed|Pull complete|Download complete): 100%", below), text
