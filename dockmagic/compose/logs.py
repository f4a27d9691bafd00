"""A project's logs as compose shows them: each line after its container's name (``web-1 | ``,
the service and number; a ``container_name`` whole), padded to the longest, coloured in
compose's order; stdout and stderr kept apart. Followed, every container is read at once (a
thread each) and the lines are written from the caller's thread, as they come, until each
container has stopped or the reader is interrupted."""

from __future__ import annotations

import codecs
import queue
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from ..engine import Engine
from ..engine.streams import STDERR, Chunk, Stream
from ..errors import DockerError
from ..render.units import parse_time
from .labels import NUMBER, PROJECT, SERVICE, name_of

# compose's rainbow: cyan, yellow, green, magenta, blue, then each bright.
_COLOURS = ("36", "33", "32", "35", "34", "36;1", "33;1", "32;1", "35;1", "34;1")
JOIN = 1.0  # seconds the reading threads get to end after an interrupt


def short_name(container: Mapping[str, Any]) -> str:
    """The name compose shows for a container: without the project (``web-1``), unless the file
    gave it a ``container_name``."""
    labels = container.get("Labels") or {}
    name, project = name_of(container), labels.get(PROJECT, "")
    if name == f"{project}-{labels.get(SERVICE)}-{labels.get(NUMBER)}":
        return name[len(project) + 1 :]
    return name


@dataclass(frozen=True)
class Line:
    """One line of a container's output (without its newline): which container, which stream."""

    name: str
    stream: int
    text: str


@dataclass(frozen=True)
class Ended:
    """A container's log stream ended (it stopped, or the reading was stopped); ``error`` if it
    broke off."""

    id: str
    name: str
    error: DockerError | None = None


class Prefixer:
    """Writes lines as compose writes them: ``NAME | text``, names padded to the longest and
    coloured (unless ``colour`` is off), stdout lines to ``out`` and stderr lines to ``err``."""

    def __init__(
        self,
        names: Iterable[str],
        *,
        prefix: bool = True,
        colour: bool = True,
        out: TextIO | None = None,
        err: TextIO | None = None,
    ) -> None:
        self.names = list(dict.fromkeys(names))
        self.prefix, self.colour = prefix, colour
        self._out, self._err = out, err
        self._colours = {n: _COLOURS[i % len(_COLOURS)] for i, n in enumerate(self.names)}

    def _paint(self, name: str, text: str) -> str:
        colour = self._colours.get(name)
        if not self.colour or colour is None:
            return text
        return f"\033[{colour}m{text}\033[0m"

    def prefixed(self, line: Line) -> str:
        if not self.prefix:
            return line.text
        width = max((len(n) for n in self.names), default=0) + 1  # compose pads one more
        return self._paint(line.name, f"{line.name:<{width}} | ") + line.text

    def write(self, line: Line) -> None:
        target = (self._err or sys.stderr) if line.stream == STDERR else (self._out or sys.stdout)
        target.write(self.prefixed(line) + "\n")
        target.flush()

    def status(self, name: str, text: str) -> None:
        """A line about a container (it exited, it was stopped), in its colour."""
        out = self._out or sys.stdout
        out.write(self._paint(name, f"{name} {text}") + "\n")
        out.flush()


def lines_of(chunks: Iterable[Chunk], name: str) -> Iterator[Line]:
    """A container's output chunks as whole lines, each stream decoded apart (a line split
    across chunks, or UTF-8 split across them, comes out whole); a last line without its
    newline comes at the end."""
    decoders = {s: codecs.getincrementaldecoder("utf-8")(errors="replace") for s in (1, 2)}
    partial = {1: "", 2: ""}
    for chunk in chunks:
        key = STDERR if chunk.stream == STDERR else 1
        text = partial[key] + decoders[key].decode(bytes(chunk.data))
        *complete, partial[key] = text.split("\n")
        for line in complete:
            yield Line(name, key, line.removesuffix("\r"))
    for key in (1, 2):
        rest = partial[key] + decoders[key].decode(b"", final=True)
        if rest:
            yield Line(name, key, rest)


class Follower:
    """Reads the logs of several containers at once and hands their lines to one thread.

    ``add`` starts reading a container (``follow``: until it stops); ``events`` yields each
    :class:`Line` and :class:`Ended` as it comes, from the caller's thread, until every stream
    has ended; ``close`` ends them all at once (Ctrl-C: no thread is left reading)."""

    def __init__(
        self,
        engine: Engine,
        *,
        follow: bool = True,
        tail: str | int = "all",
        timestamps: bool = False,
    ) -> None:
        self.engine, self.follow, self.tail, self.timestamps = engine, follow, tail, timestamps
        self._queue: queue.Queue[Line | Ended] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._streams: dict[str, Stream[Chunk]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._open = 0

    def add(
        self, cid: str, name: str, *, since: float | None = None, tail: str | int | None = None
    ) -> None:
        with self._lock:
            self._open += 1
        thread = threading.Thread(
            target=self._read,
            args=(cid, name, since, self.tail if tail is None else tail),
            name=f"dockmagic-logs-{name}",
            daemon=True,
        )
        self._threads.append(thread)
        thread.start()

    def _read(self, cid: str, name: str, since: float | None, tail: str | int) -> None:
        error: DockerError | None = None
        try:
            stream = self.engine.container_logs(
                cid, follow=self.follow, tail=tail, timestamps=self.timestamps, since=since
            )
            with self._lock:
                self._streams[cid] = stream
            with stream:
                if self._stop.is_set():
                    return
                for line in lines_of(stream, name):
                    if self._stop.is_set():
                        return
                    self._queue.put(line)
        except DockerError as exc:
            error = exc if not self._stop.is_set() else None
        finally:
            with self._lock:
                self._streams.pop(cid, None)
            self._queue.put(Ended(cid, name, error))

    def events(
        self, poll: float = 0.2, pending: Callable[[], bool] | None = None
    ) -> Iterator[Line | Ended]:
        """Each line and end as it comes, until every stream added has ended and ``pending``
        (called whenever ``poll`` seconds pass with nothing; it may add streams) says nothing
        more is awaited."""
        while True:
            with self._lock:
                finished = self._open == 0 and self._queue.empty()
            if finished and not (pending is not None and pending()):
                return
            try:
                item = self._queue.get(timeout=poll)
            except queue.Empty:
                if pending is not None:
                    pending()
                continue
            if isinstance(item, Ended):
                with self._lock:
                    self._open -= 1
            yield item

    def close(self) -> None:
        """Stop reading: every stream is shut (a thread blocked on a silent container wakes) and
        the threads are given a second to end."""
        self._stop.set()
        with self._lock:
            streams = list(self._streams.values())
        for stream in streams:
            stream.abort()
        for thread in self._threads:
            thread.join(JOIN / max(len(self._threads), 1))


def follow(
    engine: Engine,
    found: Iterable[Mapping[str, Any]],
    printer: Prefixer,
    *,
    tail: str | int = "all",
    timestamps: bool = False,
    stop_on_exit: bool = False,
    since: Mapping[str, float] | None = None,
) -> dict[str, int]:
    """Write ``found``'s logs as they come until every container has stopped (one the engine
    restarts is read on from its new start, as compose's monitor does); ``stop_on_exit``: until
    the first one stops; ``since``: from when, for some (by ID), the rest from ``tail``. The exit
    codes come back, by name. Ctrl-C ends the reading at once."""
    follower = Follower(engine, follow=True, tail=tail, timestamps=timestamps)
    for c in found:
        when = (since or {}).get(str(c["Id"]))
        follower.add(str(c["Id"]), short_name(c), since=when, tail=None if when is None else "all")
    restarting: dict[str, tuple[str, str]] = {}  # id -> (name, the start it had)
    codes: dict[str, int] = {}

    def pending() -> bool:
        for cid, (name, started) in list(restarting.items()):
            state = engine.container_inspect(cid)["State"]
            if state.get("Running") and state.get("StartedAt") != started:
                del restarting[cid]
                follower.add(cid, name, since=parse_time(state["StartedAt"]), tail="all")
            elif not (state.get("Running") or state.get("Restarting")):
                del restarting[cid]
        return bool(restarting)

    try:
        for event in follower.events(pending=pending):
            if isinstance(event, Line):
                printer.write(event)
                continue
            if event.error is not None:
                raise event.error
            state = engine.container_inspect(event.id)["State"]
            code = int(state.get("ExitCode") or 0)
            if state.get("Restarting") or state.get("Running"):
                restarting[event.id] = (event.name, str(state.get("StartedAt")))
                printer.status(event.name, f"exited with code {code} (restarting)")
                continue
            codes[event.name] = code
            printer.status(event.name, f"exited with code {code}")
            if stop_on_exit:
                break
    finally:
        follower.close()
    return codes
