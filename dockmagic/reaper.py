"""``python -m dockmagic.reaper``: removes what a kernel made when the kernel dies without saying
goodbye (``kill -9``, a hard restart, a crash), on the model of Testcontainers' Ryuk.

One reaper per engine and user, started on demand by the first session that creates something
(helpers/engines/cleanup.py). Each session holds a connection to it and announces itself
(``session ID POLICY GRACE``); a clean end says ``done``. A connection that drops without it starts
the grace period; if the session does not come back within it, what carries that session's label is
removed (or, for the ``stop`` policy, its containers stopped). Nothing without a dead session's
label is ever touched. The reaper outlives kernels and exits once idle.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import selectors
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .engine import Engine, TLSConfig
from .errors import DockerError
from .helpers.engines.cleanup import sweep

IDLE = 60.0  # seconds with no session and nothing due before the reaper exits


@dataclass
class _Session:
    id: str
    policy: str
    grace: float


class Reaper:
    def __init__(self, engine: Engine, path: Path, idle: float = IDLE) -> None:
        self.engine, self.path, self.idle = engine, path, idle
        self.selector = selectors.DefaultSelector()
        self.live: dict[
            socket.socket, _Session | None
        ] = {}  # connection -> its session, once announced
        self.buffers: dict[socket.socket, bytes] = {}
        self.due: dict[str, tuple[float, _Session]] = {}  # session id -> (when to reap, session)
        self.quiet_since = time.monotonic()

    def bind(self) -> socket.socket | None:
        """The listening socket, or None when another reaper already answers on the path."""
        server = socket.socket(socket.AF_UNIX)
        try:
            server.bind(str(self.path))
        except OSError:
            probe = socket.socket(socket.AF_UNIX)
            try:
                probe.connect(str(self.path))
                return None  # alive: it serves this engine and user
            except OSError:
                self.path.unlink(missing_ok=True)  # left by a reaper that died
                server.bind(str(self.path))
            finally:
                probe.close()
        os.chmod(self.path, 0o600)
        server.listen(64)
        return server

    def serve(self, server: socket.socket) -> None:
        self.selector.register(server, selectors.EVENT_READ)
        while True:
            now = time.monotonic()
            for sid, (when, session) in list(self.due.items()):
                if when <= now:
                    del self.due[sid]
                    self.reap(session)
            if self.live or self.due:
                self.quiet_since = now
            timeout = min([when for when, _ in self.due.values()] + [now + 1.0]) - now
            events = self.selector.select(max(timeout, 0.01))
            if (
                not events
                and not self.live
                and not self.due
                and now - self.quiet_since >= self.idle
            ):
                return  # idle, and nobody knocking (a session connecting now would find no one)
            for key, _ in events:
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                if sock is server:
                    conn, _ = server.accept()
                    self.live[conn], self.buffers[conn] = None, b""
                    self.selector.register(conn, selectors.EVENT_READ)
                else:
                    self.read(sock)

    def read(self, conn: socket.socket) -> None:
        try:
            data = conn.recv(4096)
        except OSError:
            data = b""
        if not data:
            self.dropped(conn, said_done=False)
            return
        self.buffers[conn] += data
        while b"\n" in self.buffers[conn]:
            line, _, self.buffers[conn] = self.buffers[conn].partition(b"\n")
            words = line.decode("utf-8", "replace").split()
            if words[:1] == ["session"] and len(words) == 4:
                session = _Session(words[1], words[2], float(words[3]))
                self.live[conn] = session
                self.due.pop(session.id, None)  # it came back in time
                log(f"session {session.id} ({session.policy}) connected")
            elif words == ["done"]:
                self.dropped(conn, said_done=True)
                return

    def dropped(self, conn: socket.socket, said_done: bool) -> None:
        session = self.live.pop(conn, None)
        self.buffers.pop(conn, None)
        self.selector.unregister(conn)
        conn.close()
        if session is None:
            return
        if said_done or session.policy == "keep":
            log(f"session {session.id} ended")
        elif not any(s is not None and s.id == session.id for s in self.live.values()):
            self.due[session.id] = (time.monotonic() + session.grace, session)
            log(f"session {session.id} vanished: reaping in {session.grace:g} s unless it returns")

    def reap(self, session: _Session) -> None:
        try:
            done = sweep(
                self.engine, session.id, session.policy, swarm=True
            )  # another process's: ask
        except DockerError as exc:
            log(f"session {session.id}: cannot reach the engine ({exc}); trying again later")
            self.due[session.id] = (time.monotonic() + 10, session)
            return
        verb = "stopped" if session.policy == "stop" else "removed"
        found = ", ".join(f"{kind} {name}" for kind, name in done.found) or "nothing"
        log(
            f"session {session.id}: {verb} {found}"
            + (f"; failed: {done.failed}" if done.failed else "")
        )


def log(message: str) -> None:
    print(time.strftime("%Y-%m-%dT%H:%M:%S"), message, flush=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m dockmagic.reaper", description=__doc__.split("\n\n")[0]
    )
    p.add_argument("--host", required=True, help="the engine (unix://, tcp://)")
    p.add_argument("--socket", required=True, type=Path, help="where sessions reach the reaper")
    p.add_argument("--idle", type=float, default=IDLE, help="seconds idle before exiting")
    p.add_argument("--tlscacert")
    p.add_argument("--tlscert")
    p.add_argument("--tlskey")
    p.add_argument("--daemon", action="store_true", help="detach: return at once, keep serving")
    args = p.parse_args(argv)
    tls = (
        TLSConfig(args.tlscacert, args.tlscert, args.tlskey)
        if args.tlscacert or args.tlscert
        else None
    )
    reaper = Reaper(Engine(args.host, tls=tls), args.socket, args.idle)
    server = reaper.bind()  # before detaching: the session that started us can connect at once
    if server is None:
        return 0
    if args.daemon:
        if os.fork():
            os._exit(0)
        os.setsid()
    log(f"reaper for {args.host} on {args.socket} (pid {os.getpid()})")
    try:
        with contextlib.suppress(KeyboardInterrupt):
            reaper.serve(server)
    finally:
        server.close()
        args.socket.unlink(missing_ok=True)
        log("idle: exiting")
    return 0


if __name__ == "__main__":
    sys.exit(main())
