"""A Docker engine of its own: a dockerd with its own data-root, exec-root, pidfile and socket, in
a network namespace of its own, never touching the engine on /var/run/docker.sock.

The namespace is not a nicety: a second daemon in the host's namespace manages the host's bridge
(with ``--bridge=none`` it deletes ``docker0``; with its own pools it still fights over iptables).
Inside its namespace, its ``docker0`` and iptables are its own. nsenter (not ``ip netns exec``,
which remounts /sys and hides the cgroups) enters only the network namespace. Only what was started
here is stopped.

``LabEngine`` is the one a teaching lab runs behind its proxy (``python -m dockmagic.lab engine``),
safe when the proxy is wrong: container root is not host root (user-namespace remapping), no
traffic between containers (``--icc=false``), no-new-privileges, default ulimits, and all its
containers (builds' too) under one cgroup whose pids and memory bound the whole class.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from ..engine import Engine
from ..errors import DockerError

ROOT = Path("/tmp/dockmagic-engines")  # short: containerd's sockets live under the exec-root


class EngineSetupError(DockerError):
    """An engine of its own could not be had here (no root, no dockerd, it did not start)."""


def missing() -> str | None:
    """Why an engine of its own cannot be had here, or None."""
    if os.geteuid() != 0:
        return "an engine of its own needs root (network namespaces, dockerd)"
    for tool in ("dockerd", "ip", "nsenter"):
        if shutil.which(tool) is None:
            return f"an engine of its own needs {tool}"
    return None


def forget(netns: str, root: Path) -> None:
    """A network namespace, the mounts under ``root`` (deepest first) and ``root`` itself: what an
    engine of its own leaves, a killed run's too."""
    subprocess.run(["ip", "netns", "del", netns], capture_output=True)
    subprocess.run(
        ["sh", "-c", f"grep -o ' {root}[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l"],
        capture_output=True,
    )
    shutil.rmtree(root, ignore_errors=True)


class NamespacedEngine:
    """A dockerd named ``name`` under ``root``/``name``, its networks from ``pool`` (a /16)."""

    def __init__(
        self, name: str, pool: str, root: Path = ROOT, flags: list[str] | None = None
    ) -> None:
        self.name, self.pool = name, pool
        self.root = root / name
        self.netns = f"dockmagic-{name}"
        self.socket = self.root / "docker.sock"
        self.url = f"unix://{self.socket}"
        self.flags = flags or []
        self.process: subprocess.Popen[bytes] | None = None
        self.address: str | None = None  # on the wire to other engines, once linked

    def start(self, timeout: float = 60) -> Engine:
        why = missing()
        if why:
            raise EngineSetupError(why)
        if self.root.exists():
            self._end_leftover()
            self._forget()
        (self.root / "exec").mkdir(parents=True)
        subprocess.run(["ip", "netns", "add", self.netns], check=True, capture_output=True)
        subprocess.run(
            ["ip", "-n", self.netns, "link", "set", "lo", "up"], check=True, capture_output=True
        )
        self._prepare()
        return self._launch(timeout)

    def restart(self, timeout: float = 60) -> Engine:
        """Stop the daemon and start it again on the same data, in the same namespace: what a
        reboot does to it (a swarm manager with autolock comes back locked)."""
        self._terminate()
        return self._launch(timeout)

    def _prepare(self) -> None:
        """What the daemon needs before it starts (a subclass's cgroups, say)."""

    def command(self) -> list[str]:
        return [
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
            *self.flags,
        ]

    def _launch(self, timeout: float) -> Engine:
        log = open(self.root / "dockerd.log", "ab")  # noqa: SIM115 - the daemon's, closed at stop
        self.process = subprocess.Popen(
            self.command(), stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
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
                    raise EngineSetupError(
                        f"the engine {self.name} did not start: {' | '.join(tail)}"
                    ) from None
                time.sleep(0.25)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                with Engine(
                    self.url
                ) as engine:  # its containers first: their shims outlive a killed daemon
                    for c in engine.container_list(all=True):
                        engine.container_delete(c["Id"], force=True)
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
        forget(self.netns, self.root)


class LabEngine(NamespacedEngine):
    """The hardened engine a lab's proxy fronts. ``pids`` and ``memory`` bound the whole class (all
    containers, builds' RUN steps included, which the classic builder gives no pids limit)."""

    def __init__(
        self,
        name: str = "lab",
        pool: str = "10.213.0.0/16",
        root: Path = ROOT,
        pids: int = 4096,
        memory: int = 0,
    ) -> None:
        self.cgroup = f"dockmagic-{name}"
        self.pids, self.memory = pids, memory
        super().__init__(
            name,
            pool,
            root,
            [
                "--userns-remap=default",  # container root is an unprivileged host user
                "--icc=false",  # no traffic between containers on the default bridge
                "--no-new-privileges",
                "--default-ulimit",
                "nofile=1024:4096",
                f"--cgroup-parent=/{self.cgroup}",
                "--log-level=warn",
            ],
        )

    def _prepare(self) -> None:
        """The class's cgroup, made before the daemon puts anything in it (cgroup v1 or v2)."""
        base = Path("/sys/fs/cgroup")
        limits = {"pids": ("pids.max", self.pids), "memory": ("memory.limit_in_bytes", self.memory)}
        if (base / "cgroup.controllers").exists():  # v2: one tree
            folder = base / self.cgroup
            folder.mkdir(exist_ok=True)
            _write(folder / "pids.max", self.pids)
            if self.memory:
                _write(folder / "memory.max", self.memory)
            return
        for controller, (knob, value) in limits.items():
            if value and (base / controller).is_dir():
                folder = base / controller / self.cgroup
                folder.mkdir(exist_ok=True)
                _write(folder / knob, value)

    def images_from(self, source: Engine, names: list[str]) -> None:
        """Copy images from another engine (``docker save | docker load``, streamed): the lab's
        namespace reaches no registry."""
        with Engine(self.url) as target:
            for name in names:
                for _ in target.image_load(bytes(chunk) for chunk in source.image_get(name)):
                    pass


def _write(path: Path, value: int) -> None:
    try:
        path.write_text(str(value))
    except OSError as exc:
        raise EngineSetupError(f"cannot set {path} to {value}: {exc.strerror}") from None


__all__ = ["EngineSetupError", "LabEngine", "NamespacedEngine", "missing"]
