"""The ``copy_into``, ``exec`` and ``prune`` modules."""

from __future__ import annotations

import io
import shlex
import tarfile
from pathlib import Path
from typing import Any

from ..engine import Engine
from ..helpers.containers.copy import is_dir, stat, write_file
from ..helpers.containers.execs import exec_
from ..helpers.engines.session import engine_for
from .result import ModuleError, Result


def _current_content(engine: Engine, container: str, path: str) -> bytes:
    _, chunks = engine.container_archive(container, path)
    with tarfile.open(fileobj=io.BytesIO(b"".join(chunks))) as tar:
        member = tar.next()
        f = tar.extractfile(member) if member else None
        return f.read() if f else b""


def copy_into(
    container: str,
    path: str | None = None,
    *,
    content: str | bytes | None = None,
    src: str | None = None,
    mode: int | str = 0o644,
    owner: str | None = None,
    container_path: str | None = None,
    owner_id: int | None = None,
    group_id: int | None = None,
    mode_parse: str = "modern",
    check_mode: bool = False,
    diff: bool = False,
    engine: Engine | None = None,
) -> Result:
    """The file ``path`` in ``container`` should have this content, mode and owner: compared by
    type, size and mode first (HEAD), then content (GET); written only when different. Also takes
    community.docker's spelling: ``container_path`` inside, ``path`` the local file, ``owner_id``."""
    if container_path is not None:  # community.docker's docker_container_copy_into
        path, src = container_path, path
    if not path:
        raise ModuleError("copy_into needs the path inside the container (path, or container_path)")
    if owner_id is not None:
        owner = f"{owner_id}:{group_id if group_id is not None else owner_id}"
    if mode_parse == "legacy" and isinstance(mode, str):
        mode = int(mode)  # as community.docker's legacy parsing: a string is a decimal number
    if (content is None) == (src is None):
        raise ModuleError("copy_into needs exactly one of content and src")
    engine = engine_for(engine)
    data = (
        Path(src).expanduser().read_bytes()
        if src is not None
        else (content.encode() if isinstance(content, str) else content)
    )
    assert data is not None
    file_mode = int(mode, 8) if isinstance(mode, str) else mode
    result = Result()
    current = stat(container, path, engine)
    if current is not None and is_dir(current):
        raise ModuleError(f"{container}:{path} is a folder")
    reasons = []
    if current is None:
        reasons.append("missing")
    else:
        if current["size"] != len(data):
            reasons.append("size")
        if current["mode"] & 0o7777 != file_mode:
            reasons.append("mode")
            result.compare("mode", oct(current["mode"] & 0o7777), oct(file_mode))
        if not reasons and _current_content(engine, container, path) != data:
            reasons.append("content")
    if owner is not None and not reasons:
        out = exec_(container, ["stat", "-c", "%u:%g", path], quiet=True, engine=engine)
        if out.exit_code == 0 and out.stdout.strip() != owner:
            reasons.append("owner")
            result.compare("owner", out.stdout.strip(), owner)
    if reasons:
        result.compare(
            "file",
            "absent" if current is None else f"{current['size']} bytes",
            f"{len(data)} bytes",
        )
        result.note(f"write ({', '.join(reasons)})")
        if not check_mode:
            uid, _, gid = (owner or "0").partition(":")
            ids = (int(uid), int(gid or uid)) if owner else None
            write_file(container, path, data, file_mode, engine, owner=ids)
    return result.finish(diff, path=path, size=len(data))


def exec_module(
    container: str,
    command: str | list[str],
    *,
    creates: str | None = None,
    removes: str | None = None,
    user: str | None = None,
    workdir: str | None = None,
    check_mode: bool = False,
    diff: bool = False,
    engine: Engine | None = None,
) -> Result:
    """Run a command: ``changed`` unless ``creates`` exists already or ``removes`` is already gone."""
    engine = engine_for(engine)
    result = Result()
    if isinstance(command, str):
        cmd = shlex.split(command)
    elif isinstance(command, list) and all(isinstance(w, (str, int, float)) for w in command):
        cmd = [str(w) for w in command]  # YAML reads `[sleep, 5]` with a number in it
    else:
        raise ModuleError(f"exec: command must be a string or a list of words, not {command!r:.60}")
    if creates and stat(container, creates, engine) is not None:
        result.msg = f"skipped: {creates} exists"
        return result
    if removes and stat(container, removes, engine) is None:
        result.msg = f"skipped: {removes} does not exist"
        return result
    result.note(f"run {shlex.join(cmd)}")
    if check_mode:
        return result
    out = exec_(container, cmd, user=user, workdir=workdir, quiet=True, engine=engine)
    result.facts = {"rc": out.exit_code, "stdout": out.stdout, "stderr": out.stderr}
    if out.exit_code != 0:
        result.failed = True
        result.msg = (
            f"{shlex.join(cmd)} exited with code {out.exit_code}: {out.stderr.strip()[-200:]}"
        )
    return result


def prune(
    *,
    containers: bool = False,
    images: bool = False,
    networks: bool = False,
    volumes: bool = False,
    filters: dict[str, Any] | None = None,
    check_mode: bool = False,
    diff: bool = False,
    engine: Engine | None = None,
) -> Result:
    """Remove unused things; ``changed`` when anything was removed."""
    engine = engine_for(engine)
    result = Result()
    kinds = [
        ("containers", containers, engine.container_prune, "ContainersDeleted"),
        ("images", images, engine.image_prune, "ImagesDeleted"),
        ("networks", networks, engine.network_prune, "NetworksDeleted"),
        ("volumes", volumes, engine.volume_prune, "VolumesDeleted"),
    ]
    for kind, wanted, fn, key in kinds:
        if not wanted:
            continue
        if check_mode:
            result.msg = "check mode cannot tell what prune would remove; reporting changed"
            result.note(f"prune {kind}")
            continue
        removed = fn(filters).get(key) or []
        result.facts[kind] = removed
        if removed:
            result.note(f"pruned {len(removed)} {kind}")
    return result.finish(diff)
