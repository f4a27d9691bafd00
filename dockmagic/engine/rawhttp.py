"""HTTP/1.1 by hand on a socket of its own, for what the pooled client serves badly: a hijacked
stream (attach, exec, websocket: the connection becomes the stream), a bulk download (archives,
exports, saves) and an upload of files (cp into a container: their contents go by sendfile, never
through Python). For downloads, http.client decodes the engine's 32 KB chunks
with a read, a copy and a join each (1.7 s of Python for a 500 MB ``cp`` out); here the body comes
as views of each receive's bytes, the chunk framing between them left out."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from ..errors import DockerError, StreamError, api_error, host_files

PIECE = 1 << 20  # bytes asked of each receive while downloading
_HEX = re.compile(rb"[0-9A-Fa-f]{1,15}")
_MAX_HEAD = 1 << 16


@dataclass(frozen=True)
class FileSlice:
    """The first ``size`` bytes of a file on this machine, to be sent by the kernel (sendfile)."""

    path: str
    size: int


Segment = bytes | FileSlice


def send_body(sock: socket.socket, segments: Iterable[Segment], chunked: bool) -> None:
    """A request body from bytes and file slices; with ``chunked``, each segment is one chunk."""
    for segment in segments:
        size = segment.size if isinstance(segment, FileSlice) else len(segment)
        if not size:
            continue
        if chunked:
            sock.sendall(b"%x\r\n" % size)
        if isinstance(segment, FileSlice):
            with host_files("read"):
                f = open(segment.path, "rb")  # noqa: SIM115 - closed below, the error above is the file's
            with f:
                sent = sock.sendfile(f, 0, size)
            if sent != size:
                raise DockerError(f"{segment.path} shrank while it was being copied")
        else:
            sock.sendall(segment)
        if chunked:
            sock.sendall(b"\r\n")
    if chunked:
        sock.sendall(b"0\r\n\r\n")


def send_request(
    sock: socket.socket,
    method: str,
    path: str,
    params: dict[str, Any],
    body: bytes,
    headers: dict[str, str],
    length: int | None = None,
) -> None:
    """The request's head and ``body``; a ``length`` announces a body sent after (None with
    ``Transfer-Encoding`` in ``headers``: chunked)."""
    framing = (
        []
        if "Transfer-Encoding" in headers
        else [f"Content-Length: {len(body) if length is None else length}"]
    )
    head = [
        f"{method} {path}{'?' + urlencode(params, doseq=True) if params else ''} HTTP/1.1",
        "Host: docker",
        "User-Agent: dockmagic",
        *framing,
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)


def read_head(sock: socket.socket, what: str) -> tuple[int, dict[str, str], bytes]:
    """The answer's status and header fields (lower-case names), and the bytes that came after."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        if len(buf) > _MAX_HEAD:
            raise StreamError(f"the engine's answer to {what} has no end to its head")
        data = sock.recv(65536)
        if not data:
            raise StreamError(f"the engine closed the connection before answering {what}")
        buf += data
    header, rest = buf.split(b"\r\n\r\n", 1)
    lines = header.decode("latin-1").split("\r\n")
    try:
        status = int(lines[0].split()[1])
    except (IndexError, ValueError):
        raise StreamError(f"the engine's answer to {what} is not HTTP: {lines[0][:60]!r}") from None
    fields = {
        k.strip().lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:] if ":" in ln)
    }
    return status, fields, rest


def raise_for_status(
    sock: socket.socket, status: int, fields: dict[str, str], rest: bytes, method: str, path: str
) -> None:
    """An error status raises the matching APIError with the engine's message."""
    if status < 400:
        return
    try:
        body = b"".join(body_pieces(sock, fields, rest))
    except (StreamError, OSError):
        body = rest
    raise api_error(status, body, method, path)


def body_pieces(
    sock: socket.socket, fields: dict[str, str], rest: bytes, size: int = PIECE
) -> Iterator[memoryview]:
    """The body as it arrives, framed as the head says; a body that ends early raises StreamError.
    Each piece is a buffer of its own: it stays valid after the next one is read."""
    if "chunked" in fields.get("transfer-encoding", "").lower():
        return _dechunked(sock, rest, size)
    length = fields.get("content-length")
    return _counted(sock, rest, int(length) if length and length.isdigit() else None, size)


def _counted(
    sock: socket.socket, first: bytes, length: int | None, size: int
) -> Iterator[memoryview]:
    """A body of ``length`` bytes, or up to the connection's end when no length was given."""
    if first:
        yield memoryview(first[:length] if length is not None else first)
    got = len(first)
    while length is None or got < length:
        data = sock.recv(size if length is None else min(size, length - got))
        if not data:
            if length is None:
                return
            raise StreamError(f"the answer broke off after {got} of {length} bytes")
        got += len(data)
        yield memoryview(data)


def _dechunked(sock: socket.socket, first: bytes, size: int) -> Iterator[memoryview]:
    """The payload of a chunked body: views of what each receive brought, the framing between
    them left out (a receive of ``recv``'s own bytes object: a buffer made ready for each would be
    zeroed first, 1 MB at a time)."""
    data, r = first, 0
    left = 0  # payload bytes of the current chunk still to come
    closing = False  # a CRLF is due after a chunk's payload
    while True:
        view, n = memoryview(data), len(data)
        while r < n:
            if left:
                take = min(left, n - r)
                yield view[r : r + take]
                r, left = r + take, left - take
            elif closing:
                if n - r < 2:
                    break
                if data[r : r + 2] != b"\r\n":
                    raise StreamError(
                        "the engine's chunked answer is malformed (no CRLF after a chunk)"
                    )
                r, closing = r + 2, False
            else:
                end = data.find(b"\r\n", r)
                if end < 0:
                    if n - r > 1024:
                        raise StreamError(
                            "the engine's chunked answer is malformed (a chunk size line too long)"
                        )
                    break
                token = data[r:end].split(b";", 1)[0].strip()
                if not _HEX.fullmatch(token):
                    raise StreamError(
                        f"the engine's chunked answer is malformed (chunk size {token[:20]!r})"
                    )
                left, r = int(token, 16), end + 2
                if not left:
                    return
                closing = True
        more = sock.recv(size)
        if not more:
            raise StreamError(
                "the answer broke off before its end (the engine closed the connection)"
            )
        data, r = (
            (data[r:] + more if r < n else more),
            0,
        )  # framing split between receives is carried
