"""%docker ps, inspect, top, diff, export, logs, wait, events."""

from __future__ import annotations

import argparse
from typing import Any

from ... import helpers
from ..argv import Parser, key_values
from .registry import Context, command


@command("ps|container ls|container ps|container list", "List containers (one request, however many).")
def _ps(p: Parser) -> Any:
    p.add_argument("-a", "--all", action="store_true", help="also stopped containers")
    p.add_argument("-f", "--filter", action="append", metavar="K=V", help="e.g. status=exited, label=x, name=web")
    p.add_argument("-n", "--last", type=int, metavar="N", help="the N most recently created")
    p.add_argument("-l", "--latest", action="store_true", help="the most recently created")
    p.add_argument("-s", "--size", action="store_true")
    p.add_argument("-q", "--quiet", action="store_true", help="only ids (a list)")
    p.unsupported("--format", "--no-trunc")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        table = helpers.ps(a.all, filters=key_values(a.filter), last=1 if a.latest else a.last, size=a.size)
        return [row["Id"][:12] for row in table] if a.quiet else table

    return handle


@command("inspect|container inspect", "Details of a container, image, network or volume, as a tree.")
def _inspect(p: Parser) -> Any:
    p.add_argument("--type", choices=["container", "image", "network", "volume"])
    p.unsupported("-f", "--format", "-s", "--size")
    p.add_argument("names", nargs="+")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        found = [helpers.inspect(n, type=a.type) for n in a.names]
        return found[0] if len(found) == 1 else found

    return handle


@command("top|container top", "The processes of a running container.")
def _top(p: Parser) -> Any:
    p.add_argument("container")
    p.add_argument("ps_args", nargs=argparse.REMAINDER, help="options for ps, e.g. aux")
    return lambda a, ctx: helpers.top(a.container, " ".join(a.ps_args) or None)


@command("diff|container diff", "Filesystem changes of a container: A added, C changed, D deleted.")
def _diff(p: Parser) -> Any:
    p.add_argument("container")
    return lambda a, ctx: helpers.diff(a.container)


@command("export|container export", "Write a container's filesystem to a tar file (streamed).")
def _export(p: Parser) -> Any:
    p.add_argument("-o", "--output", required=True, help="the tar file to write")
    p.add_argument("container")
    return lambda a, ctx: helpers.export(a.container, a.output)


@command("logs|container logs", "A container's output, stdout and stderr apart; -f follows until Ctrl-C.")
def _logs(p: Parser) -> Any:
    p.add_argument("-f", "--follow", action="store_true")
    p.add_argument("-n", "--tail", metavar="N", help="only the last N lines (or all)")
    p.add_argument("--since", help="e.g. 10m, 2024-01-02T15:04:05Z or Unix seconds")
    p.add_argument("--until")
    p.add_argument("-t", "--timestamps", action="store_true")
    p.unsupported("--details")
    p.add_argument("container")
    return lambda a, ctx: helpers.logs(
        a.container, follow=a.follow, tail=a.tail, since=a.since, until=a.until, timestamps=a.timestamps
    )


@command("wait|container wait", "Wait for containers to stop; their exit codes.")
def _wait(p: Parser) -> Any:
    p.add_argument("containers", nargs="+")
    return lambda a, ctx: helpers.wait(*a.containers)


@command("events|system events", "Engine events as they happen, bounded by --until, --duration or --count.")
def _events(p: Parser) -> Any:
    p.add_argument("--since")
    p.add_argument("--until")
    p.add_argument("-f", "--filter", action="append", metavar="K=V")
    p.add_argument("--duration", help="dockmagic: stop after this long, e.g. 30s")
    p.add_argument("--count", type=int, help="dockmagic: stop after this many events")
    p.unsupported("--format")
    return lambda a, ctx: helpers.events(
        since=a.since, until=a.until, duration=a.duration, count=a.count, filters=key_values(a.filter)
    )
