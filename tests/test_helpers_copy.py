"""cp both ways against the real engine, and host-side extraction that stays in its destination."""

from __future__ import annotations

import io
import os
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import dockmagic
from dockmagic.engine import Engine
from dockmagic.errors import DockerError, StreamError
from dockmagic.helpers.containers.archive import SMALL, TarBody, UnsafeArchive, extract

from .support import LABELS, unique


@pytest.fixture
def box(engine: Engine, image: str) -> Iterator[str]:
    name = unique()
    dockmagic.run(image, "sleep 60", name=name, detach=True, labels=LABELS, engine=engine)
    yield name
    engine.container_delete(name, force=True)


def test_folder_round_trip(engine: Engine, box: str, tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text("alpha")
    (src / "sub" / "b.bin").write_bytes(os.urandom(3_000_000))
    (src / "run.sh").write_text("#!/bin/sh\n")
    (src / "run.sh").chmod(0o755)
    os.symlink("a.txt", src / "link")
    dockmagic.cp(src, f"{box}:/tmp/", engine=engine)
    assert (
        dockmagic.exec(
            box, "sh -c 'cat /tmp/src/a.txt; readlink /tmp/src/link'", quiet=True, engine=engine
        ).stdout
        == "alpha" + "a.txt\n"
    )
    back = dockmagic.cp(f"{box}:/tmp/src", tmp_path / "back", engine=engine)
    assert back.files == 6
    assert (tmp_path / "back" / "sub" / "b.bin").read_bytes() == (
        src / "sub" / "b.bin"
    ).read_bytes()
    assert os.readlink(tmp_path / "back" / "link") == "a.txt"
    assert os.stat(tmp_path / "back" / "run.sh").st_mode & 0o777 == 0o755


@pytest.mark.parametrize("planned", [10_000, 2], ids=["with-length", "chunked"])
def test_upload_by_sendfile_both_framings(
    engine: Engine, box: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, planned: int
) -> None:
    """Small files ride with the headers, big ones go by sendfile; past PLANNED entries the body
    has no length ahead and goes chunked: the same archive arrives either way."""
    monkeypatch.setattr(TarBody, "PLANNED", planned)
    src = tmp_path / "up"
    src.mkdir()
    files = {
        "small.txt": b"tiny",
        "empty": b"",
        "edge.bin": os.urandom(SMALL),
        "big.bin": os.urandom(3 << 20 | 7),
    }
    for name, data in files.items():
        (src / name).write_bytes(data)
    os.link(src / "big.bin", src / "hard.bin")
    dockmagic.cp(src, f"{box}:/tmp/", engine=engine)
    back = tmp_path / "back"
    dockmagic.cp(f"{box}:/tmp/up", back, engine=engine)
    for name, data in {**files, "hard.bin": files["big.bin"]}.items():
        assert (back / name).read_bytes() == data, name


def test_file_to_new_name_and_into_folder(engine: Engine, box: str, tmp_path: Path) -> None:
    f = tmp_path / "notes.txt"
    f.write_text("n")
    dockmagic.cp(str(f), f"{box}:/tmp/renamed.txt", engine=engine)
    dockmagic.cp(str(f), f"{box}:/root", engine=engine)
    out = dockmagic.exec(
        box, "sh -c 'cat /tmp/renamed.txt /root/notes.txt'", quiet=True, engine=engine
    )
    assert out.stdout == "nn"
    dockmagic.cp(f"{box}:/tmp/renamed.txt", tmp_path, engine=engine)
    assert (tmp_path / "renamed.txt").read_text() == "n"


def test_in_memory_content(engine: Engine, box: str) -> None:
    dockmagic.cp(b"#!/bin/sh\necho run me\n", f"{box}:/tmp/script.sh", mode=0o755, engine=engine)
    dockmagic.write_file(box, "/tmp/text.txt", "héllo", engine=engine)
    out = dockmagic.exec(
        box, "sh -c '/tmp/script.sh; cat /tmp/text.txt'", quiet=True, engine=engine
    )
    assert out.stdout == "run me\nhéllo"


def test_symlink_pointing_outside_is_refused(engine: Engine, box: str, tmp_path: Path) -> None:
    dockmagic.exec(
        box,
        "sh -c 'mkdir /tmp/d; echo ok > /tmp/d/ok; ln -s /etc/passwd /tmp/d/evil; ln -s ../../../../outside /tmp/d/up'",
        engine=engine,
    )
    with pytest.raises(UnsafeArchive, match="refused 2") as exc:
        dockmagic.cp(f"{box}:/tmp/d", tmp_path / "d", engine=engine)
    assert "\n" not in str(exc.value)
    assert (tmp_path / "d" / "ok").read_text() == "ok\n"  # the safe part is not lost
    assert not (tmp_path / "d" / "evil").exists() and not os.path.lexists(tmp_path / "d" / "up")


def test_errors_are_clear(engine: Engine, box: str, tmp_path: Path) -> None:
    with pytest.raises(DockerError, match="no such file or folder on the host"):
        dockmagic.cp(tmp_path / "missing", f"{box}:/tmp/", engine=engine)
    with pytest.raises(DockerError, match="does not exist"):
        dockmagic.cp(f"{box}:/etc/hostname", tmp_path / "no" / "such" / "dir" / "x", engine=engine)
    with pytest.raises(DockerError, match="No such container"):
        dockmagic.cp(f"{unique()}:/etc", tmp_path, engine=engine)
    (tmp_path / "f").write_text("x")
    with pytest.raises(DockerError, match="No such container"):  # not "…/tmp does not exist"
        dockmagic.cp(tmp_path / "f", f"{unique()}:/tmp/", engine=engine)


def malicious_tar(*members: tuple[str, str, str]) -> bytes:
    """(name, kind, payload): kind 'file' (payload = content), 'sym' or 'hard' (payload = target)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, kind, payload in members:
            info = tarfile.TarInfo(name)
            if kind == "file":
                info.size = len(payload)
                tar.addfile(info, io.BytesIO(payload.encode()))
            else:
                info.type = tarfile.SYMTYPE if kind == "sym" else tarfile.LNKTYPE
                info.linkname = payload
                tar.addfile(info)
    return buf.getvalue()


@pytest.mark.parametrize(
    "members",
    [
        [("../escape.txt", "file", "x")],
        [("/abs/escape.txt", "file", "x")],
        [("ok/../../escape.txt", "file", "x")],
        [("link", "sym", "/tmp"), ("link/escape.txt", "file", "x")],
        [("link", "sym", ".."), ("link/escape.txt", "file", "x")],
        [("hard", "hard", "../escape.txt")],
        [("hard", "hard", "/etc/passwd")],
        # a chain: "up" climbs back to dest three folders down, then ".." through it leaves dest
        [
            ("a/b/c/up", "sym", "../../.."),
            ("esc", "sym", "a/b/c/up/.."),
            ("esc/escape.txt", "file", "x"),
        ],
        [("a/b/c/up", "sym", "../../.."), ("esc", "hard", "a/b/c/up/../escape.txt")],
    ],
)
def test_extraction_never_writes_outside(
    tmp_path: Path, members: list[tuple[str, str, str]]
) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    (tmp_path / "escape.txt").write_text("original")
    with pytest.raises(UnsafeArchive):
        extract([malicious_tar(*members)], dest)
    assert (tmp_path / "escape.txt").read_text() == "original"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dest", "escape.txt"]


def test_a_cut_archive_keeps_the_old_file(tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "data.txt").write_text("the old content")
    whole = malicious_tar(("data.txt", "file", "n" * 4000))
    with pytest.raises(StreamError, match=r"ended inside data\.txt"):
        extract([whole[: 512 + 1000]], dest)  # the header and a quarter of the content
    assert (dest / "data.txt").read_text() == "the old content"
    assert sorted(p.name for p in dest.iterdir()) == ["data.txt"]


def test_pre_existing_symlink_in_destination_is_not_followed(tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    os.symlink(tmp_path, dest / "trap")
    with pytest.raises(UnsafeArchive):
        extract([malicious_tar(("trap/escape.txt", "file", "x"))], dest)
    assert not (tmp_path / "escape.txt").exists()


def test_through_a_link_to_a_folder_and_from_the_root(
    engine: Engine, box: str, tmp_path: Path
) -> None:
    """As docker cp: a file copied onto a link to a folder lands in that folder (the link stays);
    'C:/folder/.' is the folder's contents; 'C:/' copies the root (links that lead out refused)."""
    dockmagic.exec(
        box, "sh -c 'mkdir -p /data/sub && echo d > /data/f && ln -s /data /linkdir'", engine=engine
    )
    f = tmp_path / "f.txt"
    f.write_text("x")
    dockmagic.cp(str(f), f"{box}:/linkdir", engine=engine)
    out = dockmagic.exec(
        box, "sh -c 'readlink /linkdir; cat /data/f.txt'", quiet=True, engine=engine
    ).stdout
    assert out == "/data\nx"
    (tmp_path / "contents").mkdir()
    dockmagic.cp(f"{box}:/data/.", tmp_path / "contents", engine=engine)
    assert sorted(os.listdir(tmp_path / "contents")) == ["f", "f.txt", "sub"]
    with pytest.raises(DockerError) as exc:
        dockmagic.cp(f"{box}:/", tmp_path / "root", engine=engine)
    assert "refused" in str(exc.value) and "/linkdir -> /data" in str(exc.value)
    assert (tmp_path / "root" / "data" / "f").read_text() == "d\n" and (
        tmp_path / "root" / "bin"
    ).is_dir()
