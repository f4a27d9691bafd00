"""Live output: container output written to the cell (or terminal) as it arrives.

stdout goes to sys.stdout and stderr to sys.stderr (red in notebooks). ipykernel batches stream
writes, so many small chunks do not become many messages. What is shown is capped: the first
``head`` lines live, then only the last ``tail`` lines at the end, with a line saying how many
were held back; the returned object keeps everything.
"""

from __future__ import annotations

import codecs
import sys
from collections import deque
from collections.abc import Iterable
from typing import TextIO

from ...engine.streams import STDERR, Chunk
from ...settings import settings


class LiveOutput:
    def __init__(
        self,
        show: bool = True,
        head: int | None = None,
        tail: int | None = None,
        line_chars: int | None = None,
    ) -> None:
        self.show = show
        self.head = settings.output_head_lines if head is None else head
        self.line_chars = line_chars or settings.output_line_chars
        self._decoders = {
            s: codecs.getincrementaldecoder("utf-8")(errors="replace") for s in (1, 2)
        }
        self._parts: dict[int, list[str]] = {1: [], 2: []}
        self._shown_lines = 0
        self._column = {1: 0, 2: 0}  # characters shown on each stream's current line
        self._held = False  # past the head: lines go to the tail buffer
        self._tail: deque[tuple[int, str]] = deque(
            maxlen=settings.output_tail_lines if tail is None else tail
        )
        self._partial = {1: "", 2: ""}
        self.hidden_lines = 0

    @staticmethod
    def _target(stream: int) -> TextIO:
        return sys.stderr if stream == STDERR else sys.stdout

    def feed(self, chunk: Chunk) -> None:
        stream = STDERR if chunk.stream == STDERR else 1
        text = self._decoders[stream].decode(chunk.data)
        self._text(stream, text)

    def _text(self, stream: int, text: str) -> None:
        if not text:
            return
        self._parts[stream].append(text)
        if not self.show:
            return
        if self._held:
            self._hold(stream, text)
            return
        out = self._target(stream)
        for piece in text.splitlines(keepends=True):
            if self._shown_lines >= self.head:
                self._held = True
                out.flush()
                sys.stdout.write(
                    f"… more than {self.head} lines: the rest is held back and its last "
                    f"{self._tail.maxlen} lines shown at the end (all of it is on the result) …\n"
                )
                self._hold(stream, piece)
                continue
            self._write_clipped(out, stream, piece)
            if piece.endswith(("\n", "\r")):
                self._shown_lines += 1
                self._column[stream] = 0

    def _write_clipped(self, out: TextIO, stream: int, piece: str) -> None:
        room = self.line_chars - self._column[stream]
        body = piece.rstrip("\r\n")
        end = piece[len(body) :]
        if len(body) > room:
            body = body[: max(room, 0)] + ("…" if room >= 0 else "")
        self._column[stream] += len(piece) - len(end)
        out.write(body + end)

    def _hold(self, stream: int, text: str) -> None:
        buf = self._partial[stream] + text
        lines = buf.splitlines(keepends=True)
        self._partial[stream] = (
            lines.pop() if lines and not lines[-1].endswith(("\n", "\r")) else ""
        )
        for line in lines:
            if len(self._tail) == self._tail.maxlen:
                self.hidden_lines += 1
            self._tail.append((stream, line))

    def feed_all(self, chunks: Iterable[Chunk]) -> None:
        for chunk in chunks:
            self.feed(chunk)

    def close(self) -> None:
        """Flush decoders; show the held-back tail with a count of what was hidden."""
        for stream, decoder in self._decoders.items():
            self._text(stream, decoder.decode(b"", final=True))
        if self.show and self._held:
            for stream, rest in self._partial.items():
                if rest:
                    self._hold(stream, rest + "\n")
                    self._partial[stream] = ""
            if self.hidden_lines:
                sys.stdout.write(f"… {self.hidden_lines} lines hidden …\n")
            for stream, line in self._tail:
                self._target(stream).write(
                    line[: self.line_chars] + ("" if line.endswith("\n") else "\n")
                )
        if self.show:
            sys.stdout.flush()
            sys.stderr.flush()

    @property
    def stdout(self) -> str:
        return "".join(self._parts[1])

    @property
    def stderr(self) -> str:
        return "".join(self._parts[2])
