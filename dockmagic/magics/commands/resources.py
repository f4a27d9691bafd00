"""%docker images, networks, volumes, system df/info/version, lab."""

from __future__ import annotations

import argparse
from typing import Any

from ... import helpers
from ...engine.labels import BUILT
from ...render.formats import (
    DF_TITLES,
    IMAGE_TITLES,
    df_fields,
    format_one,
    format_rows,
    image_fields,
)
from ..argv import CommandError, Parser, add_filter, add_format, filters, int64, key_values
from .registry import Context, Handler, command
from .showing import formatted, listing


@command("images|image ls|image list", "List images, one row per tag.")
def _images(p: Parser) -> Handler:
    p.switch("-a", "--all")
    add_filter(p)
    p.switch("-q", "--quiet", help="only ids")
    p.switch("--digests", help="add a DIGEST column")
    p.switch("--no-trunc")
    add_format(p)
    p.add_argument("reference", nargs="?", metavar="REPOSITORY[:TAG]")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        table = helpers.images(
            a.all, reference=a.reference, filters=filters(a, BUILT), digests=a.digests
        )
        if a.quiet:
            return listing(
                list(dict.fromkeys(image_fields(r, not a.no_trunc)["ID"] for r in table))
            )
        template = a.format
        if (a.digests or a.no_trunc) and template in (None, "table"):
            digest = "\t{{.Digest}}" if a.digests else ""
            head = "table {{.Repository}}\t{{.Tag}}"
            template = f"{head}{digest}\t{{{{.ID}}}}\t{{{{.CreatedSince}}}}\t{{{{.Size}}}}"
        if template and template != "table":
            return format_rows(
                template, table.rows, image_fields, IMAGE_TITLES, trunc=not a.no_trunc
            )
        return table

    return handle


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


@command("search", "Search a registry for images.")
def _search(p: Parser) -> Handler:
    p.add_argument("-f", "--filter", action="append", metavar="K=V")
    p.add_argument("--limit", type=int64)
    p.switch("--no-trunc")
    add_format(p)
    p.add_argument("term")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        table = helpers.search(a.term, limit=a.limit, filters=key_values(a.filter))
        return formatted(table, a.format)

    return handle


@command("login", "Log in to a registry; the credentials are kept where the docker CLI keeps them.")
def _login(p: Parser) -> Handler:
    p.add_argument("-u", "--username")
    p.add_argument("-p", "--password")
    p.switch("--password-stdin", help="not in a notebook: use -p with a variable, e.g. -p $token")
    p.add_argument("server", nargs="?")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        if a.password_stdin:
            raise CommandError(
                "%docker login --password-stdin: a notebook has no stdin; use -p $variable"
            )
        if not a.username or not a.password:
            raise CommandError(
                "%docker login needs -u USER and -p PASSWORD (a notebook cannot prompt)"
            )
        return helpers.login(a.username, a.password, a.server)

    return handle


@command("logout", "Forget a registry's stored credentials.")
def _logout(p: Parser) -> Handler:
    p.add_argument("server", nargs="?")
    return lambda a, ctx: helpers.logout(a.server)


@command(
    "lab", "dockmagic: build the offline lab image (busybox tools) from this host's static busybox."
)
def _lab(p: Parser) -> Handler:
    p.add_argument("tag", nargs="?", default=helpers.LAB_IMAGE)
    p.add_argument("--force", action="store_true", help="rebuild even if it exists")
    return lambda a, ctx: helpers.lab_image(a.tag, force=a.force)
