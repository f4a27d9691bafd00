"""%docker context ls, inspect, create, update, rm, use, show (the CLI's context store, shared
with it), and clean (what this session made)."""

from __future__ import annotations

import argparse
from typing import Any

from ... import helpers
from ...helpers.engines import cleanup as mine
from ...render.formats import Formatted
from ...render.tree import Inspection
from ..argv import Parser, add_format
from .registry import Context, Handler, command
from .showing import formatted, inspect_each, listing


@command("context ls|context list|contexts", "List contexts; the current one is marked with *.")
def _ls(p: Parser) -> Handler:
    p.add_argument("-q", "--quiet", action="store_true", help="only names")
    add_format(p)

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        table = helpers.contexts()
        if a.quiet:
            return listing([r["Name"] for r in table])
        return formatted(table, a.format)

    return handle


@command("context inspect", "Details of contexts (the current one when none is named).")
def _inspect(p: Parser) -> Handler:
    add_format(p, short=True)
    p.add_argument("contexts", nargs="*", metavar="CONTEXT")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        names = a.contexts or [helpers.context_show()]
        return inspect_each(names, a.format, lambda n: Inspection(helpers.context_get(n).inspect()))

    return handle


def _endpoint_flags(p: Parser) -> None:
    p.add_argument("--description", help="a description of the context")
    p.add_argument("--docker", metavar="host=URL[,ca=,cert=,key=]", help="the engine endpoint")
    p.add_argument("name", metavar="CONTEXT")


@command(
    "context create",
    "Create a context (from --docker, --from another, or a copy of the current one).",
)
def _create(p: Parser) -> Handler:
    _endpoint_flags(p)
    p.add_argument("--from", dest="from_", metavar="CONTEXT", help="copy this context's endpoint")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        helpers.context_create(a.name, a.docker, description=a.description or "", from_=a.from_)
        return Formatted(f"{a.name}\n")

    return handle


@command("context update", "Change a context's endpoint or description.")
def _update(p: Parser) -> Handler:
    _endpoint_flags(p)
    return lambda a, ctx: Formatted(
        helpers.context_update(a.name, a.docker, description=a.description) + "\n"
    )


@command("context rm|context remove", "Remove contexts (-f: even the current one).")
def _rm(p: Parser) -> Handler:
    p.switch("-f", "--force")
    p.add_argument("contexts", nargs="+", metavar="CONTEXT")
    return lambda a, ctx: listing(helpers.context_rm(*a.contexts, force=a.force))


@command("context use", "Make a context the current one, for dockmagic and the docker CLI.")
def _use(p: Parser) -> Handler:
    p.add_argument("name", metavar="CONTEXT")
    return lambda a, ctx: Formatted(helpers.context_use(a.name) + "\n")


@command(
    "context export",
    "Write a context (and its TLS material) as the CLI's archive; FILE - returns its bytes.",
)
def _export(p: Parser) -> Handler:
    p.add_argument("name", metavar="CONTEXT")
    p.add_argument("file", nargs="?", metavar="FILE", help="default: CONTEXT.dockercontext")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        written = helpers.context_export(a.name, a.file)
        return written if isinstance(written, bytes) else Formatted(f'Written file "{written}"\n')

    return handle


@command("context import", "Make a context from an archive of docker context export.")
def _import(p: Parser) -> Handler:
    p.add_argument("name", metavar="CONTEXT")
    p.add_argument("file", metavar="FILE")
    return lambda a, ctx: Formatted(
        f'Successfully imported context "{helpers.context_import(a.name, a.file)}"\n'
    )


@command("context show", "The current context's name.")
def _show(p: Parser) -> Handler:
    return lambda a, ctx: Formatted(helpers.context_show() + "\n")


@command(
    "clean",
    "dockmagic: this session's containers, networks, volumes and built images; -y removes them.",
)
def _clean(p: Parser) -> Handler:
    p.add_argument(
        "-y", "--yes", action="store_true", help="remove them (without it: the list, to confirm)"
    )

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        done = mine.clean(yes=a.yes)
        if not done.found:
            print("this session made nothing that is still there")
            return None
        if not a.yes:
            print(f"this session made {len(done.found)}; %docker clean -y removes them:")
            return done.table()
        for what, why in done.failed.items():
            print(f"warning: could not remove {what}: {why}")
        print(f"removed {len(done.found) - len(done.failed)} of {len(done.found)}")
        return done.table()

    return handle
