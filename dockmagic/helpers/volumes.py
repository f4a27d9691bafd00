"""Volumes: create, remove, prune (``docker volume ...``)."""

from __future__ import annotations

from typing import Any

from ..engine import Engine
from ..options.resources import VOLUME_OPTIONS, described, given, volume_body
from ..render.table import Table
from ..render.text import natural_key
from .batch import for_each
from .engines.session import engine_for
from .tables import volumes_table


def volume_create(name: str | None = None, *, engine: Engine | None = None, **options: Any) -> str:
    """``docker volume create``; the volume's name (the engine makes one up when none is given).
    Options by the CLI flag's name (also community.docker's ``driver_options``):"""
    body = volume_body(name, given(VOLUME_OPTIONS, options))
    return str(engine_for(engine).volume_create(body)["Name"])


volume_create.__doc__ = f"{volume_create.__doc__}\n\n{described(VOLUME_OPTIONS)}\n"


def volume_rm(*volumes: str, force: bool = False, engine: Engine | None = None) -> list[str]:
    e = engine_for(engine)
    return for_each(volumes, lambda v: e.volume_delete(v, force=force), "removed")


def volume_prune(
    *, all: bool = False, filters: dict[str, Any] | None = None, engine: Engine | None = None
) -> dict[str, Any]:
    """Remove unused volumes: anonymous ones, or with ``all`` named ones too (API >= 1.42)."""
    e = engine_for(engine)
    if all:
        e.require("1.42", "volume prune --all")
        filters = {**(filters or {}), "all": ["true"]}
    return e.volume_prune(filters)


def volumes(*, filters: dict[str, Any] | None = None, engine: Engine | None = None) -> Table:
    found = engine_for(engine).volume_list(filters).get("Volumes") or []
    return volumes_table(sorted(found, key=lambda v: natural_key(str(v.get("Name") or ""))))
