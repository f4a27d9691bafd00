"""Images to and from registries: pull, push, search."""

from __future__ import annotations

from typing import Any

from ...engine import Engine
from ...errors import NotFound, StreamCut
from ...render.results import ImageResult
from ...render.table import Column, Table
from ..engines.session import engine_for
from .credentials import Credentials, credentials_for, explicit
from .progress import LayerProgress


def split_ref(ref: str) -> tuple[str, str | None]:
    """``host:5000/a/b:tag`` -> (``host:5000/a/b``, ``tag``); digests stay in the name."""
    if "@" in ref:
        return ref, None
    name, sep, tag = ref.rpartition(":")
    if sep and "/" not in tag:
        return name, tag
    return ref, None


def _auth(
    ref: str, auth: Credentials | dict[str, str] | tuple[str, str] | None
) -> dict[str, Any] | None:
    if isinstance(auth, tuple):
        return explicit(ref, *auth)
    return dict(auth) if auth else credentials_for(ref)


def pull(
    ref: str,
    *,
    platform: str | None = None,
    auth: Any = None,
    quiet: bool = False,
    engine: Engine | None = None,
) -> ImageResult:
    """``docker pull`` with a progress bar per layer; ``auth`` is (user, password), a dict, or
    None for the docker CLI's stored credentials."""
    name, tag = split_ref(ref)
    progress = LayerProgress("pull", show=not quiet)
    stream = engine_for(engine).image_create(
        name, tag=tag or "latest", platform=platform, auth=_auth(ref, auth)
    )
    for _ in progress.run(stream):
        pass
    if not any(s.startswith("Status: ") for s in progress.statuses):  # how the engine ends a pull
        try:
            engine_for(engine).image_inspect(ref)
        except NotFound:
            raise StreamCut(
                f"the pull of {ref} ended before the image was there (cut on the way?)"
            ) from None
    return ImageResult(
        stdout="\n".join(progress.statuses), action="pulled", ref=ref, digest=progress.digest
    )


def push(
    ref: str, *, auth: Any = None, quiet: bool = False, engine: Engine | None = None
) -> ImageResult:
    """``docker push`` with a progress bar per layer."""
    name, tag = split_ref(ref)
    progress = LayerProgress("push", show=not quiet)
    for _ in progress.run(engine_for(engine).image_push(name, tag=tag, auth=_auth(ref, auth))):
        pass
    if not progress.digest:  # the registry's digest is how a push ends
        raise StreamCut(
            f"the push of {ref} ended before the registry confirmed it (cut on the way?)"
        )
    return ImageResult(
        stdout="\n".join(progress.statuses), action="pushed", ref=ref, digest=progress.digest
    )


def search(
    term: str,
    *,
    limit: int | None = None,
    filters: dict[str, Any] | None = None,
    engine: Engine | None = None,
) -> Table:
    """``docker search``: NAME, DESCRIPTION, STARS, OFFICIAL."""
    rows = engine_for(engine).image_search(term, limit=limit, filters=filters)
    return Table(
        rows,
        [
            Column.key("NAME", "name"),
            Column.key("DESCRIPTION", "description"),
            Column.key("STARS", "star_count"),
            Column("OFFICIAL", lambda r: "[OK]" if r.get("is_official") else ""),
        ],
        title="images found",
    )
