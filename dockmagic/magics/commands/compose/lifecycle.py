"""compose up, down, start, stop, restart, kill, pause, unpause, rm: a project's containers
made, started, stopped and removed, as compose does it."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from ....compose import project as projects
from ....compose.labels import name_of
from ....compose.model import Project
from ...argv import CommandError, Parser
from ..registry import Context
from .grammar import (
    engine_of,
    lines,
    live,
    project_if_any,
    project_name,
    project_of,
    reporting,
    subcommand,
)


def _scales(entries: list[str] | None) -> dict[str, int]:
    scale = {}
    for entry in entries or []:
        service, sep, count = entry.partition("=")
        if not sep or not count.isdigit():
            raise CommandError(f"invalid --scale {entry!r} (write SERVICE=N)")
        scale[service] = int(count)
    return scale


@subcommand("up", "Create and start the project's containers, then show their output (-d: not).")
def _up(p: Parser) -> Callable[..., Any]:
    p.switch("-d", "--detach", help="return once started")
    p.switch("--force-recreate", help="recreate containers even if current")
    p.switch("--no-recreate", help="keep containers that exist, even if their config changed")
    p.switch("--no-start", help="create, do not start")
    p.switch("--remove-orphans", help="remove containers of services the file no longer has")
    p.add_argument("--scale", action="append", metavar="SERVICE=N", help="a service's replicas")
    p.switch("--wait", help="wait until the containers run (and are healthy); implies -d")
    p.add_argument("--wait-timeout", type=float, default=None, help="seconds --wait waits")
    p.add_argument("-t", "--timeout", type=int, help="seconds a replaced container has to stop")
    p.switch("--abort-on-container-exit", help="stop all containers when one stops")
    p.add_argument("--exit-code-from", metavar="SERVICE", help="fail as SERVICE's container ends")
    p.switch("--no-log-prefix", help="no NAME | before each line")
    p.switch("--no-color", help="monochrome output")
    p.switch("--timestamps", help="show timestamps")
    p.switch("--build", help="build images before starting")
    p.switch("--no-build", help="do not build an image, even if it is missing")
    p.add_argument("--pull", choices=("always", "missing", "never", "build"), help="pull policy")
    p.add_argument("services", nargs="*", metavar="SERVICE")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        engine, project = engine_of(g), project_of(g, ctx)
        if a.build and a.no_build:
            raise CommandError("--build and --no-build cannot be given together")
        began, attached = time.time(), not (a.detach or a.no_start or a.wait)
        try:
            projects.up(
                engine,
                project,
                services=a.services,
                start_them=not a.no_start,
                force_recreate=a.force_recreate,
                no_recreate=a.no_recreate,
                scaled=_scales(a.scale),
                remove_orphans=a.remove_orphans,
                wait=(a.wait_timeout or 60.0) if a.wait else None,
                timeout=a.timeout,
                build=None if a.no_build else a.build,
                pull=a.pull,
                report=live,
            )
            if attached:
                _attached(engine, project, a, began)
        except KeyboardInterrupt:
            if not attached:
                raise
            _graceful(engine, project.name, list(projects.selected(project, a.services)))

    return run


def _graceful(engine: Any, name: str, services: list[str]) -> None:
    """Ctrl-C in an attached ``up``: the containers are stopped, as compose stops them; a second
    Ctrl-C kills them."""
    live("Gracefully stopping... (press Ctrl+C again to force)")
    try:
        projects.stop(engine, name, services=services, outcome=reporting())
    except KeyboardInterrupt:
        projects.stop(engine, name, services=services, kill=True, outcome=reporting())
        raise


def _attached(engine: Any, project: Project, a: argparse.Namespace, began: float) -> None:
    """``up`` without -d: the containers' output until all have stopped (``--abort-on-container-
    exit``: until one has, then the rest are stopped)."""
    from ....compose.logs import Prefixer, follow, short_name
    from ....errors import ContainerFailed

    services = list(projects.selected(project, a.services))
    found = projects.containers(engine, project.name, all=True, services=services)
    since = {  # a container that ran before this up: only what it says from now on
        c["Id"]: began for c in found if c["State"] == "running" and c["Created"] < began - 1
    }
    printer = Prefixer(
        [short_name(c) for c in found], prefix=not a.no_log_prefix, colour=not a.no_color
    )
    abort = a.abort_on_container_exit or bool(a.exit_code_from)
    codes = follow(engine, found, printer, timestamps=a.timestamps, stop_on_exit=abort, since=since)
    if abort:
        live("Aborting on container exit...")
        projects.stop(engine, project.name, services=services, outcome=reporting())
    if a.exit_code_from:
        code = next((v for k, v in codes.items() if k.startswith(f"{a.exit_code_from}-")), 0)
        if code:
            raise ContainerFailed(f"service {a.exit_code_from!r}", code)


@subcommand("down", "Stop and remove the project's containers and networks (-v: volumes too).")
def _down(p: Parser) -> Callable[..., Any]:
    p.switch("-v", "--volumes", help="remove the project's volumes")
    p.switch("--remove-orphans", help="accepted: every container of the project goes")
    p.add_argument("-t", "--timeout", type=int, help="seconds to wait for each to stop")
    p.add_argument("--rmi", choices=("local", "all"), help="remove images: built ones, or all")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        engine, project = engine_of(g), project_if_any(g, ctx)
        name = project.name if project is not None else project_name(g, ctx)
        projects.down(
            engine, name, volumes=a.volumes, timeout=a.timeout, rmi=a.rmi, report=live,
            project=project,
        )  # fmt: skip

    return run


def _acting(act: Callable[[Any, str], Any], done: str) -> Callable[[Parser], Callable[..., Any]]:
    """A command that does one thing to each of the project's containers (of the SERVICEs given)."""

    def build(p: Parser) -> Callable[..., Any]:
        p.add_argument("services", nargs="*", metavar="SERVICE")

        def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
            engine, outcome = engine_of(g), projects.Outcome()
            for c in projects.containers(
                engine, project_name(g, ctx), all=True, services=a.services
            ):
                act(engine, c["Id"])
                outcome.say("Container", name_of(c), done)
            return lines(outcome)

        return run

    return build


for _verb, _act, _done in (
    ("start", lambda e, cid: e.container_start(cid), "Started"),
    ("kill", lambda e, cid: e.container_kill(cid), "Killed"),
    ("pause", lambda e, cid: e.container_pause(cid), "Paused"),
    ("unpause", lambda e, cid: e.container_unpause(cid), "Unpaused"),
):
    subcommand(_verb, f"{_verb.capitalize()} the project's containers (or those of SERVICEs).")(
        _acting(_act, _done)
    )


@subcommand(
    "restart",
    "Restart the project's containers (or those of SERVICEs, and the services that depend on "
    "them with restart: true).",
)
def _restart(p: Parser) -> Callable[..., Any]:
    p.add_argument("-t", "--timeout", type=int, help="seconds to wait for each to stop")
    p.switch("--no-deps", help="not the services that depend on them")
    p.add_argument("services", nargs="*", metavar="SERVICE")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        outcome = projects.restart(
            engine_of(g), project_name(g, ctx), services=a.services, timeout=a.timeout,
            no_deps=a.no_deps,
        )  # fmt: skip
        return lines(outcome)

    return run


@subcommand("stop", "Stop the project's containers (or those of SERVICEs), dependants first.")
def _stop(p: Parser) -> Callable[..., Any]:
    p.add_argument("-t", "--timeout", type=int, help="seconds to wait for each to stop")
    p.add_argument("services", nargs="*", metavar="SERVICE")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        engine, project = engine_of(g), project_if_any(g, ctx)
        name = project.name if project is not None else project_name(g, ctx)
        projects.stop(
            engine, name, services=a.services, timeout=a.timeout, outcome=reporting(),
            project=project,
        )  # fmt: skip

    return run


@subcommand("rm", "Remove the project's stopped containers (-f: without asking; -s: stop first).")
def _rm(p: Parser) -> Callable[..., Any]:
    p.switch("-f", "--force", help="accepted: nothing is asked in a notebook")
    p.switch("-s", "--stop", help="stop running containers first")
    p.switch("-v", "--volumes", help="their anonymous volumes too")
    p.add_argument("services", nargs="*", metavar="SERVICE")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        engine, outcome = engine_of(g), projects.Outcome()
        for c in projects.containers(engine, project_name(g, ctx), all=True, services=a.services):
            if c["State"] == "running":
                if not a.stop:
                    continue
                engine.container_stop(c["Id"])
            engine.container_delete(c["Id"], v=a.volumes)
            outcome.say("Container", name_of(c), "Removed")
        return lines(outcome)

    return run
