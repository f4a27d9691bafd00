"""What the engine tests share: the test label, a busybox image built through the API, a registry."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import socket
import subprocess
import tarfile
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import pytest

LABEL = "dockmagic.test"
LABELS = {LABEL: "1"}
IMAGE = "dockmagic-test/busybox:latest"

T = TypeVar("T")


def eventually(ask: Callable[[], T], until: Callable[[T], object] = bool, limit: float = 15) -> T:
    """Ask until the answer satisfies ``until`` or ``limit`` seconds pass; the last answer either way.
    For what the engine does in its own time (a container's first output, a task moved, a cleanup):
    a fixed sleep there is a test that fails on a busy CI machine."""
    deadline = time.monotonic() + limit
    while not until(answer := ask()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return answer


def unique(prefix: str = "dm") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def add_file(tar: tarfile.TarFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), mode, int(time.time())
    tar.addfile(info, io.BytesIO(data))


def serve(server: socket.socket, handle: Callable[[socket.socket], None]) -> None:
    """Accept connections on ``server`` from a daemon thread, each handled by ``handle`` in turn,
    until the server is closed."""

    def loop() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            handle(conn)

    threading.Thread(target=loop, daemon=True).start()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


class Registry:
    """Debian's docker-registry on loopback, storing into a temporary folder."""

    def __init__(self, root: Path, htpasswd: Path | None = None) -> None:
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        config = root / "config.yml"
        auth = (
            f"auth:\n  htpasswd:\n    realm: dockmagic-test\n    path: {htpasswd}\n"
            if htpasswd
            else ""
        )
        config.write_text(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n"
            f"    rootdirectory: {root / 'data'}\nhttp:\n  addr: {self.address}\n{auth}"
        )
        binary = shutil.which("docker-registry") or "/usr/bin/docker-registry"
        self.log = open(root / "registry.log", "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [binary, "serve", str(config)], stdout=self.log, stderr=self.log
        )
        try:
            wait_port(self.port)
        except RuntimeError:
            self.stop()
            raise

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def require(missing: str | None, what: str) -> None:
    """What a test needs from the machine (``missing`` says what is not there, or None): skipped
    with the reason on a laptop, a failure in CI, which must have it."""
    if missing:
        if in_ci():
            pytest.fail(f"CI needs {what}: {missing}", pytrace=False)
        pytest.skip(missing)


# -- real Ansible, the judge of the modules ---------------------------------------------------------

ANSIBLE_VENV = Path(
    os.environ.get("DOCKMAGIC_ANSIBLE_VENV") or Path(__file__).parents[1] / ".venv-ansible"
)
PLAYBOOK = ANSIBLE_VENV / "bin" / "ansible-playbook"


def recap(
    ansible: Path,
    book: Path,
    home: Path,
    *,
    variables: Mapping[str, Any] | None = None,
    check: bool = False,
    docker_host: str | None = None,
) -> dict[str, int]:
    """ansible-playbook runs ``book`` on localhost (against ``docker_host``, or the local engine):
    the recap's counts; a failed task fails the test with Ansible's own output."""
    extra = json.dumps(
        {**(variables or {}), "ansible_python_interpreter": str(ANSIBLE_VENV / "bin/python")}
    )
    argv = [str(ansible), "-i", "localhost,", "-c", "local", "-e", extra, str(book)] + (
        ["--check"] if check else []
    )
    env = {
        **os.environ,
        **({"DOCKER_HOST": docker_host} if docker_host else {}),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_LOCALHOST_WARNING": "false",
        "ANSIBLE_HOME": str(home),
    }
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300, env=env)
    found = re.search(r"ok=(\d+)\s+changed=(\d+)\s+unreachable=\d+\s+failed=(\d+)", done.stdout)
    assert found, (
        f"ansible-playbook printed no recap:\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}"
    )
    counts = {"ok": int(found[1]), "changed": int(found[2]), "failed": int(found[3])}
    assert counts["failed"] == 0, f"Ansible failed:\n{done.stdout[-4000:]}"
    return counts
