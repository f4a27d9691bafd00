"""The stream decoders, fed the way a network delivers: in arbitrary pieces."""

from __future__ import annotations

import struct

import pytest

from dockmagic.engine.streams import (
    STDERR,
    STDOUT,
    Chunk,
    FrameDecoder,
    demux,
    json_lines,
    progress,
)
from dockmagic.errors import OperationFailed, StreamError


def frame(stream: int, data: bytes) -> bytes:
    return struct.pack(">BxxxL", stream, len(data)) + data


def pieces(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


WIRE = (
    frame(STDOUT, b"hello\n")
    + frame(STDERR, b"oops\n")
    + frame(STDOUT, b"")
    + frame(STDOUT, b"x" * 70000)
)


@pytest.mark.parametrize("size", [1, 3, 8, 9, 100, 65536, len(WIRE)])
def test_frames_split_anywhere_decode_the_same(size: int) -> None:
    out = list(demux(pieces(WIRE, size), tty=False))
    joined: dict[int, bytes] = {STDOUT: b"", STDERR: b""}
    for chunk in out:
        joined[chunk.stream] += chunk.data
    assert joined == {STDOUT: b"hello\n" + b"x" * 70000, STDERR: b"oops\n"}
    assert all(c.data for c in out)  # zero-length frames are dropped, never yielded


def test_stream_ids_are_kept_in_order() -> None:
    two = frame(STDOUT, b"hello\n") + frame(STDERR, b"oops\n")
    assert list(demux([two], tty=False)) == [Chunk(STDOUT, b"hello\n"), Chunk(STDERR, b"oops\n")]


def test_tty_stream_is_raw_stdout() -> None:
    raw = b"\x01\x00\x00\x00 looks like a header but is tty output"
    assert list(demux([raw], tty=True)) == [Chunk(STDOUT, raw)]


def test_stream_ending_inside_a_frame_raises() -> None:
    with pytest.raises(StreamError, match="inside a frame"):
        list(demux([WIRE[:-5]], tty=False))


def test_garbage_header_raises() -> None:
    with pytest.raises(StreamError, match="stream 7"):
        FrameDecoder().feed(b"\x07\x00\x00\x00\x00\x00\x00\x01x")


def test_json_lines_split_and_concatenated() -> None:
    wire = b'{"status":"a"}\r\n{"status":"b\xc3\xa9"}{"status":"c"}\n'
    for size in (1, 2, 5, len(wire)):
        assert [o["status"] for o in json_lines(pieces(wire, size))] == ["a", "bé", "c"]


def test_json_stream_cut_off_raises() -> None:
    with pytest.raises(StreamError, match="inside a JSON object"):
        list(json_lines([b'{"status":"a"}\n{"stat']))


def test_json_garbage_line_raises() -> None:
    with pytest.raises(StreamError, match="malformed JSON"):
        list(json_lines([b"<html>proxy error</html>\n"]))


def test_error_object_in_progress_stream_raises() -> None:
    wire = [
        b'{"stream":"Step 1/2"}\n',
        b'{"errorDetail":{"message":"no such file"},"error":"no such file"}\n',
    ]
    it = progress(wire, "build")
    assert next(it) == {"stream": "Step 1/2"}
    with pytest.raises(OperationFailed, match="build failed: no such file"):
        next(it)
