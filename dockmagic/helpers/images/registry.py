"""Images to and from registries: pull, push, search."""

from __future__ import annotations

from typing import Any

from ...engine import Engine
from ...errors import NotFound, OptionError, StreamCut
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


def _tag_or_all(ref: str, all_tags: bool) -> tuple[str, str | None]:
    name, tag = split_ref(ref)
    if all_tags and (tag or "@" in ref):
        raise OptionError(
            f"{ref}: a tag or digest cannot be used with --all-tags/-a, as the CLI says"
        )
    return name, tag


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
    all_tags: bool = False,
    engine: Engine | None = None,
) -> ImageResult:
    """``docker pull`` with a progress bar per layer; ``auth`` is (user, password), a dict, or
    None for the docker CLI's stored credentials; ``all_tags``: every tag of the repository."""
    name, tag = _tag_or_all(ref, all_tags)
    progress = LayerProgress("pull", show=not quiet)
    stream = engine_for(engine).image_create(
        name,
        tag=None if all_tags else tag or "latest",  # no tag: the engine pulls them all
        platform=platform,
        auth=_auth(ref, auth),
    )
    for _ in progress.run(stream):
        pass
    ended = any(s.startswith("Status: ") for s in progress.statuses)  # how a pull ends
    if not ended and not all_tags:  # (all tags: no one tag to look for afterwards)
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
    ref: str,
    *,
    auth: Any = None,
    quiet: bool = False,
    all_tags: bool = False,
    engine: Engine | None = None,
) -> ImageResult:
    """``docker push`` with a progress bar per layer; ``all_tags``: every local tag of the
    repository (the engine pushes them all when no tag is named)."""
    name, tag = _tag_or_all(ref, all_tags)
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
