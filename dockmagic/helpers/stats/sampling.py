"""Recording the stats stream of several containers at once, one thread per container."""

from __future__ import annotations

import math
import threading
import time
from typing import Any

from ...engine import Engine
from ...errors import DockerError, StreamCut
from ..containers.streaming import container_running
from .measures import measures


class Sampler:
    """Records samples from the streaming stats endpoint, one thread per container.

    The engine sends a sample about every second; ``interval`` keeps one per interval. Threads end
    when stopped (within about a second: after their next sample) or when their container stops.
    """

    def __init__(
        self, engine: Engine, targets: list[dict[str, Any]], interval: float = 1.0
    ) -> None:
        self.engine, self.targets, self.interval = engine, targets, interval
        self.records: list[dict[str, Any]] = []
        self.started = time.time()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.errors: list[DockerError] = []

    def start(self) -> Sampler:
        for target in self.targets:
            thread = threading.Thread(
                target=self._follow,
                args=(target,),
                daemon=True,
                name=f"dockmagic-sample-{target['name']}",
            )
            thread.start()
            self._threads.append(thread)
        return self

    def _follow(self, target: dict[str, Any]) -> None:
        """Record one container's samples; a stream that breaks or ends while its container still
        runs is an error (kept in ``errors``), not the end of its series."""
        error: DockerError | None = None
        try:
            if self._record(target):
                return
        except DockerError as exc:
            error = exc
        if self._stop.is_set():
            return
        try:
            running = container_running(self.engine, target["id"])
        except DockerError:
            running = True  # the engine itself is gone: the error stands
        if running:
            self.errors.append(
                error
                or StreamCut(f"the stats stream of {target['name']} ended while it still runs")
            )

    def _record(self, target: dict[str, Any]) -> bool:
        """Whether the stream ended as it should: stopped by us, or its container stopped."""
        last = 0.0
        stream = self.engine.container_stats(target["id"], stream=True)
        try:
            for sample in stream:
                # After its container stops the engine keeps sending empty samples ("read" at year 1).
                if self._stop.is_set() or str(sample.get("read", "")).startswith("0001-"):
                    return True
                now = time.time()
                if now - last < self.interval * 0.9:
                    continue
                last = now
                record = {
                    "t": round(now - self.started, 3),
                    "time": now,
                    "container": target["name"],
                    "id": target["id"],
                    "state": "running",
                    **measures(sample),
                }
                if not (sample.get("precpu_stats") or {}).get("system_cpu_usage"):
                    record["cpu_percent"] = (
                        math.nan
                    )  # the first sample has no previous one to compare
                with self._lock:
                    self.records.append(record)
        finally:
            stream.close()
        return False

    def check(self) -> None:
        """Raise the first stream that failed (what was recorded stays in the sampler)."""
        if self.errors:
            raise self.errors[0]

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.records)

    @property
    def running(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    def stop(self, wait: float = 0.8) -> None:
        """Ask the threads to end and give them ``wait`` seconds (Ctrl-C must return within one);
        one still reading ends after its next sample, at most a second later."""
        self._stop.set()
        deadline = time.monotonic() + wait
        for thread in self._threads:
            thread.join(max(deadline - time.monotonic(), 0))
