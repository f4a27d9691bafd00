"""A unix-socket server that answers each request with canned bytes: for faults and malformed
answers a real engine will not give on demand."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

from dockmagic.engine import Engine

from .support import serve


class FakeEngine:
    """A unix-socket server that answers each request with canned bytes (fault injection)."""

    def __init__(self, folder: Path, respond: Callable[[str], bytes]) -> None:
        self.path = str(folder / "fake.sock")
        self.server = socket.socket(socket.AF_UNIX)
        self.server.bind(self.path)
        self.server.listen()
        self.respond = respond
        serve(self.server, self._answer)

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            request = conn.recv(65536).decode()
            conn.sendall(self.respond(request.split(" ")[1]))

    def engine(self) -> Engine:
        return Engine(f"unix://{self.path}", version="1.41")


def chunked(*parts: bytes, end: bool = True) -> bytes:
    body = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + (b"0\r\n\r\n" if end else b"")
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        + body
    )
