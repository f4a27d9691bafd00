"""``build``: an image from a folder (streamed as a tar) and/or Dockerfile text."""

from __future__ import annotations

import os
import tarfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..engine import Engine
from ..engine.streams import STDOUT, Chunk
from ..render.results import GREEN, Output
from .archive import BLOCK, tar_stream
from .output import LiveOutput
from .session import pick

INLINE_DOCKERFILE = ".dockmagic.Dockerfile"  # name the cell's Dockerfile takes inside the context


@dataclass(repr=False)
class BuildResult(Output):
    """The build's step output is ``stdout``."""

    image_id: str = ""
    tags: list[str] = field(default_factory=list)
    color = GREEN

    def summary(self) -> str:
        return f"built {self.image_id[:19]}" + (f" tagged {', '.join(self.tags)}" if self.tags else "")


def context_stream(folder: Path | None, dockerfile_text: str | None) -> Iterator[bytes]:
    """The build context as a tar stream: the folder's entries, plus the inline Dockerfile."""
    if folder is not None:
        for entry in sorted(os.listdir(folder)):
            for piece in tar_stream(folder / entry, entry):
                if piece == b"\0" * (2 * BLOCK):  # each sub-archive's end marker; one at the very end
                    continue
                yield piece
    if dockerfile_text is not None:
        data = dockerfile_text.encode()
        info = tarfile.TarInfo(INLINE_DOCKERFILE)
        info.size, info.mode = len(data), 0o644
        yield info.tobuf(tarfile.PAX_FORMAT) + data + b"\0" * (-len(data) % BLOCK)
    yield b"\0" * (2 * BLOCK)


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
    engine: Engine | None = None,
) -> BuildResult:
    """Build an image like ``docker build``; the step output is shown live (capped)."""
    if path is None and dockerfile_text is None:
        raise ValueError("build needs a context folder, Dockerfile text, or both")
    folder = Path(path).expanduser() if path is not None else None
    tags = [tag] if isinstance(tag, str) else list(tag or [])
    live = LiveOutput(show=not quiet)
    result = BuildResult(tags=tags)
    stream = pick(engine).image_build(
        context_stream(folder, dockerfile_text),
        tags=tags,
        buildargs=dict(buildargs or {}) or None,
        dockerfile=INLINE_DOCKERFILE if dockerfile_text is not None else dockerfile,
        target=target,
        labels=dict(labels or {}) or None,
        nocache=nocache,
        pull=pull,
    )
    try:
        for message in stream:
            if "stream" in message:
                live.feed(Chunk(STDOUT, message["stream"].encode()))
            if (message.get("aux") or {}).get("ID"):
                result.image_id = message["aux"]["ID"]
    finally:
        stream.close()  # type: ignore[attr-defined]
        live.close()
        result.stdout, result.hidden_lines = live.stdout, live.hidden_lines
    return result
