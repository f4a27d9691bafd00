"""%docker compose: the compose CLI's grammar (global -f, -p, --profile, --env-file,
--project-directory before the command) and its commands, on the projects docker compose v2
keeps: either tool's project is the other's (dockmagic/compose/)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from ...compose import project as projects
from ...compose.model import COMPOSE_NAME, Project, load, printed
from ...helpers.engines.session import engine_for
from ...render.formats import Formatted
from ...render.table import Column, Table
from ..argv import CommandError, Parser
from .registry import Context, Handler, command

SUBCOMMANDS: dict[
    str, tuple[Parser, Callable[[argparse.Namespace, argparse.Namespace, Context], Any]]
] = {}


def _subcommand(
    name: str, description: str
) -> Callable[
    [Callable[[Parser], Callable[[argparse.Namespace, argparse.Namespace, Context], Any]]], None
]:
    def register(build: Callable[[Parser], Callable[..., Any]]) -> None:
        parser = Parser(f"compose {name}", description)
        SUBCOMMANDS[name] = (parser, build(parser))

    return register


@command(
    "compose",
    "Multi-container projects from a Compose file, as docker compose v2 runs them.",
    cell=True,
)
def _compose(p: Parser) -> Handler:
    p.add_argument(
        "-f", "--file", action="append", dest="files", metavar="FILE", help="compose files"
    )
    p.add_argument("-p", "--project-name", help="the project's name")
    p.add_argument("--profile", action="append", dest="profiles", help="profiles to enable")
    p.add_argument("--env-file", help="the variables file (default: .env in the project folder)")
    p.add_argument("--project-directory", help="the project's folder (default: the first file's)")
    p.add_argument("subcommand", nargs="?", help=", ".join(sorted(SUBCOMMANDS)))
    p.add_argument("args", nargs=argparse.REMAINDER)

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        if not a.subcommand:
            raise CommandError(
                f"usage: %docker compose [-f FILE] [-p NAME] COMMAND; commands: {', '.join(sorted(SUBCOMMANDS))}"
            )
        if a.subcommand not in SUBCOMMANDS:
            raise CommandError(
                f"unknown compose command: {a.subcommand} (one of {', '.join(sorted(SUBCOMMANDS))})"
            )
        parser, run = SUBCOMMANDS[a.subcommand]
        return run(a, parser.parse(a.args), ctx)

    return handle


def _project(g: argparse.Namespace, ctx: Context) -> Project:
    """The project the global flags name: the cell's file (%%docker compose), the -f files, or
    the default file of the project folder."""
    return load(
        g.files or (),
        text=ctx.cell,
        directory=g.project_directory,
        name=g.project_name,
        env_file=g.env_file,
        profiles=g.profiles,
    )


def _name(g: argparse.Namespace, ctx: Context) -> str:
    """The project's name: -p, or the project's own (which needs its file)."""
    return g.project_name or _project(g, ctx).name


def _lines(outcome: projects.Outcome) -> Formatted:
    return Formatted("".join(f" {line}\n" for line in outcome.lines))


@_subcommand("config", "The project as compose normalises it (YAML, or --format json).")
def _config(p: Parser) -> Callable[..., Any]:
    p.add_argument("--format", choices=("yaml", "json"), default="yaml")
    p.add_argument("--services", action="store_true", help="only the services' names")
    p.add_argument("-q", "--quiet", action="store_true", help="only check the file")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        project = _project(g, ctx)
        if a.quiet:
            return None
        if a.services:
            return Formatted("".join(f"{s}\n" for s in project.services))
        model = printed(project.model)
        if a.format == "json":
            return Formatted(json.dumps(model, indent=2, ensure_ascii=False) + "\n")
        import yaml

        return Formatted(yaml.safe_dump(model, sort_keys=False, allow_unicode=True))

    return run


@_subcommand("up", "Create and start the project's containers (-d: in the background).")
def _up(p: Parser) -> Callable[..., Any]:
    p.switch("-d", "--detach", help="return once started (the only way, for now)")
    p.switch("--force-recreate", help="recreate containers even if current")
    p.switch("--no-start", help="create, do not start")
    p.unsupported("--build", "--no-recreate", "--remove-orphans", "--scale", "--wait", "--pull")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        if not a.detach and not a.no_start:
            raise CommandError(
                "%docker compose up shows no logs yet: use up -d (then compose logs)"
            )
        project = _project(g, ctx)
        engine = engine_for(None)
        return _lines(
            projects.up(engine, project, start=not a.no_start, force_recreate=a.force_recreate)
        )

    return run


@_subcommand("down", "Stop and remove the project's containers and networks (-v: volumes too).")
def _down(p: Parser) -> Callable[..., Any]:
    p.switch("-v", "--volumes", help="remove the project's volumes")
    p.switch("--remove-orphans", help="accepted: every container of the project goes")
    p.unsupported("--rmi", "-t", "--timeout")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        return _lines(projects.down(engine_for(None), _name(g, ctx), volumes=a.volumes))

    return run


@_subcommand("ps", "The project's containers (-a: stopped ones too).")
def _ps(p: Parser) -> Callable[..., Any]:
    p.switch("-a", "--all", help="stopped containers too")
    p.switch("-q", "--quiet", help="only IDs")
    p.switch("--services", help="only the services' names")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        rows = projects.containers(engine_for(None), _name(g, ctx), all=a.all)
        if a.quiet:
            return Formatted("".join(f"{r['Id']}\n" for r in rows))
        if a.services:
            return Formatted(
                "".join(f"{s}\n" for s in sorted({r["Labels"][projects.SERVICE] for r in rows}))
            )
        return _ps_table(rows)

    return run


def _ps_table(rows: list[dict[str, Any]]) -> Table:
    from ...render.formats import CONTAINER_FIELDS
    from ...render.units import ago, ports

    command = CONTAINER_FIELDS["Command"]
    return Table(
        rows,
        [
            Column("NAME", lambda r: r["Names"][0].lstrip("/")),
            Column.key("IMAGE", "Image"),
            Column("COMMAND", command.value, command.truncated),
            Column("SERVICE", lambda r: r["Labels"].get(projects.SERVICE, "")),
            Column.key("CREATED", "Created", ago),
            Column.key("STATUS", "Status"),
            Column.key("PORTS", "Ports", ports),
        ],
        title="compose ps",
    )


@_subcommand("ls", "The projects on the engine, running ones (-a: all).")
def _ls(p: Parser) -> Callable[..., Any]:
    p.switch("-a", "--all", help="stopped projects too")
    p.switch("-q", "--quiet", help="only names")
    p.add_argument("--format", choices=("table", "json"), default="table")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        rows = [r for r in projects.projects(engine_for(None)) if a.all or "running" in r["Status"]]
        if a.quiet:
            return Formatted("".join(f"{r['Name']}\n" for r in rows))
        if a.format == "json":
            return Formatted(json.dumps(rows, separators=(",", ":")) + "\n")
        columns = [
            Column.key("NAME", "Name"),
            Column.key("STATUS", "Status"),
            Column.key("CONFIG FILES", "ConfigFiles"),
        ]
        return Table(rows, columns, title="compose projects")

    return run


@_subcommand("version", "The compose behaviour dockmagic follows.")
def _version(p: Parser) -> Callable[..., Any]:
    p.switch("--short")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        if a.short:
            return Formatted(f"{projects.COMPOSE_VERSION}\n")
        return Formatted(f"{COMPOSE_NAME} version v{projects.COMPOSE_VERSION} (dockmagic)\n")

    return run
