"""Tar streams for ``cp``: written and read piece by piece, never whole in memory, and extracted
only inside their destination."""

from __future__ import annotations

import io
import os
import tarfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..engine.streams import Stream
from ..errors import DockerError, StreamError, host_files
from ..hostfiles import replacing

BLOCK = 512
CHUNK = 1 << 20


class UnsafeArchive(DockerError):
    """An archive member would land outside the destination; nothing was written for it."""


def _walk(src: Path, arcname: str) -> Iterator[tuple[str, str]]:
    yield str(src), arcname
    if src.is_dir() and not src.is_symlink():
        for root, dirs, files in os.walk(src):
            dirs.sort()
            rel = os.path.relpath(root, src)
            for name in sorted(dirs) + sorted(files):
                path = os.path.join(root, name)
                yield path, os.path.normpath(os.path.join(arcname, rel, name))


def tar_members(items: Iterable[tuple[str, str]]) -> Iterator[bytes]:
    """Tar headers and contents for (host path, name in the archive) pairs, produced as they are
    sent; no end marker (see :func:`tar_end`), so several walks can share one archive."""
    indexer = tarfile.TarFile(fileobj=io.BytesIO(), mode="w")  # gettarinfo tracks hard links
    for path, name in items:
        info = indexer.gettarinfo(path, name)
        if info is None:  # sockets and the like cannot be archived
            continue
        yield info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")
        if info.isreg():
            with open(path, "rb") as f:
                remaining = info.size
                while remaining > 0:
                    data = f.read(min(CHUNK, remaining))
                    if not data:
                        raise DockerError(f"{path} shrank while it was being copied")
                    remaining -= len(data)
                    yield data
            if info.size % BLOCK:
                yield b"\0" * (BLOCK - info.size % BLOCK)


def coalesce(chunks: Iterable[bytes], size: int = CHUNK) -> Iterator[bytes]:
    """Join small pieces (tar headers, padding, small files) into ~``size`` writes: a chunked
    upload costs a few system calls per piece, whatever its size."""
    buf = bytearray()
    for chunk in chunks:
        if len(chunk) >= size and not buf:
            yield chunk
            continue
        buf += chunk
        if len(buf) >= size:
            yield bytes(buf)
            buf.clear()
    if buf:
        yield bytes(buf)


def tar_end() -> bytes:
    return b"\0" * (2 * BLOCK)


def tar_stream(src: Path, arcname: str) -> Iterator[bytes]:
    """A tar of ``src`` (file or folder) named ``arcname`` inside, produced as it is sent."""
    yield from coalesce(tar_members(_walk(src, arcname)))
    yield tar_end()


def memory_member(name: str, content: bytes, mode: int = 0o644, uid: int = 0, gid: int = 0) -> bytes:
    """One in-memory file as tar header and padded content."""
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.uid, info.gid = len(content), mode, uid, gid
    return info.tobuf(tarfile.PAX_FORMAT) + content + b"\0" * (-len(content) % BLOCK)


class ChunkReader(io.RawIOBase):
    """A read-only file over an iterator of byte chunks (for tarfile's stream mode). ``end``
    follows the archive's headers as the bytes pass: tarfile stops silently at a cut, or at a
    corrupt header after the first member, and only a real end marker sets ``end.ended``."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._buf = memoryview(b"")  # the rest of the current chunk, never copied to be cut
        self.end = TarEnd()

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._buf:
            try:
                self._buf = memoryview(next(self._chunks))
            except StopIteration:
                return 0
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self.end.feed(self._buf[:n])
        self._buf = self._buf[n:]
        return n


def _inside(root: str, path: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _rename(name: str, rename: tuple[str, str] | None) -> str:
    if rename is None:
        return name
    if rename[0] == "/":  # a copy of the root: the engine names its members "" and "/bin", ...
        rest = name.strip("/")
        return f"{rename[1]}/{rest}" if rest else rename[1]
    first, _, rest = name.partition("/")
    return rename[1] + ("/" + rest if rest else "") if first == rename[0] else name


def _write_member(tar: tarfile.TarFile, member: tarfile.TarInfo, target: str) -> int:
    """A regular file written beside its place and renamed over it only once whole: a stream cut
    in the middle leaves the old file (or nothing), never half of the new one; a link already at
    ``target`` is replaced, never written through."""
    src = tar.extractfile(member)
    assert src is not None
    written = 0
    with replacing(target, perms=member.mode & 0o777) as out:
        try:
            while data := src.read(CHUNK):
                out.write(data)
                written += len(data)
        except tarfile.ReadError:
            pass  # the stream ended early: said below, by name
        if written != member.size:
            raise StreamError(f"the archive ended inside {member.name} ({written} of {member.size} bytes)")
    return written


def extract(chunks: Iterable[bytes], dest: Path, rename: tuple[str, str] | None = None) -> tuple[int, int]:
    """Extract a tar stream into ``dest``; ``rename`` maps the top-level name (old, new).

    Refuses any member whose path, or whose link target, is absolute or leaves ``dest``, and any
    write through a symlink that leads outside. The safe members are still extracted; then
    UnsafeArchive names what was refused. Returns (members, bytes)."""
    root = os.path.realpath(dest)
    refused: list[str] = []  # for the error message
    refused_names: list[str] = []  # nothing may be extracted beneath these
    reader = ChunkReader(chunks)
    try:
        with tarfile.open(fileobj=io.BufferedReader(reader, CHUNK), mode="r|") as tar:
            with host_files("extract into"):  # a name too long here, a link to nothing: one line
                count, total = _extract_members(tar, root, rename, refused, refused_names)
            if not reader.end.ended:
                raise StreamError(f"the archive ended after {count} entries without its end: cut or corrupt")
    except tarfile.TarError as exc:
        raise StreamError(f"the archive from the engine is corrupt or cut: {exc}") from None
    if refused:
        shown = ", ".join(refused[:3]) + (f" and {len(refused) - 3} more" if len(refused) > 3 else "")
        raise UnsafeArchive(
            f"extracted {count} entries into {dest} but refused {len(refused)} that would "
            f"land or point outside it: {shown}"
        )
    return count, total


def _extract_members(
    tar: tarfile.TarFile, root: str, rename: tuple[str, str] | None, refused: list[str], refused_names: list[str]
) -> tuple[int, int]:
    count = total = 0
    for member in tar:
        name = _rename(member.name, rename)
        if os.path.normpath(name or ".") == ".":
            continue  # the destination itself (a copy of a folder's contents: "./a", "./b")
        target = os.path.normpath(os.path.join(root, name))
        # The parent may be a symlink extracted earlier (or already there): resolve it.
        parent = os.path.realpath(os.path.dirname(target))
        under_refused = any(name.startswith(r + "/") for r in refused_names)
        if os.path.isabs(name) or not _inside(root, target) or not _inside(root, parent) or under_refused:
            refused.append(member.name)
            refused_names.append(name)
            continue
        target = os.path.join(parent, os.path.basename(target))
        if member.issym() or member.islnk():
            link = _rename(member.linkname, rename) if member.islnk() else member.linkname
            base = root if member.islnk() else parent
            # resolved against what is on disk: a link through links extracted before (a chain of
            # "up -> ../.." folders) must not reach outside either
            resolved = os.path.realpath(os.path.join(base, link))
            if os.path.isabs(link) or not _inside(root, resolved):
                refused.append(f"{member.name} -> {member.linkname}")
                refused_names.append(name)
                continue
        os.makedirs(parent, exist_ok=True)  # archives may omit folders; parent is inside root
        replaced = os.path.islink(target) or (os.path.lexists(target) and not os.path.isdir(target))
        if replaced and not member.isreg():
            os.unlink(target)  # replace it: never write through an existing link
        if member.isdir():
            os.makedirs(target, exist_ok=True)
            os.chmod(target, (member.mode & 0o777) | 0o700)
        elif member.issym():
            os.symlink(member.linkname, target)
        elif member.islnk():
            os.link(resolved, target)
        elif member.isreg():
            total += _write_member(tar, member, target)
        else:
            continue  # devices and fifos are not recreated on the host
        if not member.issym():  # never through a link: a hard link may point at a symlink
            os.utime(target, (member.mtime, member.mtime), follow_symlinks=False)
        count += 1
    return count, total


class TarEnd:
    """Follows a tar stream's headers as it passes (file data is skipped, not read), to tell an
    archive that ended from one cut at a member's edge: only a zero block where a header is due is
    an end."""

    def __init__(self) -> None:
        self._skip = 0  # data bytes (with padding) before the next header
        self._header = bytearray()
        self.ended = False

    def feed(self, data: bytes | memoryview) -> None:
        at = 0
        while at < len(data) and not self.ended:
            if self._skip:
                step = min(self._skip, len(data) - at)
                self._skip -= step
                at += step
                continue
            take = data[at : at + tarfile.BLOCKSIZE - len(self._header)]
            self._header += take
            at += len(take)
            if len(self._header) < tarfile.BLOCKSIZE:
                return
            block = bytes(self._header)
            self._header.clear()
            if not any(block):
                self.ended = True
                return
            try:
                size = tarfile.TarInfo.frombuf(block, "utf-8", "surrogateescape").size
            except tarfile.TarError as exc:
                raise StreamError(f"the archive from the engine is corrupt: {exc}") from None
            self._skip = -(-size // tarfile.BLOCKSIZE) * tarfile.BLOCKSIZE


def write_tar(chunks: Stream[bytes], path: str | os.PathLike[str]) -> Path:
    """A tar stream into a file, whole or not at all: a stream cut anywhere (a member's edge too)
    leaves what was there before."""
    watch = TarEnd()
    with replacing(path) as f, chunks:  # the stream is closed at once, Ctrl-C included
        for chunk in chunks:
            watch.feed(chunk)
            f.write(chunk)
        if not watch.ended:
            raise StreamError(f"the archive for {path} ended without its end: cut on the way; nothing written")
    return Path(path).expanduser()
