"""Offline lab images: a small working image (busybox shell and tools) built from the host's
static busybox through the API, so a lab or notebook needs no registry at all."""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import tarfile
import time
from collections.abc import Mapping

from ...engine import Engine
from ...errors import DockerError, NotFound
from ..engines.session import engine_for

LAB_IMAGE = "dockmagic/lab:latest"
_PT_INTERP = 3


class NoStaticBusybox(DockerError):
    """No statically linked busybox on this host."""


def find_static_busybox() -> str:
    """The host's busybox, refused unless statically linked (a dynamic one cannot run in an
    empty image)."""
    path = shutil.which("busybox") or "/bin/busybox"
    try:
        with open(path, "rb") as f:
            head = f.read(64)
            if head[:4] != b"\x7fELF" or head[4] != 2:  # 64-bit ELF only
                raise NoStaticBusybox(f"{path} is not a 64-bit ELF binary")
            phoff, phentsize, phnum = (
                struct.unpack_from("<Q", head, 32)[0],
                *struct.unpack_from("<HH", head, 54),
            )
            for i in range(phnum):
                f.seek(phoff + i * phentsize)
                if struct.unpack("<I", f.read(4))[0] == _PT_INTERP:
                    raise NoStaticBusybox(f"{path} is dynamically linked; install busybox-static")
    except FileNotFoundError:
        raise NoStaticBusybox("no busybox on this host: apt-get install busybox-static") from None
    return path


def _add(
    tar: tarfile.TarFile,
    name: str,
    data: bytes = b"",
    mode: int = 0o644,
    kind: bytes = tarfile.REGTYPE,
    link: str = "",
) -> None:
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.mtime, info.linkname = kind, mode, int(time.time()), link
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data) if data else None)


def rootfs(tar: tarfile.TarFile, prefix: str = "") -> None:
    """/bin/busybox with a symlink per applet, /etc/passwd and /etc/group, /tmp and /root."""
    busybox = find_static_busybox()
    tar.add(busybox, f"{prefix}bin/busybox")
    applets = subprocess.run(
        [busybox, "--list"], capture_output=True, text=True, check=True
    ).stdout.split()
    for applet in applets:
        if applet != "busybox":
            _add(tar, f"{prefix}bin/{applet}", kind=tarfile.SYMTYPE, link="busybox")
    for folder, mode in (("tmp", 0o1777), ("root", 0o700), ("etc", 0o755)):
        _add(tar, f"{prefix}{folder}", mode=mode, kind=tarfile.DIRTYPE)
    _add(
        tar,
        f"{prefix}etc/passwd",
        b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n",
    )
    _add(tar, f"{prefix}etc/group", b"root:x:0:\nnogroup:x:65534:\n")


def lab_context() -> bytes:
    """A build context: the rootfs and a Dockerfile that copies it into an empty image."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        _add(tar, "Dockerfile", b'FROM scratch\nCOPY rootfs/ /\nENV PATH=/bin\nCMD ["sh"]\n')
        rootfs(tar, "rootfs/")
    return buf.getvalue()


def rootfs_tar() -> bytes:
    """The same root filesystem as a flat tar, for ``docker import``."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        rootfs(tar)
    return buf.getvalue()


def lab_image(
    tag: str = LAB_IMAGE,
    *,
    labels: Mapping[str, str] | None = None,
    force: bool = False,
    engine: Engine | None = None,
) -> str:
    """Build (once) a small busybox image from this host's static busybox; returns its tag."""
    engine = engine_for(engine)
    if not force:
        try:
            engine.image_inspect(tag)
            return tag
        except NotFound:
            pass
    for _ in engine.image_build(lab_context(), tags=[tag], labels=dict(labels or {})):
        pass
    return tag
