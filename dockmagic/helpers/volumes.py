"""Volumes: create, remove, prune (``docker volume ...``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..engine import Engine
from ..options.values import as_labels
from ..render.table import Table
from .batch import for_each
from .engines.session import pick
from .tables import volumes_table


def volume_create(
    name: str | None = None,
    *,
    driver: str | None = None,
    options: Mapping[str, str] | Iterable[str] | None = None,
    labels: Mapping[str, Any] | Iterable[str] | None = None,
    engine: Engine | None = None,
) -> str:
    """``docker volume create``; the volume's name (the engine makes one up when none is given)."""
    body = {
        "Name": name or "",
        "Driver": driver or "local",
        "DriverOpts": as_labels(options) or {},
        "Labels": as_labels(labels) or {},
    }
    return str(pick(engine).volume_create(body)["Name"])


def volume_rm(*volumes: str, force: bool = False, engine: Engine | None = None) -> list[str]:
    e = pick(engine)
    return for_each(volumes, lambda v: e.volume_delete(v, force=force), "removed")


def volume_prune(
    *, all: bool = False, filters: dict[str, Any] | None = None, engine: Engine | None = None
) -> dict[str, Any]:
    """Remove unused volumes: anonymous ones, or with ``all`` named ones too (API >= 1.42)."""
    e = pick(engine)
    if all:
        e.require("1.42", "volume prune --all")
        filters = {**(filters or {}), "all": ["true"]}
    return e.volume_prune(filters)


def volumes(*, filters: dict[str, Any] | None = None, engine: Engine | None = None) -> Table:
    return volumes_table(pick(engine).volume_list(filters).get("Volumes") or [])
