"""compose config, ps, ls, version, logs, top, images, events, port: what a project is."""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
from collections.abc import Callable
from typing import Any

from ....compose import project as projects
from ....compose.labels import name_of, regular
from ....compose.model import COMPOSE_NAME, printed
from ....render.formats import Formatted, format_rows
from ....render.table import Column, Table
from ...argv import CommandError, Parser
from ..registry import Context
from .grammar import engine_of, project_name, project_of, subcommand


@subcommand("config", "The project as compose normalises it (YAML, or --format json).")
def _config(p: Parser) -> Callable[..., Any]:
    p.add_argument("--format", choices=("yaml", "json"), default="yaml")
    p.add_argument("--services", action="store_true", help="only the services' names")
    p.switch("--volumes", help="only the volumes' names")
    p.switch("--networks", help="only the networks' names")
    p.switch("--images", help="only the services' images")
    p.switch("--profiles", help="only the profiles the services name")
    p.add_argument("-q", "--quiet", action="store_true", help="only check the file")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        from ....compose.convert import image_of

        project = project_of(g, ctx)
        if a.quiet:
            return None
        listed = {
            "services": lambda: list(project.services),
            "volumes": lambda: list(project.model.get("volumes") or {}),
            "networks": lambda: list(project.model.get("networks") or {}),
            "images": lambda: [image_of(project, s) for s in project.services],
            "profiles": lambda: sorted(_profiles(g, ctx)),
        }
        for flag, names in listed.items():
            if getattr(a, flag):
                return Formatted.lines(names())
        model = printed(project.model)
        if a.format == "json":
            return Formatted(json.dumps(model, indent=2, ensure_ascii=False) + "\n")
        import yaml

        return Formatted(yaml.safe_dump(model, sort_keys=False, allow_unicode=True))

    return run


def _profiles(g: argparse.Namespace, ctx: Context) -> set[str]:
    """Every profile the file's services name (those left out by the active ones included)."""
    everything = argparse.Namespace(**{**vars(g), "profiles": ["*"]})
    found = project_of(everything, ctx).services.values()
    return {p for spec in found for p in spec.get("profiles") or []}


@subcommand("ps", "The project's containers (-a: stopped ones too).")
def _ps(p: Parser) -> Callable[..., Any]:
    p.switch("-a", "--all", help="stopped containers too")
    p.switch("-q", "--quiet", help="only IDs")
    p.switch("--services", help="only the services' names")
    p.add_argument(
        "--status", action="append", help="only containers in this state (running, exited, ...)"
    )
    p.add_argument("--filter", action="append", metavar="status=STATE", help="as --status")
    p.add_argument("--format", default="table", help="table, json, or a Go template")
    p.add_argument("only", nargs="*", metavar="SERVICE")  # (--services is a switch)

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        status = [*(a.status or []), *_filters(a.filter, "status")]
        rows = projects.containers(
            engine_of(g), project_name(g, ctx), all=a.all or bool(status), services=a.only
        )
        rows = [r for r in rows if not status or r["State"] in status]
        if a.quiet:
            return Formatted.lines(r["Id"] for r in rows)
        if a.services:
            return Formatted(
                "".join(f"{s}\n" for s in sorted({r["Labels"][projects.SERVICE] for r in rows}))
            )
        if a.format == "json":  # as compose 2.21 and later: an object a line
            return Formatted(
                "".join(json.dumps(_ps_json(r), separators=(",", ":")) + "\n" for r in rows)
            )
        if a.format != "table":  # a template sees the fields of the JSON
            return format_rows(a.format, rows, lambda row, trunc: _ps_json(row))
        return _ps_table(rows)

    return run


_CLI_FIELDS = (
    "Command", "CreatedAt", "ID", "Image", "Labels", "LocalVolumes", "Mounts", "Names",
    "Networks", "Ports", "RunningFor", "Size", "State", "Status",
)  # fmt: skip


def _filters(given: list[str] | None, accepted: str) -> list[str]:
    """The values of ``--filter KEY=VALUE`` (compose accepts one key per command)."""
    values = []
    for item in given or []:
        key, sep, value = item.partition("=")
        if not sep or key != accepted:
            raise CommandError(f"invalid filter {key!r} (only {accepted}=...)")
        values.append(value)
    return values


def _ps_json(row: dict[str, Any]) -> dict[str, Any]:
    """A container as ``docker compose ps --format json`` writes it: the CLI's ps fields, shown
    as the CLI shows them, and compose's own (name, project, service, exit code, health, the
    published ports as records)."""
    import re

    from ....render.formats import CONTAINER_FIELDS

    out = {k: CONTAINER_FIELDS[k].truncated(CONTAINER_FIELDS[k].value(row)) for k in _CLI_FIELDS}
    labels = row.get("Labels") or {}
    exited = re.match(r"Exited \((\d+)\)", str(row.get("Status") or ""))
    out.update(
        ExitCode=int(exited.group(1)) if exited else 0,
        Health=CONTAINER_FIELDS["HealthStatus"].value(row) or "",
        Name=name_of(row),
        Project=labels.get(projects.PROJECT, ""),
        Service=labels.get(projects.SERVICE, ""),
        Publishers=[
            {
                "URL": p.get("IP", ""),
                "TargetPort": p.get("PrivatePort", 0),
                "PublishedPort": p.get("PublicPort", 0),
                "Protocol": p.get("Type", "tcp"),
            }
            for p in row.get("Ports") or []
        ],
    )
    return dict(sorted(out.items()))


def _ps_table(rows: list[dict[str, Any]]) -> Table:
    from ....render.formats import CONTAINER_FIELDS
    from ....render.units import ago, ports

    command = CONTAINER_FIELDS["Command"]
    return Table(
        rows,
        [
            Column("NAME", name_of),
            Column.key("IMAGE", "Image"),
            Column("COMMAND", command.value, command.truncated),
            Column("SERVICE", lambda r: r["Labels"].get(projects.SERVICE, "")),
            Column.key("CREATED", "Created", ago),
            Column.key("STATUS", "Status"),
            Column.key("PORTS", "Ports", ports),
        ],
        title="compose ps",
    )


@subcommand("ls", "The projects on the engine, running ones (-a: all).")
def _ls(p: Parser) -> Callable[..., Any]:
    p.switch("-a", "--all", help="stopped projects too")
    p.switch("-q", "--quiet", help="only names")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--filter", action="append", metavar="name=PATTERN", help="only these projects")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        names = _filters(a.filter, "name")
        rows = [
            r
            for r in projects.projects(engine_of(g))
            if (a.all or "running" in r["Status"])
            and (not names or any(re.search(n, r["Name"]) for n in names))
        ]
        if a.quiet:
            return Formatted.lines(r["Name"] for r in rows)
        if a.format == "json":
            return Formatted(json.dumps(rows, separators=(",", ":")) + "\n")
        columns = [
            Column.key("NAME", "Name"),
            Column.key("STATUS", "Status"),
            Column.key("CONFIG FILES", "ConfigFiles"),
        ]
        return Table(rows, columns, title="compose projects")

    return run


@subcommand("version", "The compose behaviour dockmagic follows.")
def _version(p: Parser) -> Callable[..., Any]:
    p.switch("--short")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        if a.short:
            return Formatted(f"{projects.COMPOSE_VERSION}\n")
        return Formatted(f"{COMPOSE_NAME} version v{projects.COMPOSE_VERSION} (dockmagic)\n")

    return run


@subcommand("logs", "The output of the project's containers (or those of SERVICEs), prefixed.")
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
        from ....compose.logs import Prefixer, follow, lines_of, short_name
        from ....helpers.timeparse import to_timestamp

        engine = engine_of(g)
        found = [
            c
            for c in regular(
                projects.containers(engine, project_name(g, ctx), all=True, services=a.services)
            )
            if a.index is None or c["Labels"].get(projects.NUMBER) == str(a.index)
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
        return Formatted.lines(out)

    return run


@subcommand("top", "The processes running in the project's containers (or those of SERVICEs).")
def _top(p: Parser) -> Callable[..., Any]:
    p.add_argument("services", nargs="*", metavar="SERVICE")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        engine, out = engine_of(g), []
        for c in projects.containers(engine, project_name(g, ctx), services=a.services):
            top = engine.container_top(c["Id"])
            out += [name_of(c), *_aligned(top), ""]
        return Formatted.lines(out)

    return run


def _aligned(top: dict[str, Any]) -> list[str]:
    """A top answer as compose prints it: the titles, then a line per process, in columns."""
    rows = [list(top.get("Titles") or []), *(top.get("Processes") or [])]
    widths = [max(len(str(r[i])) for r in rows if i < len(r)) for i in range(len(rows[0]))]
    return [
        "   ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=False)).rstrip() for r in rows
    ]


@subcommand("images", "The images the project's containers use.")
def _images(p: Parser) -> Callable[..., Any]:
    p.switch("-q", "--quiet", help="only IDs")
    p.add_argument("services", nargs="*", metavar="SERVICE")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        from ....render.units import human_size

        engine = engine_of(g)
        rows = []
        for c in projects.containers(engine, project_name(g, ctx), all=True, services=a.services):
            image = engine.image_inspect(c["ImageID"])
            repository, _, tag = str(c["Image"]).rpartition(":")
            if not repository or "/" in tag:
                repository, tag = str(c["Image"]), "latest"
            rows.append(
                {
                    "Container": name_of(c),
                    "Repository": repository,
                    "Tag": tag,
                    "ID": str(image["Id"]).split(":")[-1][:12],
                    "Size": image.get("Size") or 0,
                }
            )
        if a.quiet:
            return Formatted.lines(dict.fromkeys(r["ID"] for r in rows))
        columns = [
            Column.key("CONTAINER", "Container"),
            Column.key("REPOSITORY", "Repository"),
            Column.key("TAG", "Tag"),
            Column.key("IMAGE ID", "ID"),
            Column.key("SIZE", "Size", human_size),
        ]
        return Table(rows, columns, title="compose images")

    return run


@subcommand("events", "The project's container events as they happen (--json: a line each).")
def _events(p: Parser) -> Callable[..., Any]:
    p.switch("--json", help="each event as a JSON object")
    p.add_argument("--since", help="from this time")
    p.add_argument("--until", help="up to this time (else: until Ctrl-C)")
    p.add_argument("services", nargs="*", metavar="SERVICE")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        from ....helpers.timeparse import to_timestamp

        filters = {"type": ["container"], **projects.of(project_name(g, ctx))}
        stream = engine_of(g).system_events(
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


@subcommand("port", "The host address a service's container port is published on.")
def _port(p: Parser) -> Callable[..., Any]:
    p.add_argument("--protocol", default="tcp")
    p.add_argument("--index", type=int, default=1)
    p.add_argument("service", metavar="SERVICE")
    p.add_argument("private_port", metavar="PRIVATE_PORT")

    def run(g: argparse.Namespace, a: argparse.Namespace, ctx: Context) -> Any:
        engine = engine_of(g)
        cid = projects.container_of(engine, project_name(g, ctx), a.service, a.index)
        ports = engine.container_inspect(cid)["NetworkSettings"].get("Ports") or {}
        bindings = ports.get(f"{a.private_port}/{a.protocol}") or []
        if not bindings:
            raise CommandError(f"no port {a.private_port}/{a.protocol} published for {a.service}")
        first = bindings[0]
        return Formatted(f"{first.get('HostIp') or '0.0.0.0'}:{first['HostPort']}\n")

    return run
