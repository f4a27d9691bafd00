"""%docker volume ls, create, rm, inspect, prune."""

from __future__ import annotations

import argparse
from typing import Any

from ... import helpers
from ...options.resources import VOLUME_OPTIONS
from ...render.formats import VOLUME_TITLES, Formatted, volume_fields
from ..argv import (
    Parser,
    add_filter,
    add_format,
    add_resource_options,
    filters,
    key_values,
)
from .registry import Context, Handler, command
from .showing import formatted, inspect_each, listing


@command("volume ls|volume list|volumes", "List volumes.")
def _ls(p: Parser) -> Handler:
    add_filter(p)
    p.add_argument("-q", "--quiet", action="store_true", help="only names")
    add_format(p)

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        table = helpers.volumes(filters=filters(a))
        if a.quiet:
            return listing([r["Name"] for r in table])
        return formatted(table, a.format, volume_fields, VOLUME_TITLES)

    return handle


@command("volume create", "Create a volume; prints its name.")
def _create(p: Parser) -> Handler:
    add_resource_options(p, VOLUME_OPTIONS)
    p.add_argument("--name", dest="named", help="the volume's name (or give it as the argument)")
    p.add_argument("name", nargs="?")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        options = {o.name: getattr(a, o.name) for o in VOLUME_OPTIONS}
        return Formatted(helpers.volume_create(a.name or a.named, **options) + "\n")

    return handle


@command("volume rm|volume remove", "Remove volumes.")
def _rm(p: Parser) -> Handler:
    p.switch("-f", "--force")
    p.add_argument("volumes", nargs="+", metavar="VOLUME")
    return lambda a, ctx: listing(helpers.volume_rm(*a.volumes, force=a.force))


@command("volume inspect", "Details of volumes, as a tree.")
def _inspect(p: Parser) -> Handler:
    add_format(p, short=True)
    p.add_argument("volumes", nargs="+", metavar="VOLUME")
    return lambda a, ctx: inspect_each(
        a.volumes, a.format, lambda v: helpers.inspect(v, type="volume")
    )


@command("volume prune", "Remove unused anonymous volumes (-a: named ones too).")
def _prune(p: Parser) -> Handler:
    p.switch("-a", "--all")
    p.switch("-f", "--force", help="accepted; a notebook never prompts")
    p.add_argument("--filter", action="append", metavar="K=V")
    return lambda a, ctx: helpers.volume_prune(all=a.all, filters=key_values(a.filter))
