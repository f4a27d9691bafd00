"""The engine's image store: images, tag, rmi, save, load, import, history, image inspect and prune."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ...engine import Engine
from ...errors import host_files
from ...render.results import ImageResult
from ...render.table import Column, Table
from ...render.text import shorten
from ...render.tree import Inspection
from ...render.units import ago, human_size
from ..containers.archive import write_tar
from ..engines.session import engine_for
from ..tables import images_table
from .registry import split_ref


def tag(source: str, target: str, *, engine: Engine | None = None) -> str:
    repo, version = split_ref(target)
    engine_for(engine).image_tag(source, repo, version)
    return target


def rmi(
    *images: str, force: bool = False, no_prune: bool = False, engine: Engine | None = None
) -> Table:
    """Remove images; a table of what was untagged and deleted."""
    rows: list[dict[str, Any]] = []
    for image in images:
        rows += engine_for(engine).image_delete(image, force=force, noprune=no_prune)
    return Removals(
        rows,
        [Column.key("UNTAGGED", "Untagged"), Column.key("DELETED", "Deleted")],
        title="removals",
    )


class Removals(Table):
    """What ``rmi`` untagged and deleted: a table in a notebook; in a terminal the CLI's lines
    (``Untagged: REF``, ``Deleted: ID``), since two columns of long references wrap apart."""

    def to_text(self) -> str:
        return "\n".join(
            f"{key}: {row[key]}"
            for row in self.rows
            for key in ("Untagged", "Deleted")
            if row.get(key)
        )


def save(
    images: str | Iterable[str], path: str | os.PathLike[str], *, engine: Engine | None = None
) -> Path:
    """``docker save -o``: images to a tar file, streamed."""
    names = [images] if isinstance(images, str) else list(images)
    return write_tar(
        engine_for(engine).image_get_all(names), path
    )  # a missing image empties no archive


def _file_chunks(path: Path) -> Iterable[bytes]:
    with host_files("read"), open(path, "rb") as f:
        while data := f.read(1 << 20):
            yield data


def load(
    path: str | os.PathLike[str], *, quiet: bool = False, engine: Engine | None = None
) -> ImageResult:
    """``docker load -i``: images from a tar file, streamed."""
    lines = [
        m.get("stream", "").strip()
        for m in engine_for(engine).image_load(_file_chunks(Path(path).expanduser()))
    ]
    text = "\n".join(line for line in lines if line)
    if not quiet and text:
        print(text)
    return ImageResult(stdout=text, action="loaded", ref=str(path))


def import_image(
    source: str | os.PathLike[str],
    ref: str | None = None,
    *,
    changes: list[str] | None = None,
    message: str | None = None,
    engine: Engine | None = None,
) -> ImageResult:
    """``docker import``: a root filesystem tar (a file, streamed) as a new image."""
    repo, version = split_ref(ref) if ref else (None, None)
    stream = engine_for(engine).image_create(
        from_src="-",
        repo=repo,
        tag=version,
        changes=changes,
        message=message,
        data=_file_chunks(Path(source).expanduser()),
    )
    image_id = ""
    for m in stream:
        image_id = m.get("status", image_id)
    return ImageResult(stdout=image_id, action="imported", ref=ref or image_id, digest=image_id)


def history(image: str, *, engine: Engine | None = None) -> Table:
    """``docker history``: the layers of an image, newest first."""
    rows = engine_for(engine).image_history(image)
    return Table(
        rows,
        [
            Column.key(
                "IMAGE", "Id", lambda v: v.removeprefix("sha256:")[:12] if v != "<missing>" else v
            ),
            Column.key("CREATED", "Created", ago),
            Column.key("CREATED BY", "CreatedBy", lambda v: shorten(v.replace("\t", " "), 45)),
            Column.key("SIZE", "Size", human_size),
            Column.key("COMMENT", "Comment"),
        ],
        title="layers",
    )


def image_inspect(image: str, *, engine: Engine | None = None) -> Inspection:
    return Inspection(engine_for(engine).image_inspect(image))


def image_prune(
    *, all: bool = False, filters: dict[str, Any] | None = None, engine: Engine | None = None
) -> dict[str, Any]:
    """Remove dangling images (``all``: every image no container uses)."""
    flt = dict(filters or {})
    if not all:
        flt.setdefault("dangling", ["true"])
    return engine_for(engine).image_prune(flt)


def images(
    all: bool = False,
    *,
    reference: str | None = None,
    filters: dict[str, Any] | None = None,
    digests: bool = False,
    engine: Engine | None = None,
) -> Table:
    """Images, one row per tag (``docker images [REPO[:TAG]]``)."""
    if reference:
        filters = {**(filters or {}), "reference": [reference]}
    return images_table(engine_for(engine).image_list(all=all, filters=filters, digests=digests))
