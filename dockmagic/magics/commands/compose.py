"""%docker compose: the compose CLI's grammar (global -f, -p, --profile, --env-file,
--project-directory before the command) and its commands, on the projects docker compose v2
keeps: either tool's project is the other's (dockmagic/compose/)."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ...compose import project as projects
from ...compose.model import COMPOSE_NAME, DEFAULT_FILES, Project, load, printed
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


# The Compose file each project was last given in a cell (%%docker compose -p NAME ...), so that
# the lines after it (run, exec, config, ...) need not repeat it; a file on disk comes first.
_CELLS: dict[str, str] = {}


def _project(g: argparse.Namespace, ctx: Context) -> Project:
    """The project the global flags name: the cell's file (%%docker compose), the -f files, the
    default file of the project folder, or the file the project's last cell gave."""
    text = ctx.cell
    if text is None and not g.files and g.project_name in _CELLS:
        folder = Path(g.project_directory or ".")
        if not any((folder / f).exists() for f in DEFAULT_FILES):
            text = _CELLS[g.project_name]
    project = load(
        g.files or (),
        text=text,
        directory=g.project_directory,
        name=g.project_name,
        env_file=g.env_file,
        profiles=g.profiles,
    )
    if ctx.cell is not None:
        _CELLS[project.name] = ctx.cell
    return project


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


def _live(line: str) -> None:
    """An up/down line as it happens (compose prints them so, a space before each)."""
    sys.stdout.write(f" {line}\n")
    sys.stdout.flush()


def _scales(entries: list[str] | None) -> dict[str, int]:
    scale = {}
    for entry in entries or []:
        service, sep, count = entry.partition("=")
        if not sep or not count.isdigit():
            raise CommandError(f"invalid --scale {entry!r} (write SERVICE=N)")
        scale[service] = int(count)
    return scale


@_subcommand("up", "Create and start the project's containers, then show their output (-d: not).")
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
    p.unsupported("--pull")
    p.add_argument("services", nargs="*", metavar="SERVICE")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        engine, project = engine_for(None), _project(g, ctx)
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
                report=_live,
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
    _live("Gracefully stopping... (press Ctrl+C again to force)")
    try:
        projects.stop(engine, name, services=services, outcome=_outcome())
    except KeyboardInterrupt:
        projects.stop(engine, name, services=services, kill=True, outcome=_outcome())
        raise


def _attached(engine: Any, project: Project, a: argparse.Namespace, began: float) -> None:
    """``up`` without -d: the containers' output until all have stopped (``--abort-on-container-
    exit``: until one has, then the rest are stopped)."""
    from ...compose.logs import Prefixer, follow, short_name
    from ...errors import ContainerFailed

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
        _live("Aborting on container exit...")
        projects.stop(engine, project.name, services=services, outcome=_outcome())
    if a.exit_code_from:
        code = next((v for k, v in codes.items() if k.startswith(f"{a.exit_code_from}-")), 0)
        if code:
            raise ContainerFailed(f"service {a.exit_code_from!r}", code)


def _outcome() -> projects.Outcome:
    return projects.Outcome(report=_live)


@_subcommand("down", "Stop and remove the project's containers and networks (-v: volumes too).")
def _down(p: Parser) -> Callable[..., Any]:
    p.switch("-v", "--volumes", help="remove the project's volumes")
    p.switch("--remove-orphans", help="accepted: every container of the project goes")
    p.add_argument("-t", "--timeout", type=int, help="seconds to wait for each to stop")
    p.add_argument("--rmi", choices=("local", "all"), help="remove images: built ones, or all")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        engine, name = engine_for(None), _name(g, ctx)
        projects.down(engine, name, volumes=a.volumes, timeout=a.timeout, rmi=a.rmi, report=_live)

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


def _acting(act: Callable[[Any, str], Any], done: str) -> Callable[[Parser], Callable[..., Any]]:
    """A command that does one thing to each of the project's containers (of the SERVICEs given)."""

    def build(p: Parser) -> Callable[..., Any]:
        p.add_argument("services", nargs="*", metavar="SERVICE")

        def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
            engine, outcome = engine_for(None), projects.Outcome()
            for c in projects.containers(engine, _name(g, ctx), all=True, services=a.services):
                act(engine, c["Id"])
                outcome.say("Container", c["Names"][0].lstrip("/"), done)
            return _lines(outcome)

        return run

    return build


for _verb, _act, _done in (
    ("start", lambda e, cid: e.container_start(cid), "Started"),
    ("restart", lambda e, cid: e.container_restart(cid), "Restarted"),
    ("kill", lambda e, cid: e.container_kill(cid), "Killed"),
    ("pause", lambda e, cid: e.container_pause(cid), "Paused"),
    ("unpause", lambda e, cid: e.container_unpause(cid), "Unpaused"),
):
    _subcommand(_verb, f"{_verb.capitalize()} the project's containers (or those of SERVICEs).")(
        _acting(_act, _done)
    )


@_subcommand("stop", "Stop the project's containers (or those of SERVICEs), dependants first.")
def _stop(p: Parser) -> Callable[..., Any]:
    p.add_argument("-t", "--timeout", type=int, help="seconds to wait for each to stop")
    p.add_argument("services", nargs="*", metavar="SERVICE")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        engine, name = engine_for(None), _name(g, ctx)
        projects.stop(engine, name, services=a.services, timeout=a.timeout, outcome=_outcome())

    return run


@_subcommand("rm", "Remove the project's stopped containers (-f: without asking; -s: stop first).")
def _rm(p: Parser) -> Callable[..., Any]:
    p.switch("-f", "--force", help="accepted: nothing is asked in a notebook")
    p.switch("-s", "--stop", help="stop running containers first")
    p.switch("-v", "--volumes", help="their anonymous volumes too")
    p.add_argument("services", nargs="*", metavar="SERVICE")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        engine, outcome = engine_for(None), projects.Outcome()
        for c in projects.containers(engine, _name(g, ctx), all=True, services=a.services):
            if c["State"] == "running":
                if not a.stop:
                    continue
                engine.container_stop(c["Id"])
            engine.container_delete(c["Id"], v=a.volumes)
            outcome.say("Container", c["Names"][0].lstrip("/"), "Removed")
        return _lines(outcome)

    return run


@_subcommand("exec", "Run a command in a service's running container.")
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
        from ...helpers.containers.execs import exec_

        if not a.command:
            raise CommandError("%docker compose exec needs SERVICE COMMAND")
        cid = projects.container_of(engine_for(None), _name(g, ctx), a.service, a.index)
        return exec_(cid, a.command, env=a.env, user=a.user, workdir=a.workdir, detach=a.detach)

    return run


@_subcommand("logs", "The output of the project's containers (or those of SERVICEs), prefixed.")
def _logs(p: Parser) -> Callable[..., Any]:
    p.switch("-f", "--follow", help="follow the output until the containers stop")
    p.add_argument("-n", "--tail", default="all", help="lines from the end of each")
    p.switch("-t", "--timestamps")
    p.add_argument("--since", help="from this time (RFC 3339, Unix seconds, or 10m for ago)")
    p.add_argument("--until", help="up to this time")
    p.switch("--no-log-prefix", help="no NAME | before each line")
    p.switch("--no-color", help="monochrome output (when following)")
    p.add_argument("--index", type=int, help="which container of the service")
    p.add_argument("services", nargs="*", metavar="SERVICE")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        from ...compose.logs import Prefixer, follow, lines_of, short_name
        from ...helpers.timeparse import to_timestamp

        engine = engine_for(None)
        found = [
            c
            for c in projects.containers(engine, _name(g, ctx), all=True, services=a.services)
            if c["Labels"].get(projects.ONEOFF) != "True"
            and (a.index is None or c["Labels"].get(projects.NUMBER) == str(a.index))
        ]
        names = [short_name(c) for c in found]
        if a.follow:
            printer = Prefixer(names, prefix=not a.no_log_prefix, colour=not a.no_color)
            with contextlib.suppress(KeyboardInterrupt):  # as compose: how a follow ends
                follow(engine, found, printer, tail=a.tail, timestamps=a.timestamps)
            return None
        printer = Prefixer(names, prefix=not a.no_log_prefix, colour=False)
        out: list[str] = []
        for c, name in zip(found, names, strict=True):
            stream = engine.container_logs(
                c["Id"],
                tail=a.tail,
                timestamps=a.timestamps,
                since=to_timestamp(a.since),
                until=to_timestamp(a.until),
            )
            lines = list(lines_of(stream, name))
            out += [
                printer.prefixed(line) for key in (1, 2) for line in lines if line.stream == key
            ]
        return Formatted("".join(f"{line}\n" for line in out))

    return run


@_subcommand("build", "Build the services' images (those with a build: section).")
def _build(p: Parser) -> Callable[..., Any]:
    p.switch("--no-cache", help="do not use the cache")
    p.switch("--pull", help="pull newer base images")
    p.switch("-q", "--quiet", help="no build output")
    p.add_argument("services", nargs="*", metavar="SERVICE")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        from ...compose import images

        project, outcome = _project(g, ctx), _outcome()
        images.build(
            engine_for(None), project, a.services, no_cache=a.no_cache, pull=a.pull,
            quiet=a.quiet, outcome=outcome,
        )  # fmt: skip

    return run


@_subcommand("pull", "Pull the services' images.")
def _pull(p: Parser) -> Callable[..., Any]:
    p.switch("--ignore-buildable", help="skip the images of services that are built")
    p.switch("-q", "--quiet", help="accepted")
    p.add_argument("services", nargs="*", metavar="SERVICE")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        from ...compose import images

        images.pull(
            engine_for(None), _project(g, ctx), a.services,
            ignore_buildable=a.ignore_buildable, outcome=_outcome(),
        )  # fmt: skip

    return run


@_subcommand("push", "Push the built services' images (those that name an image).")
def _push(p: Parser) -> Callable[..., Any]:
    p.add_argument("services", nargs="*", metavar="SERVICE")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        from ...compose import images

        images.push(engine_for(None), _project(g, ctx), a.services, outcome=_outcome())

    return run


@_subcommand("run", "Run a one-off command in a new container of a service (--rm: removed after).")
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
        from ...compose import oneoff
        from ...helpers.containers.run import run as run_container

        engine = engine_for(None)
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
            engine, _project(g, ctx), a.service, options, no_deps=a.no_deps, remove=a.remove,
            outcome=_outcome(),
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


@_subcommand("top", "The processes running in the project's containers (or those of SERVICEs).")
def _top(p: Parser) -> Callable[..., Any]:
    p.add_argument("services", nargs="*", metavar="SERVICE")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        engine, out = engine_for(None), []
        for c in projects.containers(engine, _name(g, ctx), services=a.services):
            top = engine.container_top(c["Id"])
            out += [c["Names"][0].lstrip("/"), *_aligned(top), ""]
        return Formatted("".join(f"{line}\n" for line in out))

    return run


def _aligned(top: dict[str, Any]) -> list[str]:
    """A top answer as compose prints it: the titles, then a line per process, in columns."""
    rows = [list(top.get("Titles") or []), *(top.get("Processes") or [])]
    widths = [max(len(str(r[i])) for r in rows if i < len(r)) for i in range(len(rows[0]))]
    return [
        "   ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=False)).rstrip() for r in rows
    ]


@_subcommand("images", "The images the project's containers use.")
def _images(p: Parser) -> Callable[..., Any]:
    p.switch("-q", "--quiet", help="only IDs")
    p.add_argument("services", nargs="*", metavar="SERVICE")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        from ...render.units import human_size

        engine = engine_for(None)
        rows = []
        for c in projects.containers(engine, _name(g, ctx), all=True, services=a.services):
            image = engine.image_inspect(c["ImageID"])
            repository, _, tag = str(c["Image"]).rpartition(":")
            if not repository or "/" in tag:
                repository, tag = str(c["Image"]), "latest"
            rows.append(
                {
                    "Container": c["Names"][0].lstrip("/"),
                    "Repository": repository,
                    "Tag": tag,
                    "ID": str(image["Id"]).split(":")[-1][:12],
                    "Size": image.get("Size") or 0,
                }
            )
        if a.quiet:
            return Formatted("".join(f"{i}\n" for i in dict.fromkeys(r["ID"] for r in rows)))
        columns = [
            Column.key("CONTAINER", "Container"),
            Column.key("REPOSITORY", "Repository"),
            Column.key("TAG", "Tag"),
            Column.key("IMAGE ID", "ID"),
            Column.key("SIZE", "Size", human_size),
        ]
        return Table(rows, columns, title="compose images")

    return run


def _in_container(engine: Any, name: str, where: str, index: int) -> str:
    """``SERVICE:PATH`` as ``CONTAINER-ID:PATH`` (a host path as it is)."""
    service, sep, path = where.partition(":")
    if not sep or service.startswith((".", "/", "~")):
        return where
    return f"{projects.container_of(engine, name, service, index)}:{path}"


@_subcommand("cp", "Copy files between a service's container and this machine (SERVICE:PATH).")
def _cp(p: Parser) -> Callable[..., Any]:
    p.add_argument("--index", type=int, default=1, help="which container of the service")
    p.add_argument("source", metavar="SRC")
    p.add_argument("destination", metavar="DEST")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        from ...helpers.containers.copy import cp

        engine, name = engine_for(None), _name(g, ctx)
        source = _in_container(engine, name, a.source, a.index)
        return cp(source, _in_container(engine, name, a.destination, a.index), engine=engine)

    return run


@_subcommand("wait", "Wait until the SERVICEs' containers stop; their exit codes.")
def _wait(p: Parser) -> Callable[..., Any]:
    p.add_argument("services", nargs="+", metavar="SERVICE")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        engine, out = engine_for(None), []
        for c in projects.containers(engine, _name(g, ctx), all=True, services=a.services):
            out.append(f"{engine.container_wait(c['Id'])['StatusCode']}\n")
        return Formatted("".join(out))

    return run


@_subcommand("events", "The project's container events as they happen (--json: a line each).")
def _events(p: Parser) -> Callable[..., Any]:
    p.switch("--json", help="each event as a JSON object")
    p.add_argument("--since", help="from this time")
    p.add_argument("--until", help="up to this time (else: until Ctrl-C)")
    p.add_argument("services", nargs="*", metavar="SERVICE")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        from ...helpers.timeparse import to_timestamp

        filters = {"type": ["container"], **projects.of(_name(g, ctx))}
        stream = engine_for(None).system_events(
            since=to_timestamp(a.since), until=to_timestamp(a.until), filters=filters
        )
        with stream:
            try:
                for event in stream:
                    attributes = (event.get("Actor") or {}).get("Attributes") or {}
                    service = attributes.get(projects.SERVICE, "")
                    if a.services and service not in a.services:
                        continue
                    _live_event(event, service, attributes, a.json)
            except KeyboardInterrupt:
                return None  # as compose: Ctrl-C is how events ends
        return None

    return run


def _live_event(
    event: dict[str, Any], service: str, attributes: dict[str, str], as_json: bool
) -> None:
    import datetime

    when = datetime.datetime.fromtimestamp(event.get("timeNano", 0) / 1e9, datetime.timezone.utc)
    shown = {k: v for k, v in attributes.items() if not k.startswith("com.docker.compose.")}
    cid = (event.get("Actor") or {}).get("ID", "")
    if as_json:
        line = json.dumps(
            {"time": when.isoformat(), "type": "container", "action": event.get("Action"),
             "id": cid, "service": service, "attributes": shown}
        )  # fmt: skip
    else:
        described = ", ".join(f"{k}={v}" for k, v in sorted(shown.items()))
        line = f"{when.isoformat()} container {event.get('Action')} {cid} ({described})"
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


@_subcommand("port", "The host address a service's container port is published on.")
def _port(p: Parser) -> Callable[..., Any]:
    p.add_argument("--protocol", default="tcp")
    p.add_argument("--index", type=int, default=1)
    p.add_argument("service", metavar="SERVICE")
    p.add_argument("private_port", metavar="PRIVATE_PORT")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        engine = engine_for(None)
        cid = projects.container_of(engine, _name(g, ctx), a.service, a.index)
        ports = engine.container_inspect(cid)["NetworkSettings"].get("Ports") or {}
        bindings = ports.get(f"{a.private_port}/{a.protocol}") or []
        if not bindings:
            raise CommandError(f"no port {a.private_port}/{a.protocol} published for {a.service}")
        first = bindings[0]
        return Formatted(f"{first.get('HostIp') or '0.0.0.0'}:{first['HostPort']}\n")

    return run
