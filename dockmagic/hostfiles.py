"""Files on this machine written whole or not at all: the one way dockmagic replaces a file
(saved images, exports, playbooks, files copied out of a container, the docker CLI's config)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from .errors import HostFileError, host_files


@contextmanager
def replacing(
    path: str | os.PathLike[str], mode: str = "wb", perms: int = 0o666
) -> Iterator[IO[Any]]:
    """Write beside ``path`` and put the file in place only when the block ends well: a failed
    request, a cut stream or Ctrl-C leaves the old file as it was (and no partial one). ``perms``
    are the new file's permission bits (less the umask); a link already at ``path``, or at the
    partial file's name, is replaced, never written through."""
    target = Path(path).expanduser()
    if target.name in ("", ".", ".."):  # "/", ".": a folder by its very name
        raise HostFileError(f"cannot write {str(path)!r}: that names a folder, not a file")
    partial = target.with_name(f".{target.name}.dockmagic-partial")
    try:
        with host_files("write"):
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, perms)
        with (
            host_files("write"),
            os.fdopen(fd, mode, encoding=None if "b" in mode else "utf-8") as f,
        ):
            yield f
        with host_files("write"):
            os.replace(partial, target)
    finally:
        if os.path.lexists(partial):
            os.unlink(partial)
