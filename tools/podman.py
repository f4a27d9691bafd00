"""Podman's Docker-compatible API as a second kind of engine for the tests: rootful ``podman system
service`` on a socket of its own, with storage, run state, networks and config of its own, in a
network namespace of its own (its netavark writes iptables rules and a bridge wherever it runs:
in the host's namespace it would put them beside docker0's). Only what was started here is
stopped, and everything it stored goes with it.

The suite's Podman lane (``./dev test``, after the main run) starts one: tests/conftest.py.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import time
from pathlib import Path

from dockmagic.engine import Engine
from dockmagic.errors import DockerError
from dockmagic.lab.engine import forget

ROOT = Path("/tmp/dockmagic-podman")
NETNS = "dockmagic-podman"


def missing() -> str | None:
    """Why a Podman service cannot be had here, or None."""
    if os.geteuid() != 0:
        return "a Podman service of its own needs root (network namespace, rootful podman)"
    for tool in ("podman", "ip", "nsenter"):
        if shutil.which(tool) is None:
            return f"a Podman service needs {tool} (./dev test installs Debian's podman)"
    return None


def _ulimits() -> list[str]:
    """Default ulimits this machine lets a container have. Podman 4.3 gives rootful containers
    1048576 open files and processes unless told; a host without CAP_SYS_RESOURCE refuses that
    and no container starts ("error setting rlimit ... operation not permitted")."""
    files = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    procs = resource.getrlimit(resource.RLIMIT_NPROC)[1]
    files = 1048576 if files == resource.RLIM_INFINITY else min(files, 1048576)
    # above about 32768 processes runc's limit was refused here even under the hard limit
    procs = 16384 if procs == resource.RLIM_INFINITY else min(procs, 16384)
    return [f"nofile={files}:{files}", f"nproc={procs}:{procs}"]


class PodmanService:
    def __init__(self, root: Path = ROOT, netns: str = NETNS) -> None:
        self.root, self.netns = root, netns
        self.socket = root / "podman.sock"
        self.url = f"unix://{self.socket}"
        self.process: subprocess.Popen[bytes] | None = None

    def config(self) -> Path:
        limits = ", ".join(f'"{u}"' for u in _ulimits())
        conf = self.root / "containers.conf"
        conf.write_text(
            f"[containers]\ndefault_ulimits = [{limits}]\n"
            '[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n'
            f'events_logfile_path = "{self.root / "events.log"}"\n'
            f'tmp_dir = "{self.root / "tmp"}"\nstatic_dir = "{self.root / "storage" / "libpod"}"\n'
            f'volume_path = "{self.root / "storage" / "volumes"}"\n'
            '[network]\nnetwork_backend = "netavark"\n'
            f'network_config_dir = "{self.root / "networks"}"\ndefault_subnet = "10.254.0.0/24"\n'
        )
        return conf

    def podman(self) -> list[str]:
        """The podman command line for this service's storage, in its namespace."""
        return [
            "nsenter",
            f"--net=/var/run/netns/{self.netns}",
            "podman",
            "--root",
            str(self.root / "storage"),
            "--runroot",
            str(self.root / "run"),
        ]

    def env(self) -> dict[str, str]:
        return {**os.environ, "CONTAINERS_CONF": str(self.root / "containers.conf")}

    def start(self, timeout: float = 60) -> Engine:
        why = missing()
        if why:
            raise DockerError(why)
        self._forget()
        for sub in ("tmp", "networks", "run", "storage"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.config()
        subprocess.run(["ip", "netns", "add", self.netns], check=True, capture_output=True)
        subprocess.run(["ip", "-n", self.netns, "link", "set", "lo", "up"], check=True)
        log = open(self.root / "service.log", "ab")  # noqa: SIM115 - the service's, closed below
        self.process = subprocess.Popen(
            [*self.podman(), "system", "service", "--time=0", self.url],
            env=self.env(),
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
                if engine.ping():
                    return engine
            except DockerError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                tail = (self.root / "service.log").read_text(errors="replace").splitlines()[-5:]
                self.stop()
                raise DockerError(f"podman system service did not start: {' | '.join(tail)}")
            time.sleep(0.25)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                with Engine(
                    self.url
                ) as engine:  # its containers first: conmon outlives the service
                    for c in engine.container_list(all=True):
                        engine.container_delete(c["Id"], force=True)
            except DockerError:
                pass
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None
        self._forget()

    def _forget(self) -> None:
        """The namespace, the mounts of its storage and its folders (a leftover of a killed run's too)."""
        subprocess.run(["pkill", "-f", "--", f"--root {self.root}/storage"], capture_output=True)
        forget(self.netns, self.root)


def host_bridge_broken(host: str = "unix:///var/run/docker.sock") -> str:
    """What is wrong with the host's engine after Podman ran beside it, or '': docker0 must be
    there and a ``--rm`` container on the default network must run."""
    if subprocess.run(["ip", "link", "show", "docker0"], capture_output=True).returncode:
        return "docker0 is gone"
    import dockmagic
    from dockmagic.helpers.images.busybox import lab_image

    tag = "dockmagic-test/after-podman:latest"
    try:
        with Engine(host) as engine:
            lab_image(tag, labels={"dockmagic.test": "1"}, engine=engine)
            try:
                done = dockmagic.run(tag, ["true"], remove=True, quiet=True, engine=engine)
            finally:
                engine.image_delete(tag, force=True)
        return "" if done.exit_code == 0 else f"a --rm run exited {done.exit_code}"
    except DockerError as exc:
        return f"a --rm run on the default network failed: {exc}"
