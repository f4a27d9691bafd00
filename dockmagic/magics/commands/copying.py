"""%docker cp."""

from __future__ import annotations

from typing import Any

from ... import helpers
from ..argv import Parser
from .registry import command


@command("cp|container cp", "Copy files or folders between a container and the host (streamed both ways).")
def _cp(p: Parser) -> Any:
    p.unsupported("-a", "--archive", "-L", "--follow-link", "-q", "--quiet")
    p.add_argument("src", help="HOST_PATH or CONTAINER:PATH")
    p.add_argument("dst", help="HOST_PATH or CONTAINER:PATH")
    return lambda a, ctx: helpers.cp(a.src, a.dst)
