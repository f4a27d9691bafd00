"""%docker stack: a Compose file deployed on a swarm, as the docker CLI's ``docker stack``."""

from __future__ import annotations

import argparse
from typing import Any

from .... import helpers
from ....render.formats import Formatted
from ...argv import CommandError, Parser, add_format, filters
from ..registry import Context, Handler, command
from ..showing import column_fields, formatted, swarm_listed, swarm_listing_flags


@command(
    "stack deploy|stack up",
    "Deploy a Compose file as a stack (%%docker: the cell is the file).",
    cell=True,
)
def _deploy(p: Parser) -> Handler:
    p.add_argument("-c", "--compose-file", action="append", metavar="FILE", help="the Compose file")
    p.switch("--prune", help="remove the stack's services the file no longer has")
    p.add_argument("--resolve-image", default="always", choices=["always", "changed", "never"])
    p.switch(
        "-d",
        "--detach",
        default=True,
        help="return at once (=false: wait until the services converge)",
    )
    p.switch("-q", "--quiet", help="no progress")
    p.switch("--with-registry-auth", help="accepted: the engine's own credentials are used")
    p.add_argument("name", metavar="STACK")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        files = a.compose_file or []
        if len(files) + (ctx.cell is not None) != 1:
            raise CommandError(
                "%docker stack deploy: give one compose file, -c FILE, or the file as the cell of %%docker stack deploy"
            )
        helpers.stack_deploy(
            a.name,
            files[0] if files else None,
            compose=ctx.cell,
            prune=a.prune,
            resolve_image=a.resolve_image,
            detach=a.detach,
            quiet=a.quiet,
        )

    return handle


@command("stack ls|stack list|stacks", "The swarm's stacks, with their number of services.")
def _ls(p: Parser) -> Handler:
    add_format(p)

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        table = helpers.stacks()
        return formatted(table, a.format, column_fields(table))

    return handle


@command("stack services", "A stack's services, as service ls shows them.")
def _services(p: Parser) -> Handler:
    swarm_listing_flags(p)
    p.add_argument("name", metavar="STACK")
    return lambda a, ctx: swarm_listed(a, helpers.stack_services(a.name, filters=filters(a)))


@command("stack ps", "The tasks of a stack's services, each with its node and state.")
def _ps(p: Parser) -> Handler:
    swarm_listing_flags(p, tasks=True)
    p.add_argument("name", metavar="STACK")
    return lambda a, ctx: swarm_listed(a, helpers.stack_ps(a.name, filters=filters(a)))


@command(
    "stack rm|stack remove|stack down",
    "Remove stacks: their services, secrets, configs and networks.",
)
def _rm(p: Parser) -> Handler:
    p.switch(
        "-d", "--detach", default=True, help="accepted: networks are removed once the tasks let go"
    )
    p.add_argument("names", nargs="+", metavar="STACK")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        said = helpers.stack_rm(*a.names)
        return Formatted.lines(said) if said else None

    return handle
