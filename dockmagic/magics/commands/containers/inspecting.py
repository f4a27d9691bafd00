"""%docker ps, inspect, port, commit, top, diff, export, wait."""

from __future__ import annotations

import argparse
from typing import Any

from .... import helpers
from ....render.formats import CONTAINER_TITLES, container_fields
from ...argv import Parser, add_filter, add_format, filters, int64
from ..registry import Context, Handler, command
from ..showing import formatted, inspect_each, listing

_PS_TABLE = (
    "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"
)


@command(
    "ps|container ls|container ps|container list", "List containers (one request, however many)."
)
def _ps(p: Parser) -> Handler:
    p.switch("-a", "--all", help="also stopped containers")
    add_filter(p, help="e.g. status=exited, label=x, name=web")
    p.add_argument("-n", "--last", type=int64, metavar="N", help="the N most recently created")
    p.switch("-l", "--latest", help="the most recently created")
    p.switch("-s", "--size", help="add a SIZE column")
    p.switch("-q", "--quiet", help="only ids")
    p.switch("--no-trunc", help="do not truncate ids and commands")
    add_format(p)

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        table = helpers.ps(a.all, filters=filters(a), last=1 if a.latest else a.last, size=a.size)
        if a.quiet:
            return listing([row["Id"] if a.no_trunc else row["Id"][:12] for row in table])
        plain = _PS_TABLE + "\t{{.Size}}" * a.size if a.size or a.no_trunc else None
        return formatted(
            table,
            a.format,
            container_fields,
            CONTAINER_TITLES,
            trunc=not a.no_trunc,
            cli_table=plain,
        )

    return handle


@command(
    "inspect|container inspect", "Details of containers, images, networks or volumes, as trees."
)
def _inspect(p: Parser) -> Handler:
    p.add_argument("--type", choices=["container", "image", "network", "volume"])
    add_format(p, short=True)
    p.switch("-s", "--size", help="container sizes (SizeRw, SizeRootFs)")
    p.add_argument("names", nargs="+")
    return lambda a, ctx: inspect_each(
        a.names, a.format, lambda n: helpers.inspect(n, type=a.type, size=a.size)
    )


@command("port|container port", "The published ports of a container: PORT/PROTO -> HOST:PORT.")
def _port(p: Parser) -> Handler:
    p.add_argument("container")
    p.add_argument("port", nargs="?", metavar="PRIVATE_PORT[/PROTO]")
    return lambda a, ctx: helpers.port(a.container, a.port)


@command("commit|container commit", "Make an image from a container's changes.")
def _commit(p: Parser) -> Handler:
    p.add_argument("-a", "--author")
    p.add_argument("-c", "--change", action="append", metavar="INSTRUCTION")
    p.add_argument("-m", "--message")
    p.add_argument(
        "-p", "--pause", action="store_true", default=True, help="pause during commit (default)"
    )
    p.add_argument("--pause=false", dest="pause", action="store_false", help=argparse.SUPPRESS)
    p.add_argument("container")
    p.add_argument("ref", nargs="?", metavar="REPOSITORY[:TAG]")
    return lambda a, ctx: helpers.commit(
        a.container, a.ref, author=a.author, changes=a.change, message=a.message, pause=a.pause
    )


@command("top|container top", "The processes of a running container.")
def _top(p: Parser) -> Handler:
    p.add_argument("container")
    p.add_argument("ps_args", nargs=argparse.REMAINDER, help="options for ps, e.g. aux")
    return lambda a, ctx: helpers.top(a.container, " ".join(a.ps_args) or None)


@command("diff|container diff", "Filesystem changes of a container: A added, C changed, D deleted.")
def _diff(p: Parser) -> Handler:
    p.add_argument("container")
    return lambda a, ctx: helpers.diff(a.container)


@command("export|container export", "Write a container's filesystem to a tar file (streamed).")
def _export(p: Parser) -> Handler:
    p.add_argument("-o", "--output", required=True, help="the tar file to write")
    p.add_argument("container")
    return lambda a, ctx: helpers.export(a.container, a.output)


@command("wait|container wait", "Wait for containers to stop; their exit codes.")
def _wait(p: Parser) -> Handler:
    p.add_argument("containers", nargs="+")
    return lambda a, ctx: helpers.wait(*a.containers)
