"""A TLS connection that can end its own write side: what a hijacked stream (attach, exec) over
TLS needs to tell the engine stdin is over while it still reads the output.

Python's ``ssl.SSLSocket`` has no half-close: ``unwrap()`` waits for the engine's own
close_notify (which comes only when the stream ends), and a socket ``shutdown`` would cut TLS
from under OpenSSL. The docker CLI (Go) sends a close_notify alert and reads on; TLS 1.3 defines
that as closing one direction only, and the engine's Go server reads it as end of input. Here
OpenSSL works on memory buffers (``SSLObject`` over two ``MemoryBIO``) and this class moves the
bytes to and from the TCP socket itself, so the alert can be sent and reading go on.

One thread may read while another writes (the output reader and stdin): OpenSSL's object is
used under one lock, never while a socket call blocks, and the bytes it produces are sent in
the order it produced them.
"""

from __future__ import annotations

import socket
import ssl
import threading


class TLSStream:
    """Enough of a socket for the raw HTTP of an upgrade and the stream after it."""

    def __init__(self, raw: socket.socket, ctx: ssl.SSLContext, server_hostname: str) -> None:
        self.raw = raw
        self._in, self._out = ssl.MemoryBIO(), ssl.MemoryBIO()
        self._tls = ctx.wrap_bio(self._in, self._out, server_hostname=server_hostname)
        self._lock = threading.Lock()  # the SSLObject and the two buffers
        self._sending = threading.Lock()  # produced bytes go out whole and in order
        self._plain = bytearray()  # decrypted, not yet taken
        self._ended = False  # the engine sent close_notify or closed the connection
        self._write_closed = False
        self._handshake()

    def _handshake(self) -> None:
        while True:
            with self._lock:
                try:
                    self._tls.do_handshake()
                    done = True
                except ssl.SSLWantReadError:
                    done = False
            self._flush()
            if done:
                return
            data = self.raw.recv(65536)
            if not data:
                raise ConnectionResetError(
                    "the engine closed the connection during the TLS handshake"
                )
            with self._lock:
                self._in.write(data)

    def _send_out(self) -> None:
        """Send what OpenSSL produced, in order (the caller holds ``_sending``); bytes the reader
        produced meanwhile go too."""
        while True:
            with self._lock:
                data = self._out.read()
            if not data:
                return
            self.raw.sendall(data)

    def _flush(self, wait: bool = True) -> None:
        # The reader never waits for a send in progress: that send may be blocked until the
        # engine can write, which needs the reader to read. The sender takes its bytes along.
        if not self._sending.acquire(blocking=wait):
            return
        try:
            self._send_out()
        finally:
            self._sending.release()

    def _decrypt(self) -> None:
        """Take every whole record the buffer holds (under the lock): none is left for OpenSSL to
        meet later in a state where it would not hand it over."""
        while True:
            try:
                data = self._tls.read(65536)
            except ssl.SSLWantReadError:
                return
            except ssl.SSLZeroReturnError:  # the engine's close_notify: its side is done
                self._ended = True
                return
            if not data:
                self._ended = True
                return
            self._plain += data

    # -- what the raw HTTP and the stream readers use ------------------------------------------

    def fileno(self) -> int:
        return self.raw.fileno()

    def pending(self) -> int:
        """Decrypted bytes waiting: a select() on the socket would not see them."""
        with self._lock:
            return len(self._plain)

    def settimeout(self, timeout: float | None) -> None:
        self.raw.settimeout(timeout)

    def sendall(self, data: bytes) -> None:
        if self._write_closed:
            raise BrokenPipeError("stdin of this stream was closed")
        with self._sending:
            with self._lock:
                self._tls.write(data)
            self._send_out()

    def recv(self, size: int) -> bytes:
        while True:
            with self._lock:
                if self._plain:
                    data = bytes(self._plain[:size])
                    del self._plain[:size]
                    return data
                if self._ended:
                    return b""
            self._flush(wait=False)  # what reading produced (a key update's answer)
            data = self.raw.recv(65536)
            with self._lock:
                if not data:
                    self._ended = True  # closed without close_notify: the end, all the same
                    continue
                self._in.write(data)
                self._decrypt()

    def shutdown(self, how: int) -> None:
        """``SHUT_WR``: a close_notify alert; output is still read until the engine ends."""
        if how != socket.SHUT_WR or self._write_closed:
            return
        self._write_closed = True
        with self._sending:
            with self._lock:
                try:
                    self._tls.unwrap()  # sends close_notify, then would wait for the engine's
                except ssl.SSLWantReadError:
                    pass  # the engine's comes at the end of the stream, read as usual
                except ssl.SSLError:
                    return  # the connection is already broken: the reader will say so
            self._send_out()

    def close(self) -> None:
        self.raw.close()
