"""%docker stats: a snapshot table, a live table, or live plots."""

from __future__ import annotations

import argparse
from typing import Any

from ... import helpers
from ...helpers.timeparse import parse_duration
from ..argv import Parser
from .registry import Context, command


@command(
    "stats|container stats",
    "Resource usage: --no-stream for a snapshot, else live until Ctrl-C or "
    "--duration; --plot draws CPU, memory, network and block I/O over time.",
)
def _stats(p: Parser) -> Any:
    p.add_argument("-a", "--all", action="store_true", help="also stopped containers (snapshot)")
    p.add_argument("--no-stream", action="store_true", help="one snapshot, all containers sampled at once")
    p.add_argument("--plot", action="store_true", help="dockmagic: live plots instead of a table")
    p.add_argument("--duration", help="dockmagic: stop after this long, e.g. 30s")
    p.add_argument("--interval", default="1s", help="dockmagic: time between samples (at least 1s)")
    p.unsupported("--format", "--no-trunc")
    p.add_argument("containers", nargs="*", metavar="CONTAINER")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        names = a.containers or None
        if a.no_stream:
            return helpers.stats(names, all=a.all)
        return helpers.watch(names, duration=a.duration, interval=parse_duration(a.interval), plot=a.plot, all=a.all)

    return handle
