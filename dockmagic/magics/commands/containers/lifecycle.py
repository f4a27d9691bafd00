"""%docker start, stop, restart, kill, pause, unpause, rename, update, rm, container prune."""

from __future__ import annotations

import argparse
from typing import Any

from .... import helpers
from ...argv import Parser, add_container_options, container_options, int64, key_values
from ..registry import Context, Handler, command


def _many(p: Parser) -> None:
    p.add_argument("containers", nargs="+", metavar="CONTAINER")


@command("start|container start", "Start stopped containers.")
def _start(p: Parser) -> Handler:
    p.unsupported("-a", "--attach", "-i", "--interactive", "--detach-keys")
    _many(p)
    return lambda a, ctx: helpers.start(*a.containers)


@command("stop|container stop", "Stop containers (SIGTERM, then SIGKILL after --time seconds).")
def _stop(p: Parser) -> Handler:
    p.add_argument("-t", "--time", type=int64)
    p.add_argument("-s", "--signal")
    _many(p)
    return lambda a, ctx: helpers.stop(*a.containers, time=a.time, signal=a.signal)


@command("restart|container restart", "Restart containers.")
def _restart(p: Parser) -> Handler:
    p.add_argument("-t", "--time", type=int64)
    _many(p)
    return lambda a, ctx: helpers.restart(*a.containers, time=a.time)


@command("kill|container kill", "Send a signal (default KILL) to containers.")
def _kill(p: Parser) -> Handler:
    p.add_argument("-s", "--signal")
    _many(p)
    return lambda a, ctx: helpers.kill(*a.containers, signal=a.signal)


@command("pause|container pause", "Freeze all processes of containers.")
def _pause(p: Parser) -> Handler:
    _many(p)
    return lambda a, ctx: helpers.pause(*a.containers)


@command("unpause|container unpause", "Thaw paused containers.")
def _unpause(p: Parser) -> Handler:
    _many(p)
    return lambda a, ctx: helpers.unpause(*a.containers)


@command("rename|container rename", "Rename a container.")
def _rename(p: Parser) -> Handler:
    p.add_argument("container")
    p.add_argument("new_name")
    return lambda a, ctx: helpers.rename(a.container, a.new_name)


@command("update|container update", "Change a container's resources in place.")
def _update(p: Parser) -> Handler:
    chosen = add_container_options(p, "update")
    _many(p)
    return lambda a, ctx: helpers.update(*a.containers, **container_options(a, chosen))


@command("rm|container rm|container remove", "Remove containers.")
def _rm(p: Parser) -> Handler:
    p.add_argument("-f", "--force", action="store_true", help="also running ones")
    p.add_argument("-v", "--volumes", action="store_true", help="and their anonymous volumes")
    p.add_argument("-l", "--link", action="store_true", help="remove the links named")
    _many(p)
    # the CLI trims the slash the engine shows before names ("/web")
    return lambda a, ctx: helpers.rm(
        *(c.strip("/") for c in a.containers), force=a.force, volumes=a.volumes, link=a.link
    )


@command("container prune", "Remove all stopped containers.")
def _prune(p: Parser) -> Handler:
    p.add_argument("-f", "--force", action="store_true", help="accepted; a notebook never prompts")
    p.add_argument("--filter", action="append", metavar="K=V")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        return helpers.prune(filters=key_values(a.filter))

    return handle
