"""%docker cp."""

from __future__ import annotations

import argparse
from typing import Any

from .... import helpers
from ....helpers.engines.session import engine_for
from ...argv import CommandError, Parser
from ..registry import Context, Handler, command


@command(
    "cp|container cp",
    "Copy files or folders between a container and the host (streamed both ways).",
)
def _cp(p: Parser) -> Handler:
    p.switch("-a", "--archive", help="accepted: ownership is kept as the engine gives it")
    p.switch("-L", "--follow-link", help="accepted")
    p.switch("-q", "--quiet", help="accepted")
    p.add_argument("src", help="HOST_PATH or CONTAINER:PATH")
    p.add_argument("dst", help="HOST_PATH, CONTAINER:PATH, or - for the tar archive itself")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        if a.src == "-":
            raise CommandError(
                "%docker cp - CONTAINER:PATH (a tar on stdin) is not supported; give a tar file path"
            )
        if a.dst == "-":  # the CLI writes the tar to stdout; a notebook gets it as bytes
            container, sep, path = a.src.partition(":")
            if not sep:
                raise CommandError("%docker cp SRC -: SRC must be CONTAINER:PATH")
            _, chunks = engine_for(None).container_archive(container, path)
            return b"".join(chunks)
        return helpers.cp(a.src, a.dst)

    return handle
