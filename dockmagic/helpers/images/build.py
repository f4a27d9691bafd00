"""``build``: an image from a folder (streamed as a tar) and/or Dockerfile text."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ...engine import Engine
from ...engine.streams import STDOUT, Chunk
from ...errors import OperationFailed, OptionError, StreamCut, host_files
from ...render.results import BuildResult
from ..containers.archive import TarBody, memory_member
from ..containers.output import LiveOutput
from ..engines.session import engine_for
from .dockerignore import Ignore

INLINE_DOCKERFILE = ".dockmagic.Dockerfile"  # name the cell's Dockerfile takes inside the context


def context_files(folder: Path, ignore: Ignore, always: set[str]) -> Iterator[tuple[str, str]]:
    """(path, name in the context) for every entry .dockerignore keeps; ``always`` (the Dockerfile,
    .dockerignore) is sent even when ignored, as the docker CLI does."""
    for root, dirs, files in os.walk(folder):
        rel_root = os.path.relpath(root, folder)
        rel_root = "" if rel_root == "." else rel_root.replace(os.sep, "/") + "/"
        dirs.sort()
        kept_dirs = []
        for d in dirs:
            rel = rel_root + d
            if ignore.prune(rel) and not any(a.startswith(rel + "/") for a in always):
                continue
            kept_dirs.append(d)
            if not ignore.excluded(rel):
                yield os.path.join(root, d), rel
        dirs[:] = kept_dirs
        for f in sorted(files):
            rel = rel_root + f
            if rel in always or not ignore.excluded(rel):
                yield os.path.join(root, f), rel


def context_body(
    folder: Path | None, dockerfile_text: str | None, dockerfile: str = "Dockerfile"
) -> TarBody:
    """The build context as a tar, never whole in memory: the folder's entries that .dockerignore
    keeps, plus the inline Dockerfile (the cell of %%dockerfile)."""
    files = (
        context_files(folder, Ignore.of(folder), {dockerfile, ".dockerignore"})
        if folder is not None
        else ()
    )
    inline = (
        memory_member(INLINE_DOCKERFILE, dockerfile_text.encode())
        if dockerfile_text is not None
        else b""
    )
    return TarBody(files, inline, doing="read the build context")


def build(
    path: str | os.PathLike[str] | None = None,
    *,
    tag: str | list[str] | None = None,
    dockerfile: str | None = None,
    dockerfile_text: str | None = None,
    buildargs: Mapping[str, str] | None = None,
    target: str | None = None,
    labels: Mapping[str, str] | None = None,
    nocache: bool = False,
    pull: bool = False,
    quiet: bool = False,
    platform: str | None = None,
    extra: Mapping[str, Any] | None = None,
    engine: Engine | None = None,
) -> BuildResult:
    """Build an image like ``docker build`` from a folder (streamed, .dockerignore honoured),
    Dockerfile text, or both; the step output is shown live (capped). A failing step raises
    OperationFailed naming the step and the engine's message. ``extra`` passes more /build query
    parameters (``networkmode``, ``extrahosts``, ``shmsize``, ``memory``, ...)."""
    if path is None and dockerfile_text is None:
        raise OptionError("build needs a context folder, Dockerfile text, or both")
    folder = Path(path).expanduser() if path is not None else None
    tags = [tag] if isinstance(tag, str) else list(tag or [])
    live = LiveOutput(show=not quiet)
    result = BuildResult(tags=tags)
    with host_files("read the build context"):
        context = context_body(folder, dockerfile_text, dockerfile or "Dockerfile")
    stream = engine_for(engine).image_build(
        context,
        tags=tags,
        buildargs=dict(buildargs or {}) or None,
        dockerfile=INLINE_DOCKERFILE if dockerfile_text is not None else dockerfile,
        target=target,
        labels=dict(labels or {}) or None,
        nocache=nocache,
        pull=pull,
        platform=platform,
        extra=dict(extra or {}) or None,
    )
    step = ""
    try:
        for message in stream:
            text = message.get("stream") or ""
            if text.startswith("Step "):
                step = text.strip()
            if text:
                live.feed(Chunk(STDOUT, text.encode()))
            if (message.get("aux") or {}).get("ID"):
                result.image_id = message["aux"]["ID"]
        if not result.image_id:  # the engine ends every build it finishes with the image's ID
            raise StreamCut(
                f"the build stream ended before the image was made{f' (at {step})' if step else ''}"
            )
    except OperationFailed as exc:
        raise OperationFailed(f"{step}: {exc.message}" if step else exc.message, "build") from None
    finally:
        stream.close()
        live.close()
        result.stdout, result.hidden_lines = live.stdout, live.hidden_lines
    return result
