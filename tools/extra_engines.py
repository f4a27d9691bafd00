"""Extra Docker engines for tests that need more than one: each a dockerd of its own, with its own
data-root, exec-root, pidfile and socket, in a network namespace of its own, with its name as its
host name.

The namespace is not a nicety: a second daemon in the host's namespace manages the host's bridge
(with ``--bridge=none`` it deletes ``docker0``; with its own pools it still fights over iptables),
which takes networking away from the engine on /var/run/docker.sock. Inside its namespace, its
``docker0`` is its own. nsenter (not ``ip netns exec``, which remounts /sys and hides the cgroups)
enters only the network namespace. Only what was started here is stopped.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from dockmagic.engine import Engine
from dockmagic.errors import DockerError

ROOT = Path("/tmp/dockmagic-engines")  # short: containerd's sockets live under the exec-root


def missing() -> str | None:
    """Why extra engines cannot be had here, or None."""
    if os.geteuid() != 0:
        return "extra engines need root (network namespaces, dockerd)"
    for tool in ("dockerd", "ip", "nsenter"):
        if shutil.which(tool) is None:
            return f"extra engines need {tool}"
    return None


class ExtraEngine:
    def __init__(self, name: str, pool: str) -> None:
        self.name, self.pool = name, pool  # pool: the address pool of its networks, e.g. 10.211.0.0/16
        self.root = ROOT / name
        self.netns = f"dockmagic-{name}"
        self.socket = self.root / "docker.sock"
        self.url = f"unix://{self.socket}"
        self.process: subprocess.Popen[bytes] | None = None
        self.address: str | None = None  # on the wire to other engines, once linked

    def start(self, timeout: float = 60) -> Engine:
        if self.root.exists():
            self._end_leftover()
            self._forget()
        (self.root / "exec").mkdir(parents=True)
        subprocess.run(["ip", "netns", "add", self.netns], check=True)
        subprocess.run(["ip", "netns", "exec", self.netns, "ip", "link", "set", "lo", "up"], check=True)
        return self._launch(timeout)

    def restart(self, timeout: float = 60) -> Engine:
        """Stop the daemon and start it again on the same data, in the same namespace: what a
        reboot does to it (a swarm manager with autolock comes back locked)."""
        self._terminate()
        return self._launch(timeout)

    def _launch(self, timeout: float) -> Engine:
        log = open(self.root / "dockerd.log", "ab")  # noqa: SIM115 - the daemon's, closed at stop
        self.process = subprocess.Popen(
            [
                "nsenter",
                f"--net=/var/run/netns/{self.netns}",
                # a host name of its own (a UTS namespace): a swarm's nodes are told apart by it
                "unshare",
                "--uts",
                "sh",
                "-c",
                f'hostname {self.name} && exec "$@"',
                "sh",
                "dockerd",
                "--data-root",
                str(self.root / "data"),
                "--exec-root",
                str(self.root / "exec"),
                "--pidfile",
                str(self.root / "docker.pid"),
                "-H",
                self.url,
                "--default-address-pool",
                f"base={self.pool},size=24",
                "--bip",
                self.pool.replace(".0.0/16", ".0.1/24"),
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        log.close()
        engine = Engine(self.url)
        deadline = time.monotonic() + timeout
        while True:
            try:
                _ = engine.api_version  # it answers
                return engine
            except DockerError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    tail = (self.root / "dockerd.log").read_text(errors="replace").splitlines()[-5:]
                    self.stop()
                    raise RuntimeError(f"extra engine {self.name} did not start: {' | '.join(tail)}") from None
                time.sleep(0.25)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                with Engine(self.url) as engine:  # its containers first: their shims outlive a killed daemon
                    for c in engine.container_list(all=True):
                        engine.container_delete(c["Id"], force=True)  # type: ignore[attr-defined]
            except DockerError:
                pass
        self._terminate()
        self._forget()

    def _terminate(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def _end_leftover(self) -> None:
        """A daemon of this name an earlier run left running (a notebook that stopped half-way, a
        killed test): its pidfile names it, and it ends before its folder is wiped, or it would run on
        in a namespace nobody can reach any more."""
        try:
            pid = int((self.root / "docker.pid").read_text())
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError):
            return
        if str(self.root).encode() not in command:  # the pid is someone else's now
            return
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            if Path(f"/proc/{pid}/stat").read_text().split(") ")[-1].startswith("Z"):
                break  # ended; its parent has not collected it
            time.sleep(0.1)

    def _forget(self) -> None:
        self.address = None
        subprocess.run(["ip", "netns", "del", self.netns], capture_output=True)
        subprocess.run(
            ["sh", "-c", f"grep -o ' {self.root}[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l"],
            capture_output=True,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def link(a: ExtraEngine, b: ExtraEngine, subnet: str = "10.250.0") -> None:
    """A wire between two engines' namespaces (a veth pair, ``subnet``.1 and .2), for a Swarm or
    anything else that needs them to reach each other by address. It goes with the namespaces."""
    ends = [(a, f"dm-{b.name}"[:15], f"{subnet}.1"), (b, f"dm-{a.name}"[:15], f"{subnet}.2")]
    (_, first, _), (_, second, _) = ends
    subprocess.run(
        ["ip", "link", "add", first, "netns", a.netns, "type", "veth", "peer", "name", second, "netns", b.netns],
        check=True,
    )
    for engine, device, address in ends:
        subprocess.run(["ip", "-n", engine.netns, "addr", "add", f"{address}/24", "dev", device], check=True)
        subprocess.run(["ip", "-n", engine.netns, "link", "set", device, "up"], check=True)
        engine.address = address
