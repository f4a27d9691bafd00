"""Files on this machine written whole or not at all."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from ..errors import host_files


@contextmanager
def replacing(path: str | os.PathLike[str], mode: str = "wb") -> Iterator[IO[Any]]:
    """Write beside ``path`` and put the file in place only when the block ends well: a failed
    request, a cut stream or Ctrl-C leaves the old file as it was (and no partial one)."""
    target = Path(path).expanduser()
    partial = target.with_name(f".{target.name}.dockmagic-partial")
    try:
        with host_files("write"), open(partial, mode) as f:
            yield f
        with host_files("write"):
            os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
