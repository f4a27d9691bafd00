"""Tar streams for ``cp``: written and read piece by piece, never whole in memory, and extracted
only inside their destination."""

from __future__ import annotations

import io
import os
import tarfile
import time
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, islice
from pathlib import Path
from typing import NamedTuple

from ...engine.rawhttp import FileSlice
from ...engine.streams import Stream
from ...errors import DockerError, StreamError, host_files
from ...hostfiles import replacing

BLOCK = 512
CHUNK = 1 << 20
SMALL = 64 << 10  # files below this go in the headers' bytes, not by sendfile


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


class _Entry(NamedTuple):
    path: str
    info: tarfile.TarInfo
    header: bytes

    @property
    def size(self) -> int:
        """Its bytes in the archive: header, content and the content's padding."""
        content = self.info.size if self.info.isreg() else 0
        return len(self.header) + content + -content % BLOCK


def _entries(items: Iterable[tuple[str, str]]) -> Iterator[_Entry]:
    indexer = tarfile.TarFile(fileobj=io.BytesIO(), mode="w")  # gettarinfo tracks hard links
    for path, name in items:
        info = indexer.gettarinfo(path, name)
        if info is not None:  # sockets and the like cannot be archived
            yield _Entry(path, info, info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape"))


def _member(entry: _Entry) -> Iterator[bytes]:
    """An entry's header and content; exactly the size its header announced."""
    yield entry.header
    if entry.info.isreg():
        with open(entry.path, "rb") as f:
            remaining = entry.info.size
            while remaining > 0:
                data = f.read(min(CHUNK, remaining))
                if not data:
                    raise DockerError(f"{entry.path} shrank while it was being copied")
                remaining -= len(data)
                yield data
        if entry.info.size % BLOCK:
            yield b"\0" * (BLOCK - entry.info.size % BLOCK)


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


class TarBody:
    """A tar of host files (host path, name inside) to upload, produced as it is sent, ending with
    ``tail`` and the end marker. Up to PLANNED entries, the headers are made before sending and the
    body goes with its length: sent as it is, where a chunked body is framed by urllib3 with a copy
    of every piece (0.5 s of a 500 MB cp). Beyond that the headers would weigh too much to hold,
    and the body is chunked (``len()`` 0). A file that grows meanwhile is sent at its announced size."""

    PLANNED = 10_000

    def __init__(
        self, items: Iterable[tuple[str, str]], tail: bytes = b"", doing: str = "read"
    ) -> None:
        self._doing = doing  # for a file error's one line: raised inside the upload, it must not be an OSError
        self._entries = _entries(items)
        self._planned = list(islice(self._entries, self.PLANNED + 1))
        self._tail = tail + tar_end()
        known = len(self._planned) <= self.PLANNED
        self._length = sum(e.size for e in self._planned) + len(self._tail) if known else 0

    def __len__(self) -> int:
        return self._length  # requests: a length sends Content-Length, 0 sends it chunked

    def __iter__(self) -> Iterator[bytes]:
        entries = chain(self._planned, self._entries)
        with host_files(self._doing):
            yield from coalesce(chain.from_iterable(_member(e) for e in entries))
        yield self._tail

    def segments(self) -> Iterator[bytes | FileSlice]:
        """The same archive as headers and padding in bytes, file contents as slices to send by
        sendfile (read by the kernel, never by Python)."""
        with host_files(self._doing):
            pending = bytearray()  # headers and padding between files, sent together
            for entry in chain(self._planned, self._entries):
                pending += entry.header
                if not entry.info.isreg() or not entry.info.size:
                    continue
                if (
                    entry.info.size < SMALL
                ):  # a small file: read along, one system call less per file
                    pending += b"".join(islice(_member(entry), 1, None))  # its content and padding
                    continue
                yield bytes(pending)
                pending.clear()
                yield FileSlice(entry.path, entry.info.size)
                pending += b"\0" * (-entry.info.size % BLOCK)
            yield bytes(pending) + self._tail


def tar_stream(src: Path, arcname: str) -> TarBody:
    """A tar of ``src`` (file or folder) named ``arcname`` inside."""
    return TarBody(_walk(src, arcname))


def memory_member(
    name: str, content: bytes, mode: int = 0o644, uid: int = 0, gid: int = 0
) -> bytes:
    """One in-memory file as tar header and padded content, dated now (as a file written now)."""
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.uid, info.gid = len(content), mode, uid, gid
    info.mtime = int(time.time())
    return info.tobuf(tarfile.PAX_FORMAT) + content + b"\0" * (-len(content) % BLOCK)


class TarSource:
    """An archive as tarfile reads it: a forward-only file over the download's pieces (tarfile's
    stream mode joins and copies every read, a third of a 500 MB cp out); a member's content is
    passed on with ``copy``, piece by piece, never joined. ``end`` follows the headers as the bytes
    pass: tarfile stops silently at a cut, or at a corrupt header after the first member, and only
    a real end marker sets ``end.ended``."""

    def __init__(self, pieces: Iterable[bytes | memoryview]) -> None:
        self._pieces = iter(pieces)
        self._buf = memoryview(b"")  # the rest of the current piece
        self._pos = 0
        self.end = TarEnd()

    def _take(self, n: int) -> memoryview | None:
        while not self._buf:
            try:
                self._buf = memoryview(next(self._pieces))
            except StopIteration:
                return None
        piece, self._buf = self._buf[:n], self._buf[n:]
        self._pos += len(piece)
        self.end.feed(piece)
        return piece

    def copy(self, n: int, write: Callable[[memoryview], object]) -> int:
        """Pass the next ``n`` bytes to ``write``; how many there were (fewer at the stream's end)."""
        done = 0
        while done < n and (piece := self._take(n - done)) is not None:
            write(piece)
            done += len(piece)
        return done

    def read(self, n: int) -> bytes:
        parts: list[memoryview] = []
        self.copy(n, parts.append)
        return b"".join(parts)

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence or offset < self._pos:
            raise io.UnsupportedOperation("an archive from the engine is read once, forwards")
        self.copy(offset - self._pos, lambda _: None)
        return self._pos


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


def _write_member(source: TarSource, member: tarfile.TarInfo, target: str) -> int:
    """A regular file written beside its place and renamed over it only once whole: a stream cut
    in the middle leaves the old file (or nothing), never half of the new one; a link already at
    ``target`` is replaced, never written through."""
    with replacing(target, perms=member.mode & 0o777) as out:
        source.seek(member.offset_data)
        written = source.copy(member.size, out.write)
        if written != member.size:
            raise StreamError(
                f"the archive ended inside {member.name} ({written} of {member.size} bytes)"
            )
    return written


def extract(
    chunks: Iterable[bytes | memoryview], dest: Path, rename: tuple[str, str] | None = None
) -> tuple[int, int]:
    """Extract a tar stream into ``dest``; ``rename`` maps the top-level name (old, new).

    Refuses any member whose path, or whose link target, is absolute or leaves ``dest``, and any
    write through a symlink that leads outside. The safe members are still extracted; then
    UnsafeArchive names what was refused. Returns (members, bytes)."""
    root = os.path.realpath(dest)
    refused: list[str] = []  # for the error message
    refused_names: list[str] = []  # nothing may be extracted beneath these
    source = TarSource(chunks)
    try:
        with tarfile.open(fileobj=source, mode="r:") as tar:  # type: ignore[call-overload]
            with host_files("extract into"):  # a name too long here, a link to nothing: one line
                count, total = _extract_members(tar, source, root, rename, refused, refused_names)
            if not source.end.ended:
                raise StreamError(
                    f"the archive ended after {count} entries without its end: cut or corrupt"
                )
    except tarfile.TarError as exc:
        raise StreamError(f"the archive from the engine is corrupt or cut: {exc}") from None
    if refused:
        shown = ", ".join(refused[:3]) + (
            f" and {len(refused) - 3} more" if len(refused) > 3 else ""
        )
        raise UnsafeArchive(
            f"extracted {count} entries into {dest} but refused {len(refused)} that would "
            f"land or point outside it: {shown}"
        )
    return count, total


def _extract_members(
    tar: tarfile.TarFile,
    source: TarSource,
    root: str,
    rename: tuple[str, str] | None,
    refused: list[str],
    refused_names: list[str],
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
        if (
            os.path.isabs(name)
            or not _inside(root, target)
            or not _inside(root, parent)
            or under_refused
        ):
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
        elif member.issparse():  # Go's tar writer (the engine's) never makes these
            raise StreamError(
                f"the archive holds a sparse file, which is not extracted: {member.name}"
            )
        elif member.isreg():
            total += _write_member(source, member, target)
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


def write_tar(chunks: Stream[memoryview], path: str | os.PathLike[str]) -> Path:
    """A tar stream into a file, whole or not at all: a stream cut anywhere (a member's edge too)
    leaves what was there before."""
    watch = TarEnd()
    with replacing(path) as f, chunks:  # the stream is closed at once, Ctrl-C included
        for chunk in chunks:
            watch.feed(chunk)
            f.write(chunk)
        if not watch.ended:
            raise StreamError(
                f"the archive for {path} ended without its end: cut on the way; nothing written"
            )
    return Path(path).expanduser()
