"""%docker network ls, create, rm, connect, disconnect, inspect, prune."""

from __future__ import annotations

import argparse
from typing import Any

from ... import helpers
from ...options.resources import NETWORK_OPTIONS
from ...render.formats import NETWORK_TITLES, Formatted, network_fields
from ..argv import (
    Parser,
    add_filter,
    add_format,
    add_resource_options,
    filters,
    key_value,
    key_values,
)
from .registry import Context, Handler, command
from .showing import formatted, inspect_each, listing


@command("network ls|network list|networks", "List networks.")
def _ls(p: Parser) -> Handler:
    add_filter(p)
    p.add_argument("-q", "--quiet", action="store_true", help="only ids")
    p.add_argument("--no-trunc", action="store_true")
    add_format(p)

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        table = helpers.networks(filters=filters(a))
        if a.quiet:
            return listing([r["Id"] if a.no_trunc else r["Id"][:12] for r in table])
        plain = "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}" if a.no_trunc else None
        return formatted(
            table, a.format, network_fields, NETWORK_TITLES, trunc=not a.no_trunc, cli_table=plain
        )

    return handle


@command("network create", "Create a network; prints its ID.")
def _create(p: Parser) -> Handler:
    add_resource_options(p, NETWORK_OPTIONS)
    p.add_argument("name")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        options = {o.name: getattr(a, o.name) for o in NETWORK_OPTIONS}
        return Formatted(helpers.network_create(a.name, **options) + "\n")

    return handle


@command("network rm|network remove", "Remove networks.")
def _rm(p: Parser) -> Handler:
    p.switch("-f", "--force", help="do not fail when a network does not exist")
    p.add_argument("networks", nargs="+", metavar="NETWORK")
    return lambda a, ctx: listing(helpers.network_rm(*a.networks, force=a.force))


@command("network connect", "Connect a container to a network.")
def _connect(p: Parser) -> Handler:
    p.add_argument("--alias", action="append")
    p.add_argument("--ip")
    p.add_argument("--ip6")
    p.add_argument("--link", action="append")
    p.add_argument("--link-local-ip", action="append")
    p.add_argument("--driver-opt", action="append", metavar="K=V")
    p.add_argument("network")
    p.add_argument("container")
    return lambda a, ctx: helpers.network_connect(
        a.network,
        a.container,
        aliases=a.alias,
        ip=a.ip,
        ip6=a.ip6,
        links=a.link,
        link_local_ip=a.link_local_ip,
        driver_opt=key_value(a.driver_opt),
    )


@command("network disconnect", "Disconnect a container from a network.")
def _disconnect(p: Parser) -> Handler:
    p.switch("-f", "--force")
    p.add_argument("network")
    p.add_argument("container")
    return lambda a, ctx: helpers.network_disconnect(a.network, a.container, force=a.force)


@command("network inspect", "Details of networks, as a tree.")
def _inspect(p: Parser) -> Handler:
    add_format(p, short=True)
    p.switch("-v", "--verbose")
    p.add_argument("networks", nargs="+", metavar="NETWORK")
    return lambda a, ctx: inspect_each(
        a.networks, a.format, lambda n: helpers.inspect(n, type="network")
    )


@command("network prune", "Remove all unused networks.")
def _prune(p: Parser) -> Handler:
    p.switch("-f", "--force", help="accepted; a notebook never prompts")
    p.add_argument("--filter", action="append", metavar="K=V")
    return lambda a, ctx: helpers.network_prune(filters=key_values(a.filter))
