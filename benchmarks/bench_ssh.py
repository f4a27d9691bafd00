"""ssh://: request latency over ssh against the unix socket, for dockmagic and the docker CLI. A real
sshd on 127.0.0.1 (the tests' throwaway one) forwards to the local engine with ``docker system
dial-stdio``, as a remote host would.

- first request: a new Engine on a host with no ssh connection yet (ssh's ControlMaster made);
- later requests: ping and ps on a warm Engine (the shared ssh connection reused);
- the CLI: a fresh ``docker ps`` process each time, unix against ssh.

Run: ./dev bench
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import dockmagic
from benchmarks.common import compare, report
from dockmagic.engine import Engine, ssh
from tests.sshd import SSHD, missing

HOST = "unix:///var/run/docker.sock"


def main() -> None:
    why = missing()
    if why:
        print(f"ssh: skipped ({why})")
        return
    server = SSHD(Path(tempfile.mkdtemp(prefix="bench-sshd-"))).start()
    os.environ[ssh.OPTIONS_ENV] = server.options
    try:
        firsts = []
        for _ in range(7):
            ssh.close_masters()
            start = time.perf_counter()
            with Engine(server.url) as fresh:
                fresh.ping()
            firsts.append(time.perf_counter() - start)
        local, remote = Engine(HOST), Engine(server.url)
        results = compare(
            {
                "ping, unix": local.ping,
                "ping, ssh (warm)": remote.ping,
                "ps -a, unix": lambda: dockmagic.ps(all=True, engine=local),
                "ps -a, ssh (warm)": lambda: dockmagic.ps(all=True, engine=remote),
            },
            n=50,
        )
        results["first request over ssh (new master)"] = statistics.median(firsts)
        report("ssh: dockmagic request latency (median)", results, "ms", 1e3)
        # the CLI runs `ssh` from PATH with the user's own config: an ssh that takes the throwaway one
        wrapper = server.folder / "bin"
        wrapper.mkdir(exist_ok=True)
        (wrapper / "ssh").write_text(
            f'#!/bin/sh\nexec {shutil.which("ssh")} {server.options} "$@"\n'
        )
        (wrapper / "ssh").chmod(0o755)
        env = {**os.environ, "PATH": f"{wrapper}:{os.environ['PATH']}"}
        timed: dict[str, list[float]] = {"docker ps -a, unix": [], "docker ps -a, ssh": []}
        argvs = {
            "docker ps -a, unix": ["docker", "ps", "-a"],
            "docker ps -a, ssh": ["docker", "-H", server.url, "ps", "-a"],
        }
        for _ in range(7):
            for label, argv in argvs.items():
                start = time.perf_counter()
                subprocess.run(argv, check=True, capture_output=True, env=env)
                timed[label].append(time.perf_counter() - start)
        cli = {k: statistics.median(v) for k, v in timed.items()}
        report("ssh: the docker CLI, a fresh process each (median)", cli, "ms", 1e3)
        local.close()
        remote.close()
    finally:
        ssh.close_masters()
        server.stop()


if __name__ == "__main__":
    main()
