"""A real ``dockerd --tlsverify``, as Docker's "Protect the Docker daemon socket" page sets one up:
its own data-root, exec-root, pidfile, socket and network namespace (an extra engine), listening
with TLS on an address of that namespace, reached from here over a veth pair of its own. Nothing
of the host's engine or its bridge is touched; the namespace, and the pair with it, go at stop."""

from __future__ import annotations

import subprocess
from pathlib import Path

from dockmagic.lab.engine import ROOT, NamespacedEngine

SUBNET = "10.251.0"  # the wire: this side .1, the engine .2 (one subnet per engine at a time)
POOL = "10.252.0.0/16"  # the engine's own container networks


class TLSEngine(NamespacedEngine):
    def __init__(self, certs: Path, name: str = "tlsd", subnet: str = SUBNET) -> None:
        self.subnet = subnet
        self.ip = f"{subnet}.2"
        self.port = 2376
        self.tcp_url = f"tcp://{self.ip}:{self.port}"
        flags = [
            "--tlsverify",
            f"--tlscacert={certs / 'ca.pem'}",
            f"--tlscert={certs / 'server-cert.pem'}",
            f"--tlskey={certs / 'server-key.pem'}",
            "-H",
            self.tcp_url,
        ]
        super().__init__(name, POOL, ROOT, flags)
        self.host_end = f"dm-{name}-h"[:15]

    def _prepare(self) -> None:
        """The wire before the daemon starts: it binds its TLS address at start."""
        inner = f"dm-{self.name}-e"[:15]
        run = ["ip", "link", "add", self.host_end, "type", "veth", "peer", "name", inner]
        subprocess.run([*run, "netns", self.netns], check=True, capture_output=True)
        for cmd in (
            ["ip", "addr", "add", f"{self.subnet}.1/24", "dev", self.host_end],
            ["ip", "link", "set", self.host_end, "up"],
            ["ip", "-n", self.netns, "addr", "add", f"{self.ip}/24", "dev", inner],
            ["ip", "-n", self.netns, "link", "set", inner, "up"],
        ):
            subprocess.run(cmd, check=True, capture_output=True)

    def _forget(self) -> None:
        super()._forget()  # the namespace's end of the pair goes with it, and so the pair
        subprocess.run(["ip", "link", "del", self.host_end], capture_output=True)
