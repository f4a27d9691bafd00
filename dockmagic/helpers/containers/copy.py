"""``cp``: files and folders between the host and containers, streamed both ways."""

from __future__ import annotations

import os
import posixpath
from pathlib import Path
from typing import Any

from ...engine import Engine
from ...errors import DockerError, NotFound, host_files
from ...render.results import CopyResult
from ..engines.session import engine_for
from .archive import extract, memory_member, tar_end, tar_stream
from .execs import exec_

_GO_MODE_DIR = 1 << 31  # os.ModeDir in the engine's path stat


def is_dir(path_stat: dict[str, Any]) -> bool:
    return bool(path_stat["mode"] & _GO_MODE_DIR)


def split_container_path(spec: str) -> tuple[str, str] | None:
    """``web:/etc/hosts`` -> ("web", "/etc/hosts"); a host path (``./a:b``, ``/x``) -> None."""
    if spec.startswith(("/", ".", "~")) or ":" not in spec:
        return None
    container, _, path = spec.partition(":")
    return (container, path or "/") if container and "/" not in container else None


def stat(container: str, path: str, engine: Engine | None = None) -> dict[str, Any] | None:
    """The engine's stat of a path in a container (name, size, mode, mtime, linkTarget), or None
    when the path does not exist. A HEAD answer has no body to say which was missing, so a 404
    asks the container itself: a missing container raises its own NotFound."""
    engine = engine_for(engine)
    try:
        return engine.container_archive_info(container, path)
    except NotFound:
        engine.container_inspect(container)
        return None


def write_file(
    container: str,
    path: str,
    content: str | bytes,
    mode: int = 0o644,
    engine: Engine | None = None,
    owner: tuple[int, int] | None = None,
) -> None:
    """Write ``content`` to ``path`` in a container (its folder must exist); ``owner`` (uid, gid)
    sets who owns it, else the container's root does."""
    data = content.encode() if isinstance(content, str) else content
    folder, name = posixpath.split(path.rstrip("/"))
    uid, gid = owner or (0, 0)
    tar = memory_member(name, data, mode, uid, gid) + tar_end()
    engine = engine_for(engine)
    engine.put_container_archive(container, folder or "/", tar, copy_uid_gid=owner is not None)
    if owner is not None and engine.podman_version() is not None:
        # Podman 4.3 ignores copyUIDGID and gives the file to root: the container sets its owner
        done = exec_(container, ["chown", f"{uid}:{gid}", path], quiet=True, engine=engine)
        if done.exit_code != 0:
            raise DockerError(
                f"{container}:{path}: Podman keeps no owner from an archive, and chown in the "
                f"container failed: {done.stderr.strip() or f'exit {done.exit_code}'}"
            )


def _into_container(engine: Engine, src: Path, container: str, path: str) -> None:
    if not src.exists() and not src.is_symlink():
        raise DockerError(f"no such file or folder on the host: {src}")
    target = stat(container, path, engine)
    if target is not None and target.get(
        "linkTarget"
    ):  # as docker cp: through a link, to where it leads
        path = target["linkTarget"]
        target = stat(container, path, engine)
    if target is not None and is_dir(target):
        folder, name = path, src.name  # into an existing folder
    else:
        if path.endswith("/"):
            raise DockerError(
                f"{container}:{path} does not exist (a path ending in / must be a folder)"
            )
        folder, name = posixpath.split(path)  # to a new (or replaced) name
        if stat(container, folder or "/", engine) is None:
            raise DockerError(f"{container}:{folder} does not exist")
    engine.put_container_archive(container, folder or "/", tar_stream(src, name))


def _to_host(engine: Engine, container: str, path: str, dst: Path) -> tuple[int, int]:
    info, chunks = engine.container_archive(container, path)
    with chunks:  # given back at once, whatever happens (Ctrl-C included)
        if dst.is_dir():
            return extract(chunks, dst, rename=("/", ".") if info.get("name") == "/" else None)
        if not dst.parent.is_dir():
            raise DockerError(f"the folder {dst.parent} does not exist on the host")
        return extract(
            chunks, dst.parent, rename=(info.get("name") or posixpath.basename(path), dst.name)
        )


def cp(
    src: str | os.PathLike[str] | bytes,
    dst: str | os.PathLike[str],
    *,
    mode: int = 0o644,
    engine: Engine | None = None,
) -> CopyResult:
    """Copy like ``docker cp``: ``cp("notes.txt", "web:/tmp/")``, ``cp("web:/etc", "./etc")``.

    ``src`` may also be bytes (written as the file ``dst``, with ``mode``). Host-side extraction
    refuses anything that would land outside ``dst``.
    """
    engine = engine_for(engine)
    target = split_container_path(str(dst))
    if isinstance(src, bytes):
        if target is None:
            raise DockerError(
                "in-memory content can only be copied into a container (dst = CONTAINER:PATH)"
            )
        write_file(*target, src, mode, engine)
        return CopyResult("<bytes>", str(dst), 1, len(src))
    source = split_container_path(str(src))
    if source and target:
        raise DockerError("copying between two containers is not supported; copy through the host")
    if target:
        with host_files("read"):
            _into_container(engine, Path(src).expanduser(), *target)
        return CopyResult(str(src), str(dst))
    if source:
        with host_files("write"):
            files, size = _to_host(engine, *source, Path(dst).expanduser())
        return CopyResult(str(src), str(dst), files, size)
    raise DockerError("one of src and dst must be CONTAINER:PATH")
