"""Just enough of RFC 6455 for ``/containers/{id}/attach/ws``: binary frames, masked from us."""

from __future__ import annotations

import base64
import os
import socket
import struct
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..errors import StreamError

if TYPE_CHECKING:
    from .transport import BaseTransport

_TEXT, _BINARY, _CLOSE, _PING, _PONG = 0x1, 0x2, 0x8, 0x9, 0xA


class WebSocket:
    def __init__(self, sock: socket.socket, pending: bytes = b"") -> None:
        self.sock = sock
        self._buf = bytearray(pending)

    @classmethod
    def connect(cls, transport: BaseTransport, path: str, params: dict[str, Any]) -> WebSocket:
        from .core import encode_params

        headers = {
            "Connection": "Upgrade",
            "Upgrade": "websocket",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(),
            "Origin": "http://localhost",
        }
        return cls(*transport.upgrade("GET", path, encode_params(params), b"", headers))

    def send(self, data: bytes, opcode: int = _BINARY) -> None:
        mask = os.urandom(4)
        n = len(data)
        if n < 126:
            head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
        elif n < 1 << 16:
            head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
        else:
            head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(head + mask + masked)

    def _read(self, n: int) -> bytes:
        while len(self._buf) < n:
            data = self.sock.recv(65536)
            if not data:
                raise StreamError("the websocket closed inside a frame")
            self._buf += data
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out

    def messages(self) -> Iterator[bytes]:
        """Payloads of data frames until the engine closes the socket."""
        while True:
            if not self._buf:
                data = self.sock.recv(65536)
                if not data:
                    return
                self._buf += data
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                (n,) = struct.unpack("!H", self._read(2))
            elif n == 127:
                (n,) = struct.unpack("!Q", self._read(8))
            mask = self._read(4) if b1 & 0x80 else b""
            payload = self._read(n)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            opcode = b0 & 0x0F
            if opcode == _CLOSE:
                return
            if opcode == _PING:
                self.send(payload, _PONG)
            elif opcode in (_TEXT, _BINARY, 0) and payload:
                yield payload

    def close(self) -> None:
        try:
            self.send(b"\x03\xe8", _CLOSE)  # 1000: normal closure
        except OSError:
            pass
        self.sock.close()
