"""Engine stream formats: multiplexed stdout/stderr frames and JSON-lines progress.

Decoders are incremental (fed whatever bytes arrive), so frames split across reads, zero-length
frames and many frames in one read all come out the same. A stream that ends inside a frame or
a JSON object raises :class:`StreamError`: a broken connection must not look like a clean end.
"""

from __future__ import annotations

import codecs
import json
import struct
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, NamedTuple, TypeVar

from ..errors import OperationFailed, StreamError

T = TypeVar("T")

STDIN, STDOUT, STDERR = 0, 1, 2


class Stream(Iterator[T], Generic[T]):
    """What a streamed answer gives: iterate it; ``close()`` (or ``with``) ends it early and gives
    the connection back, wherever the reading stopped (Ctrl-C in a loop over it included);
    ``abort()``, from another thread, wakes a reader waiting for more (the stream then ends)."""

    def __init__(
        self,
        items: Iterator[T],
        close: Callable[[], None],
        abort: Callable[[], None] | None = None,
    ) -> None:
        self._items, self._close, self._abort = items, close, abort

    def abort(self) -> None:
        """End the stream for whoever reads it: the connection is shut, so a read waiting on a
        silent stream returns (``close`` alone does not wake a thread blocked reading)."""
        if self._abort is not None:
            self._abort()

    def __next__(self) -> T:
        return next(self._items)

    def close(self) -> None:
        close_items = getattr(self._items, "close", None)  # a generator: run its cleanup first
        if close_items is not None:
            close_items()
        self._close()

    def __enter__(self) -> Stream[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_HEADER = struct.Struct(">BxxxL")  # stream id, 3 padding bytes, big-endian payload length


class Chunk(NamedTuple):
    """Output from a container: which stream (1 stdout, 2 stderr) and the bytes."""

    stream: int
    data: bytes


class FrameDecoder:
    """Incremental decoder of the 8-byte-header multiplexed format (non-TTY attach, exec, logs)."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[Chunk]:
        """The whole frames so far; consecutive frames of one stream come as one chunk (a log line
        is a frame: 200k of them need not be 200k chunks), the order between streams kept."""
        self._buf += data
        out: list[Chunk] = []
        pieces: list[bytearray] = []
        current, pos, buf = -1, 0, self._buf
        while len(buf) - pos >= _HEADER.size:
            stream, length = _HEADER.unpack_from(buf, pos)
            if stream not in (STDIN, STDOUT, STDERR, 3):
                raise StreamError(f"malformed output stream: frame header names stream {stream}")
            end = pos + _HEADER.size + length
            if end > len(buf):
                break
            if length:  # zero-length frames carry nothing; skip them
                if stream != current and pieces:
                    out.append(Chunk(current, b"".join(pieces)))
                    pieces = []
                current = stream
                pieces.append(buf[pos + _HEADER.size : end])
            pos = end
        if pieces:
            out.append(Chunk(current, b"".join(pieces)))
        del buf[:pos]
        return out

    def close(self) -> None:
        if self._buf:
            raise StreamError(
                f"output stream ended inside a frame ({len(self._buf)} bytes left over)"
            )


def demux(chunks: Iterable[bytes], tty: bool) -> Iterator[Chunk]:
    """Turn raw bytes from the engine into :class:`Chunk`s; a TTY stream is all stdout."""
    if tty:
        for data in chunks:
            if data:
                yield Chunk(STDOUT, data)
        return
    decoder = FrameDecoder()
    for data in chunks:
        yield from decoder.feed(data)
    decoder.close()


def json_lines(chunks: Iterable[bytes]) -> Iterator[dict[str, Any]]:
    """Decode a stream of JSON objects (one per line, or simply concatenated)."""
    decoder = json.JSONDecoder()
    text = codecs.getincrementaldecoder("utf-8")(errors="replace")  # a character may span reads
    buf = ""
    for data in chunks:
        buf += text.decode(data)
        while True:
            buf = buf.lstrip()
            if not buf:
                break
            try:
                obj, end = decoder.raw_decode(buf)
            except ValueError:
                if "\n" in buf:  # a whole line that is not JSON: the stream is corrupt
                    raise StreamError(
                        f"malformed JSON in stream: {buf.splitlines()[0][:200]!r}"
                    ) from None
                break  # an object split across reads: wait for more
            buf = buf[end:]
            yield obj
    if buf.strip():
        raise StreamError(f"stream ended inside a JSON object: {buf[:200]!r}")


def progress(chunks: Iterable[bytes], operation: str) -> Iterator[dict[str, Any]]:
    """JSON-lines progress (pull, push, build, load) where an error object raises."""
    for obj in json_lines(chunks):
        if not isinstance(obj, dict):
            raise StreamError(f"unexpected item in {operation} stream: {obj!r}"[:200])
        if obj.get("error") or obj.get("errorDetail"):
            detail = obj.get("errorDetail") or {}
            raise OperationFailed(
                str(obj.get("error") or detail.get("message") or detail), operation
            )
        yield obj
