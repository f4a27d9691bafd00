"""The engine as a whole: system df, info, version, events, prune."""

from __future__ import annotations

import sys
import time as _time
from collections.abc import Callable
from typing import Any

from ..engine import Engine
from ..render.table import Table
from ..render.text import visible
from ..render.tree import Inspection
from .engines.session import engine_for
from .tables import df_table, events_table
from .timeparse import parse_duration, to_timestamp


def system_df(*, engine: Engine | None = None) -> Table:
    return df_table(engine_for(engine).system_data_usage())


def system_info(*, engine: Engine | None = None) -> Inspection:
    return Inspection(engine_for(engine).system_info())


def system_version(*, engine: Engine | None = None) -> Inspection:
    return Inspection(engine_for(engine).system_version())


def events(
    *,
    since: Any = None,
    until: Any = None,
    duration: Any = None,
    count: int | None = None,
    filters: dict[str, Any] | None = None,
    quiet: bool = False,
    engine: Engine | None = None,
    shown: Callable[[dict[str, Any]], str] | None = None,
) -> Table:
    """Engine events, bounded by ``until``/``duration`` (``"30s"``) or ``count``; each is printed
    as it arrives (as ``shown`` makes it a line, when given). Unbounded, it runs until Ctrl-C."""
    now = _time.time()
    end = (
        to_timestamp(until)
        if until is not None
        else (now + parse_duration(duration) if duration else None)
    )
    stream = engine_for(engine).system_events(
        since=to_timestamp(since) or (now if end else None), until=end, filters=filters
    )
    rows: list[dict[str, Any]] = []
    try:
        for event in stream:
            rows.append(event)
            if shown is not None:
                print(shown(event), end="", file=sys.stdout, flush=True)
            elif not quiet:
                actor = event.get("Actor") or {}
                who = (actor.get("Attributes") or {}).get("name") or str(actor.get("ID", ""))[:12]
                print(
                    visible(f"{event.get('Type')} {event.get('Action')} {who}"),
                    file=sys.stdout,
                    flush=True,
                )
            if count is not None and len(rows) >= count:
                break
    finally:
        stream.close()
    return events_table(rows)


def versions(*, engine: Engine | None = None) -> dict[str, Any]:
    """What ``docker version --format`` sees: ``.Client`` (dockmagic) and ``.Server`` (the engine)."""
    import platform

    from .. import __version__

    e = engine_for(engine)
    server = dict(e.system_version())
    server["APIVersion"] = server.get("ApiVersion")
    server["MinAPIVersion"] = server.get("MinAPIVersion")
    client = {
        "Version": __version__,
        "APIVersion": e.api_version,
        "Os": platform.system().lower(),
        "Arch": platform.machine(),
        "Platform": {"Name": "dockmagic"},
    }
    return {"Client": client, "Server": server}


def system_prune(
    *,
    all: bool = False,
    volumes: bool = False,
    filters: dict[str, Any] | None = None,
    engine: Engine | None = None,
) -> dict[str, Any]:
    """``docker system prune``: stopped containers, unused networks, dangling (or all unused)
    images, build cache, and with ``volumes`` unused anonymous volumes; what each freed."""
    e = engine_for(engine)
    image_filters = {**(filters or {}), **({"dangling": ["false"]} if all else {})}
    out = {
        "Containers": e.container_prune(filters),
        "Networks": e.network_prune(filters),
        "Volumes": e.volume_prune(filters) if volumes else None,
        "Images": e.image_prune(image_filters),
        "BuildCache": e.build_prune(all=all, filters=filters),
    }
    return {k: v for k, v in out.items() if v is not None}
