"""A unix-socket proxy in front of the real engine that breaks one chosen answer on purpose.

Everything passes through untouched except the first request matching an armed pattern; its
answer's body (de-chunked, then counted in frames, JSON lines or bytes) gets one fault:

- ``cut``: the connection closes after ``after`` whole units (a chunked body without its end);
- ``end``: the same, but ended cleanly (the last chunk sent): only confirmation can tell;
- ``midframe``: closes in the middle of the next unit;
- ``rst``: a TCP-style reset (SO_LINGER 0) after ``after`` units;
- ``silence``: stops sending after ``after`` units and holds the connection open;
- ``malformed``: the next unit replaced by garbage, the rest passed on;
- ``500``: the whole answer replaced by an engine-style error.

It listens on TCP loopback, so that a reset is a real RST. HTTP is handled by hand here, for test
purposes only: the proxy sees one request per connection (it adds ``Connection: close``), except
hijacked ones, which it relays raw.
"""

from __future__ import annotations

import re
import socket
import struct
import threading
from dataclasses import dataclass
from typing import Any

from dockmagic.engine import Engine

from .support import serve

UPSTREAM = "/var/run/docker.sock"
KINDS = ("cut", "end", "midframe", "rst", "silence", "malformed", "500")


@dataclass
class Fault:
    kind: str
    after: int = 3  # whole units passed on before the fault
    unit: str = "frames"  # frames (8-byte headers), lines (JSON lines) or bytes


class _Units:
    """Splits a payload into its units as bytes arrive."""

    def __init__(self, unit: str) -> None:
        self.unit, self.buf = unit, b""

    def feed(self, data: bytes) -> list[bytes]:
        self.buf += data
        out: list[bytes] = []
        while True:
            if self.unit == "bytes":
                n = 1 if self.buf else 0
            elif self.unit == "lines":
                n = self.buf.find(b"\n") + 1
            else:
                n = 8 + struct.unpack(">I", self.buf[4:8])[0] if len(self.buf) >= 8 else 0
                n = n if len(self.buf) >= n else 0
            if not n:
                return out
            out.append(self.buf[:n])
            self.buf = self.buf[n:]


def _read_head(sock: socket.socket, buf: bytes = b"") -> tuple[bytes, bytes]:
    while b"\r\n\r\n" not in buf:
        data = sock.recv(65536)
        if not data:
            raise ConnectionError("closed before the head ended")
        buf += data
    head, _, rest = buf.partition(b"\r\n\r\n")
    return head + b"\r\n\r\n", rest


def _header(head: bytes, name: bytes) -> bytes | None:
    m = re.search(rb"\r\n" + name + rb":\s*([^\r\n]*)", head, re.I)
    return m.group(1).strip() if m else None


def _pipe(src: socket.socket, dst: socket.socket, first: bytes = b"") -> None:
    try:
        if first:
            dst.sendall(first)
        while data := src.recv(65536):
            dst.sendall(data)
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def _end(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


def _dechunk(sock: socket.socket, buf: bytes) -> Any:
    """The payload of a chunked body, piece by piece (ends at the last chunk or at EOF)."""
    while True:
        while b"\r\n" not in buf:
            data = sock.recv(65536)
            if not data:
                return
            buf += data
        size_line, _, buf = buf.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return
        while len(buf) < size + 2:
            data = sock.recv(65536)
            if not data:
                yield buf
                return
            buf += data
        yield buf[:size]
        buf = buf[size + 2 :]


def _raw(sock: socket.socket, buf: bytes) -> Any:
    if buf:
        yield buf
    while data := sock.recv(65536):
        yield data


class FaultProxy:
    """A listening proxy; ``engine()`` is a client through it."""

    def __init__(self, upstream: str = UPSTREAM, read_only: bool = False) -> None:
        self.upstream, self.read_only = upstream, read_only
        self.armed: list[tuple[re.Pattern[str], Fault]] = []
        self.fired: list[str] = []
        self.held: list[socket.socket] = []  # connections kept silent
        self._lock = threading.Lock()
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.address = f"tcp://127.0.0.1:{self.server.getsockname()[1]}"
        serve(
            self.server,
            lambda conn: threading.Thread(target=self._handle, args=(conn,), daemon=True).start(),
        )

    def arm(self, pattern: str, fault: Fault) -> None:
        """Break the answer to the next request whose 'METHOD /path?query' matches ``pattern``."""
        with self._lock:
            self.armed.append((re.compile(pattern), fault))

    def engine(self, **kwargs: Any) -> Engine:
        return Engine(self.address, version="1.41", **kwargs)

    def close(self) -> None:
        self.server.close()
        for conn in self.held:
            _end(conn)

    def _take(self, request_line: str) -> Fault | None:
        with self._lock:
            for i, (pattern, fault) in enumerate(self.armed):
                if pattern.search(request_line):
                    del self.armed[i]
                    self.fired.append(f"{fault.kind} {request_line}")
                    return fault
        return None

    def _handle(self, client: socket.socket) -> None:
        up = socket.socket(socket.AF_UNIX)
        try:
            head, rest = _read_head(client)
            method, target = head.split(b" ", 2)[:2]
            fault = self._take(f"{method.decode()} {target.decode()}")
            if self.read_only and (method not in (b"GET", b"HEAD") or b"/images/search" in target):
                fault = Fault(
                    "403"
                )  # reads only: the engine is looked at, never changed or sent abroad
            if fault is not None and fault.kind in ("500", "403"):
                status, body = (
                    (
                        b"500 Internal Server Error",
                        b'{"message":"injected fault: the engine failed"}',
                    )
                    if fault.kind == "500"
                    else (b"403 Forbidden", b'{"message":"the gate lets only reads through"}')
                )
                client.sendall(
                    b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\n"
                    b"Connection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
                )
                return
            upgrade = (_header(head, b"Upgrade") or b"").lower() == b"tcp"
            if not upgrade:  # one request per connection: the answer's end is the connection's
                head = re.sub(rb"\r\nConnection:[^\r\n]*", b"", head, flags=re.I)
                head = head[:-4] + b"\r\nConnection: close\r\n\r\n"
            up.connect(self.upstream)
            threading.Thread(target=_pipe, args=(client, up, head + rest), daemon=True).start()
            answer_head, body = _read_head(up)
            client.sendall(answer_head)
            if fault is None:
                _pipe(up, client, body)
                return
            chunked = b"chunked" in (_header(answer_head, b"Transfer-Encoding") or b"").lower()
            self._break(client, _dechunk(up, body) if chunked else _raw(up, body), fault, chunked)
        except OSError:
            pass
        finally:  # shutdown first: a close alone does not wake the other thread's recv
            _end(up)
            if client not in self.held:
                _end(client)

    def _break(self, client: socket.socket, payload: Any, fault: Fault, chunked: bool) -> None:
        def send(data: bytes) -> None:
            if data:
                client.sendall(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)

        units, passed = _Units(fault.unit), 0
        for piece in payload:
            for unit in units.feed(piece):
                if passed < fault.after:
                    send(unit)
                    passed += 1
                    continue
                if passed == fault.after:
                    passed += 1
                    if fault.kind == "malformed":
                        send(
                            b'{"status": "half a line, \x00 then' + b"\n"
                            if fault.unit == "lines"
                            else b"\x09" * 16
                        )
                        continue
                    self._fault(client, fault, send, unit, chunked)
                    return
                send(unit)
        if chunked:
            client.sendall(b"0\r\n\r\n")

    def _fault(
        self, client: socket.socket, fault: Fault, send: Any, unit: bytes, chunked: bool
    ) -> None:
        if fault.kind == "midframe":
            send(unit[: max(len(unit) // 2, 1)])
        elif fault.kind == "end" and chunked:
            client.sendall(b"0\r\n\r\n")
        elif (
            fault.kind == "rst"
        ):  # linger 0: the close sends RST (shut for reading first: wakes our own recv)
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.shutdown(socket.SHUT_RD)
            client.close()
        elif fault.kind == "silence":
            self.held.append(client)
