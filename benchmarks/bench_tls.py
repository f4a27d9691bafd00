"""TCP+TLS: request latency against a real ``dockerd --tlsverify`` (the tests' own, tests/tlsengine.py:
a namespace of its own, reached over a veth pair), for dockmagic and the docker CLI.

- ps -a of 20 containers on a kept Engine (TLS connections reused) and on a new Engine each time
  (a handshake per call);
- ``run -i --rm IMAGE cat`` with one line of stdin: the hijacked stream, its end a close_notify;
- the CLI: a fresh ``docker`` process each time, with the same certificates.

Run: ./dev bench
"""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import dockmagic
from benchmarks.common import compare, report
from dockmagic.engine import Engine, TLSConfig
from dockmagic.helpers.images.busybox import lab_image
from dockmagic.lab.engine import missing
from tests.tlsengine import TLSEngine
from tests.tlsproxy import make_certs


def _timed(fn: Callable[[], object], n: int) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    why = missing()
    if why:
        print(f"tls: skipped ({why})")
        return
    certs = make_certs(Path(tempfile.mkdtemp(prefix="bench-tls-")), names=("10.251.0.2",))
    daemon = TLSEngine(certs)
    try:
        local = daemon.start()
        image = lab_image(engine=local)
        for i in range(20):
            local.container_create({"Image": image, "Cmd": ["true"]}, name=f"bench-tls-{i}")
        tls = TLSConfig.from_dir(certs)
        kept = Engine(daemon.tcp_url, tls=tls)

        def fresh() -> None:
            with Engine(daemon.tcp_url, tls=tls) as engine:
                dockmagic.ps(all=True, engine=engine)

        results = compare(
            {
                "ps -a (20), kept Engine": lambda: dockmagic.ps(all=True, engine=kept),
                "ps -a (20), new Engine each": fresh,
            },
            n=10,
        )
        flags = ["-H", daemon.tcp_url, "--tlsverify", f"--tlscacert={certs / 'ca.pem'}",
                 f"--tlscert={certs / 'cert.pem'}", f"--tlskey={certs / 'key.pem'}"]  # fmt: skip
        results["docker ps -a (20), a process each"] = _timed(
            lambda: subprocess.run(["docker", *flags, "ps", "-a"], check=True, capture_output=True),
            9,
        )
        report("tls: ps against a dockerd --tlsverify (median)", results, "ms", 1e3)
        stdin = {
            "run -i --rm cat, dockmagic": _timed(
                lambda: dockmagic.run(
                    image, ["cat"], stdin=b"x\n", remove=True, quiet=True, engine=kept
                ),
                5,
            ),
            "run -i --rm cat, docker CLI": _timed(
                lambda: subprocess.run(
                    ["docker", *flags, "run", "-i", "--rm", image, "cat"],
                    input=b"x\n",
                    check=True,
                    capture_output=True,
                ),
                5,
            ),
        }
        report("tls: a line of stdin and its end (median)", stdin, "ms", 1e3)
        kept.close()
        local.close()
    finally:
        daemon.stop()


if __name__ == "__main__":
    main()
