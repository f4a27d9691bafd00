"""The lab proxy's side of the engine's socket: a lean HTTP/1.1 client, since the engine is the one
party the proxy trusts. Requests are written as bytes the proxy composed itself; answers are read
head first, then the body piece by piece as it arrives (a log that follows, a stats stream), with a
``None`` between pieces whenever the next would have to wait, so what is ready goes on at once.

h11 stays on the students' side, where nothing is trusted.
"""

from __future__ import annotations

import socket
from collections.abc import Generator, Iterator
from dataclasses import dataclass

_NO_BODY = (204, 304)


class EngineCut(ConnectionResetError):
    """The engine closed the connection in the middle of an answer."""


@dataclass
class Head:
    status: int
    reason: bytes
    headers: list[tuple[bytes, bytes]]
    closes: bool  # the connection ends after this answer


class Upstream:
    """One connection to the engine, kept between requests while answers end cleanly."""

    def __init__(self, path: str) -> None:
        self.sock = socket.socket(socket.AF_UNIX)
        try:
            self.sock.connect(path)
        except OSError:
            self.sock.close()
            raise
        self.buffer = bytearray()
        self.reused = False
        self.reusable = False  # the last answer was read whole and the engine keeps the connection
        self.closed = False
        self._framing: tuple[str, int] = ("none", 0)

    def close(self) -> None:
        self.closed = True
        self.sock.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def request_head(self, method: str, target: bytes, headers: list[tuple[bytes, bytes]]) -> bytes:
        self.reusable = False
        lines = [method.encode() + b" " + target + b" HTTP/1.1"] + [
            k + b": " + v for k, v in headers
        ]
        return b"\r\n".join(lines) + b"\r\n\r\n"

    def _fill(self) -> bool:
        data = self.sock.recv(65536)
        if not data:
            return False
        self.buffer += data
        return True

    def head(self, method: str) -> Head:
        """The answer's status line and headers (a connection the engine had closed: EngineCut)."""
        while (end := self.buffer.find(b"\r\n\r\n")) < 0:
            if len(self.buffer) > 1 << 20 or not self._fill():
                raise EngineCut("the engine closed the connection before answering")
        lines = bytes(self.buffer[:end]).split(b"\r\n")
        del self.buffer[: end + 4]
        version, _, rest = lines[0].partition(b" ")
        code, _, reason = rest.partition(b" ")
        status = int(code)
        headers = [
            (k.strip(), v.strip())
            for k, _, v in (line.partition(b":") for line in lines[1:] if line)
        ]
        fields = {k.lower(): v for k, v in headers}
        closes = b"close" in fields.get(b"connection", b"").lower() or version == b"HTTP/1.0"
        if method == "HEAD" or status in _NO_BODY or 100 <= status < 200:
            self._framing = ("none", 0)
        elif b"chunked" in fields.get(b"transfer-encoding", b"").lower():
            self._framing = ("chunked", 0)
        elif b"content-length" in fields:
            self._framing = ("length", int(fields[b"content-length"]))
        else:
            self._framing, closes = ("close", 0), True
        return Head(status, reason, headers, closes)

    def body(self) -> Iterator[bytes | None]:
        """The answer's body as it comes; ``None`` where the next piece must be waited for."""
        kind, left = self._framing
        if kind == "length":
            yield from self._exactly(left)
        elif kind == "chunked":
            yield from self._chunks()
        elif kind == "close":
            if self.buffer:
                yield bytes(self.buffer)
                self.buffer.clear()
            while True:
                yield None
                if not self._fill():
                    return
                yield bytes(self.buffer)
                self.buffer.clear()
        self.reusable = kind in ("length", "chunked", "none")

    def _more(self) -> Iterator[None]:
        """Wait for more of the answer (a ``None`` first, so what is ready goes on); a close is a cut."""
        yield None
        if not self._fill():
            raise EngineCut("the engine closed the connection mid-answer")

    def _exactly(self, left: int) -> Iterator[bytes | None]:
        """The next ``left`` bytes, piece by piece as they arrive."""
        while left:
            if not self.buffer:
                yield from self._more()
            piece = bytes(self.buffer[:left])
            del self.buffer[: len(piece)]
            left -= len(piece)
            yield piece

    def _line(self) -> Generator[None, None, bytes]:
        """The next line, without its CRLF (``None``s while it is waited for)."""
        while (end := self.buffer.find(b"\r\n")) < 0:
            yield from self._more()
        line = bytes(self.buffer[:end])
        del self.buffer[: end + 2]
        return line

    def _chunks(self) -> Iterator[bytes | None]:
        while True:
            size_line = yield from self._line()
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0:  # trailers, then the blank line that ends them
                while (yield from self._line()):
                    pass
                return
            yield from self._exactly(size)
            yield from self._line()  # the CRLF after the chunk
