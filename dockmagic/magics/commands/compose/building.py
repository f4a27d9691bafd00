"""compose build, pull, push: a project's images."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from ...argv import Parser
from ..registry import Context
from .grammar import engine_of, project_of, reporting, subcommand


@subcommand("build", "Build the services' images (those with a build: section).")
def _build(p: Parser) -> Callable[..., Any]:
    p.switch("--no-cache", help="do not use the cache")
    p.switch("--pull", help="pull newer base images")
    p.switch("-q", "--quiet", help="no build output")
    p.add_argument("services", nargs="*", metavar="SERVICE")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        from ....compose import images

        project, outcome = project_of(g, ctx), reporting()
        images.build(
            engine_of(g), project, a.services, no_cache=a.no_cache, pull=a.pull,
            quiet=a.quiet, outcome=outcome,
        )  # fmt: skip

    return run


@subcommand("pull", "Pull the services' images.")
def _pull(p: Parser) -> Callable[..., Any]:
    p.switch("--ignore-buildable", help="skip the images of services that are built")
    p.switch("-q", "--quiet", help="accepted")
    p.add_argument("services", nargs="*", metavar="SERVICE")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        from ....compose import images

        images.pull(
            engine_of(g), project_of(g, ctx), a.services,
            ignore_buildable=a.ignore_buildable, outcome=reporting(),
        )  # fmt: skip

    return run


@subcommand("push", "Push the built services' images (those that name an image).")
def _push(p: Parser) -> Callable[..., Any]:
    p.add_argument("services", nargs="*", metavar="SERVICE")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        from ....compose import images

        images.push(engine_of(g), project_of(g, ctx), a.services, outcome=reporting())

    return run
