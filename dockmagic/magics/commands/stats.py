"""%docker stats: a snapshot table, a live table, or live plots."""

from __future__ import annotations

import argparse
from typing import Any

from ... import helpers
from ...helpers.timeparse import parse_duration
from ...render.formats import STATS_TITLES, stats_fields
from ..argv import CommandError, Parser, add_format
from .registry import Context, Handler, command
from .showing import formatted


@command(
    "stats|container stats",
    "Resource usage: --no-stream for a snapshot, else live until Ctrl-C or "
    "--duration; --plot draws CPU, memory, network and block I/O over time.",
)
def _stats(p: Parser) -> Handler:
    p.add_argument("-a", "--all", action="store_true", help="also stopped containers (snapshot)")
    p.add_argument(
        "--no-stream", action="store_true", help="one snapshot, all containers sampled at once"
    )
    p.add_argument("--plot", action="store_true", help="dockmagic: live plots instead of a table")
    p.add_argument("--duration", help="dockmagic: stop after this long, e.g. 30s")
    p.add_argument("--interval", default="1s", help="dockmagic: time between samples (at least 1s)")
    p.switch("--no-trunc", help="whole container ids (with --format)")
    add_format(p)
    p.add_argument("containers", nargs="*", metavar="CONTAINER")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        names = a.containers or None
        if a.format and a.plot:
            raise CommandError("%docker stats: --format or --plot, not both")

        def shown(table: Any) -> Any:
            return formatted(table, a.format, stats_fields, STATS_TITLES, trunc=not a.no_trunc)

        if a.no_stream:
            return shown(helpers.stats(names, all=a.all))
        return helpers.watch(
            names,
            duration=a.duration,
            interval=parse_duration(a.interval),
            plot=a.plot,
            all=a.all,
            shown=shown if a.format else None,
        )

    return handle
