"""compose exec, run, cp, wait: commands in, and files to and from, a service's containers."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from ....compose import project as projects
from ....render.formats import Formatted
from ...argv import CommandError, Parser
from ..registry import Context
from .grammar import engine_of, project_name, project_of, reporting, subcommand


@subcommand("exec", "Run a command in a service's running container.")
def _exec(p: Parser) -> Callable[..., Any]:
    p.switch("-d", "--detach", help="start it and return")
    p.add_argument("-e", "--env", action="append", help="KEY=VALUE for the command")
    p.add_argument("-u", "--user")
    p.add_argument("-w", "--workdir")
    p.add_argument("--index", type=int, default=1, help="which container of the service")
    p.switch("-T", "--no-TTY", dest="no_tty", help="accepted: a cell has no terminal")
    p.add_argument("service", metavar="SERVICE")
    p.add_argument("command", nargs=argparse.REMAINDER, metavar="COMMAND")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        from ....helpers.containers.execs import exec_

        if not a.command:
            raise CommandError("%docker compose exec needs SERVICE COMMAND")
        cid = projects.container_of(engine_of(g), project_name(g, ctx), a.service, a.index)
        return exec_(cid, a.command, env=a.env, user=a.user, workdir=a.workdir, detach=a.detach)

    return run


@subcommand("run", "Run a one-off command in a new container of a service (--rm: removed after).")
def _run(p: Parser) -> Callable[..., Any]:
    p.switch("-d", "--detach", help="start it and print its ID")
    p.switch("--rm", dest="remove", help="remove the container when it exits")
    p.add_argument("-e", "--env", action="append", default=[], help="KEY=VALUE (or KEY)")
    p.add_argument("-l", "--label", action="append", default=[], help="KEY=VALUE")
    p.add_argument("--name", help="the container's name")
    p.add_argument("-u", "--user")
    p.add_argument("-w", "--workdir")
    p.add_argument("--entrypoint", help="override the image's entrypoint")
    p.add_argument("-p", "--publish", action="append", default=[], help="a port to publish")
    p.switch("-P", "--service-ports", help="publish the service's ports")
    p.add_argument("-v", "--volume", action="append", default=[], help="a volume or bind")
    p.add_argument("--cap-add", action="append", default=[])
    p.add_argument("--cap-drop", action="append", default=[])
    p.switch("--no-deps", help="do not start the services it depends on")
    p.switch("-T", "--no-TTY", dest="no_tty", help="accepted: a cell has no terminal")
    p.switch("-q", "--quiet", help="do not show its output live")
    p.unsupported("--build", "-i", "--interactive", "--use-aliases")
    p.add_argument("service", metavar="SERVICE")
    p.add_argument("command", nargs=argparse.REMAINDER, metavar="COMMAND")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        from ....compose import oneoff
        from ....helpers.containers.run import run as run_container

        engine = engine_of(g)
        options = oneoff.RunOptions(
            command=a.command,
            entrypoint=a.entrypoint,
            environment=a.env,
            labels=a.label,
            name=a.name,
            user=a.user,
            workdir=a.workdir,
            publish=a.publish,
            service_ports=a.service_ports,
            volumes=a.volume,
            cap_add=a.cap_add,
            cap_drop=a.cap_drop,
        )
        prepared = oneoff.prepare(
            engine, project_of(g, ctx), a.service, options, no_deps=a.no_deps, remove=a.remove,
            outcome=reporting(),
        )  # fmt: skip
        if a.detach:
            return Formatted(oneoff.start_detached(prepared) + "\n")
        made = prepared.body
        return run_container(
            str(made["Image"]),
            name=prepared.name,
            remove=a.remove,
            pull="never",
            quiet=a.quiet,
            engine=engine,
            extra={k: v for k, v in made.items() if k != "Image"},
            created=prepared.created,
        )

    return run


def _in_container(engine: Any, name: str, where: str, index: int) -> str:
    """``SERVICE:PATH`` as ``CONTAINER-ID:PATH`` (a host path as it is)."""
    service, sep, path = where.partition(":")
    if not sep or service.startswith((".", "/", "~")):
        return where
    return f"{projects.container_of(engine, name, service, index)}:{path}"


@subcommand("cp", "Copy files between a service's container and this machine (SERVICE:PATH).")
def _cp(p: Parser) -> Callable[..., Any]:
    p.add_argument("--index", type=int, default=1, help="which container of the service")
    p.add_argument("source", metavar="SRC")
    p.add_argument("destination", metavar="DEST")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        from ....helpers.containers.copy import cp

        engine, name = engine_of(g), project_name(g, ctx)
        source = _in_container(engine, name, a.source, a.index)
        return cp(source, _in_container(engine, name, a.destination, a.index), engine=engine)

    return run


@subcommand("wait", "Wait until the SERVICEs' containers stop; their exit codes.")
def _wait(p: Parser) -> Callable[..., Any]:
    p.add_argument("services", nargs="+", metavar="SERVICE")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        engine = engine_of(g)
        found = projects.containers(engine, project_name(g, ctx), all=True, services=a.services)
        return Formatted.lines(engine.container_wait(c["Id"])["StatusCode"] for c in found)

    return run
