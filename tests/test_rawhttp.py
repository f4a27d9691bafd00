"""The download reader's own HTTP framing: a chunked body split anywhere between receives comes
out whole; framing that lies or ends early is an error, never a shorter body."""

from __future__ import annotations

import random
import socket
import threading

import pytest

from dockmagic.engine.rawhttp import body_pieces
from dockmagic.errors import StreamError


def _chunked(payload: bytes, sizes: list[int]) -> bytes:
    out, at = bytearray(), 0
    for size in sizes:
        piece = payload[at : at + size]
        at += len(piece)
        out += b"%x\r\n%s\r\n" % (len(piece), piece)
    return bytes(out) + b"0\r\n\r\n"


def _received(wire: bytes, cuts: list[int], fields: dict[str, str], piece: int = 1 << 20) -> bytes:
    """Send ``wire`` over a socket pair in the pieces ``cuts`` make, each its own send; the body read."""
    ours, theirs = socket.socketpair()

    def send() -> None:
        at = 0
        try:
            for cut in [*cuts, len(wire)]:
                theirs.sendall(wire[at:cut])
                at = cut
        except BrokenPipeError:
            pass  # the reader stops at the last chunk, before its closing CRLF
        theirs.close()

    threading.Thread(target=send, daemon=True).start()
    try:
        return b"".join(body_pieces(ours, fields, b"", piece))
    finally:
        ours.close()


CHUNKED = {"transfer-encoding": "chunked"}


def test_chunked_framing_split_at_every_byte() -> None:
    payload = bytes(range(256)) * 3
    wire = _chunked(payload, [5, 300, 1, 250, 212])
    for cut in range(1, len(wire)):
        assert _received(wire, [cut], CHUNKED, piece=64) == payload, cut


def test_chunked_random_splits() -> None:
    rng = random.Random(7)
    for _ in range(50):
        payload = rng.randbytes(rng.randrange(0, 200_000))
        sizes = [rng.choice([1, 7, 512, 32768, 100_000]) for _ in range(len(payload) // 100 + 1)]
        wire = _chunked(payload, sizes)
        cuts = sorted(rng.sample(range(1, len(wire)), min(20, len(wire) - 1)))
        assert _received(wire, cuts, CHUNKED, piece=rng.choice([16, 4096, 1 << 20])) == payload


@pytest.mark.parametrize(
    ("wire", "said"),
    [
        (b"5\r\nhello\r\n", "broke off"),  # no last chunk: the connection ended
        (b"5\r\nhel", "broke off"),
        (b"zz\r\nhello\r\n0\r\n\r\n", "chunk size"),
        (b"-5\r\nhello\r\n0\r\n\r\n", "chunk size"),
        (b"5\r\nhelloXY0\r\n\r\n", "no CRLF"),
        (b"1" * 2000, "too long"),
    ],
)
def test_chunked_lies_are_errors(wire: bytes, said: str) -> None:
    with pytest.raises(StreamError, match=said):
        _received(wire, [], CHUNKED)


def test_counted_body_short_is_an_error() -> None:
    assert _received(b"abcdef", [2], {"content-length": "6"}) == b"abcdef"
    with pytest.raises(StreamError, match="3 of 6 bytes"):
        _received(b"abc", [], {"content-length": "6"})
    assert _received(b"until the end", [4], {}) == b"until the end"
