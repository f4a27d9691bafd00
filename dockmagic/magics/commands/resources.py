"""%docker images, networks, volumes, system df/info/version, lab."""

from __future__ import annotations

import argparse
from typing import Any

from ... import helpers
from ..argv import Parser, key_values
from .registry import Context, command


@command("images|image ls|image list", "List images.")
def _images(p: Parser) -> Any:
    p.add_argument("-a", "--all", action="store_true")
    p.add_argument("-f", "--filter", action="append", metavar="K=V")
    p.add_argument("-q", "--quiet", action="store_true", help="only ids (a list)")
    p.unsupported("--digests", "--format", "--no-trunc")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        table = helpers.images(a.all, filters=key_values(a.filter))
        return [row["Id"].removeprefix("sha256:")[:12] for row in table] if a.quiet else table

    return handle


@command("network ls|network list|networks", "List networks.")
def _networks(p: Parser) -> Any:
    p.add_argument("-f", "--filter", action="append", metavar="K=V")
    p.unsupported("--format", "--no-trunc", "-q", "--quiet")
    return lambda a, ctx: helpers.networks(filters=key_values(a.filter))


@command("volume ls|volume list|volumes", "List volumes.")
def _volumes(p: Parser) -> Any:
    p.add_argument("-f", "--filter", action="append", metavar="K=V")
    p.unsupported("--format", "-q", "--quiet")
    return lambda a, ctx: helpers.volumes(filters=key_values(a.filter))


@command("system df", "Disk usage of images, containers, volumes and build cache.")
def _df(p: Parser) -> Any:
    p.unsupported("-v", "--verbose", "--format")
    return lambda a, ctx: helpers.system_df()


@command("info|system info", "The engine's view of itself.")
def _info(p: Parser) -> Any:
    p.unsupported("-f", "--format")
    return lambda a, ctx: helpers.system_info()


@command("version|system version", "Versions of the engine and its API.")
def _version(p: Parser) -> Any:
    p.unsupported("-f", "--format")
    return lambda a, ctx: helpers.system_version()


@command("lab", "dockmagic: build the offline lab image (busybox tools) from this host's static busybox.")
def _lab(p: Parser) -> Any:
    p.add_argument("tag", nargs="?", default=helpers.LAB_IMAGE)
    p.add_argument("--force", action="store_true", help="rebuild even if it exists")
    return lambda a, ctx: helpers.lab_image(a.tag, force=a.force)
