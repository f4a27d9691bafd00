"""What the engine tests share: the test label, a busybox image built through the API, a registry."""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import tarfile
import time
import uuid
from pathlib import Path

LABEL = "dockmagic.test"
LABELS = {LABEL: "1"}
BUSYBOX = shutil.which("busybox") or "/bin/busybox"
IMAGE = "dockmagic-test/busybox:latest"


def unique(prefix: str = "dm") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def busybox_applets() -> list[str]:
    out = subprocess.run([BUSYBOX, "--list"], capture_output=True, text=True, check=True).stdout
    return [a for a in out.split() if a and a != "busybox"]


def add_file(tar: tarfile.TarFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), mode, int(time.time())
    tar.addfile(info, io.BytesIO(data))


def busybox_rootfs(tar: tarfile.TarFile, prefix: str = "") -> None:
    """A minimal root filesystem: /bin/busybox with a symlink per applet, /tmp and /etc/passwd."""
    tar.add(BUSYBOX, f"{prefix}bin/busybox")
    for applet in busybox_applets():
        link = tarfile.TarInfo(f"{prefix}bin/{applet}")
        link.type, link.linkname = tarfile.SYMTYPE, "busybox"
        tar.addfile(link)
    for d in ("tmp", "etc", "root"):
        info = tarfile.TarInfo(f"{prefix}{d}")
        info.type, info.mode = tarfile.DIRTYPE, 0o1777 if d == "tmp" else 0o755
        tar.addfile(info)
    add_file(tar, f"{prefix}etc/passwd", b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n")
    add_file(tar, f"{prefix}etc/group", b"root:x:0:\nnogroup:x:65534:\n")


def busybox_context() -> bytes:
    """A build context: a Dockerfile that copies the busybox rootfs into an empty image."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        add_file(tar, "Dockerfile", b'FROM scratch\nCOPY rootfs/ /\nENV PATH=/bin\nCMD ["sh"]\n')
        busybox_rootfs(tar, "rootfs/")
    return buf.getvalue()


def busybox_rootfs_tar() -> bytes:
    """The same rootfs as a flat tar, for image import (fromSrc)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        busybox_rootfs(tar)
    return buf.getvalue()


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
        auth = f"auth:\n  htpasswd:\n    realm: dockmagic-test\n    path: {htpasswd}\n" if htpasswd else ""
        config.write_text(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n"
            f"    rootdirectory: {root / 'data'}\nhttp:\n  addr: {self.address}\n{auth}"
        )
        binary = shutil.which("docker-registry") or "/usr/bin/docker-registry"
        self.log = open(root / "registry.log", "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([binary, "serve", str(config)], stdout=self.log, stderr=self.log)
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
