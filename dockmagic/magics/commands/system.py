"""%docker system df, info, version, prune, and events."""

from __future__ import annotations

import argparse
from typing import Any

from ... import helpers
from ...render.formats import DF_TITLES, Printed, df_fields, format_one, format_rows
from ..argv import Parser, add_format, int64, key_values
from .registry import Context, Handler, command
from .showing import formatted


@command("system df", "Disk usage of images, containers, volumes and build cache.")
def _df(p: Parser) -> Handler:
    p.unsupported("-v", "--verbose")
    add_format(p)

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        table = helpers.system_df()
        return formatted(table, a.format, df_fields, DF_TITLES)

    return handle


@command("info|system info", "The engine's view of itself.")
def _info(p: Parser) -> Handler:
    add_format(p, short=True)
    return lambda a, ctx: (
        format_one(a.format, dict(helpers.system_info())) if a.format else helpers.system_info()
    )


@command("version|system version", "Versions of the engine and its API.")
def _version(p: Parser) -> Handler:
    add_format(p, short=True)
    return lambda a, ctx: (
        format_one(a.format, helpers.versions()) if a.format else helpers.system_version()
    )


@command(
    "system prune", "Remove stopped containers, unused networks, dangling images and build cache."
)
def _system_prune(p: Parser) -> Handler:
    p.switch("-a", "--all", help="all unused images, not just dangling ones")
    p.switch("--volumes", help="also unused anonymous volumes")
    p.switch("-f", "--force", help="accepted; a notebook never prompts")
    p.add_argument("--filter", action="append", metavar="K=V")
    return lambda a, ctx: helpers.system_prune(
        all=a.all, volumes=a.volumes, filters=key_values(a.filter)
    )


@command(
    "events|system events",
    "Engine events as they happen, bounded by --until, --duration or --count.",
)
def _events(p: Parser) -> Handler:
    p.add_argument("--since")
    p.add_argument("--until")
    p.add_argument("-f", "--filter", action="append", metavar="K=V")
    p.add_argument("--duration", help="dockmagic: stop after this long, e.g. 30s")
    p.add_argument("--count", type=int64, help="dockmagic: stop after this many events")
    add_format(p)

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        template = None if a.format in (None, "table") else a.format
        table = helpers.events(
            since=a.since,
            until=a.until,
            duration=a.duration,
            count=a.count,
            filters=key_values(a.filter),
            # each line as it comes, as the CLI prints them (Go's names: .Status, .ID, .From)
            shown=(lambda event: format_one(template, event)) if template else None,
        )
        if template:
            return Printed(format_rows(template, table.rows, lambda row, trunc: row))
        return table

    return handle
