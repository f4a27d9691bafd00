"""Shared by the benchmarks: interleaved timing, a raw keep-alive unix-socket client, socket counting."""

from __future__ import annotations

import http.client
import socket
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


def compare(
    contenders: dict[str, Callable[[], object]], n: int, rounds: int = 7
) -> dict[str, float]:
    """Median seconds per call for each contender. Rounds are interleaved (A B C A B C ...) so
    that a noisy machine slows every contender alike."""
    for fn in contenders.values():
        fn()  # warm-up: connections, version negotiation
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, fn in contenders.items():
            start = time.perf_counter()
            for _ in range(n):
                fn()
            samples[name].append((time.perf_counter() - start) / n)
    return {name: statistics.median(s) for name, s in samples.items()}


def report(title: str, results: dict[str, float], unit: str = "µs", scale: float = 1e6) -> None:
    """Print each contender with its ratio to the first one."""
    base = next(iter(results.values()))
    print(title)
    for name, seconds in results.items():
        print(f"  {name:<36} {seconds * scale:10.1f} {unit}  {seconds / base:6.2f}x")


class RawUnixHTTP(http.client.HTTPConnection):
    """The floor: one keep-alive HTTP/1.1 connection on the unix socket, no library on top."""

    def __init__(self, path: str = "/var/run/docker.sock") -> None:
        super().__init__("localhost")
        self.path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(self.path)

    def get(self, url: str) -> bytes:
        self.request("GET", url)
        return self.getresponse().read()


@contextmanager
def count_unix_connects() -> Iterator[list[int]]:
    """Count unix-socket connect() calls made inside the block, whoever makes them."""
    opened: list[int] = []
    original = socket.socket.connect

    def connect(self: socket.socket, address: object) -> None:
        if self.family == socket.AF_UNIX:
            opened.append(1)
        original(self, address)

    socket.socket.connect = connect  # type: ignore[method-assign]
    try:
        yield opened
    finally:
        socket.socket.connect = original  # type: ignore[method-assign]


_MEASURE = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
    "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def measure(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one command, in a fresh process tree."""
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, *cmd], capture_output=True, text=True, check=True
    )
    seconds, kb = out.stdout.split()
    return float(seconds), int(kb) / 1024
