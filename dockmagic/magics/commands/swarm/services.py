"""%docker service create, ls, ps, logs, inspect, scale, update, rollback, rm, and stats (the tasks'
usage gathered from their nodes' engines).

create's and update's flags come from the service option table (``dockmagic.options.service``),
whose container options share the container table's parsing: ``--env``, ``--mount``,
``--health-cmd`` mean in a service what they mean in ``%docker run``.
"""

from __future__ import annotations

import argparse
from typing import Any

from .... import helpers
from ....options.swarm.service import SERVICE_OPTIONS, ServiceOption
from ....render.formats import Formatted
from ...argv import CommandError, Parser, add_format, filters
from ..registry import Context, Handler, command
from ..showing import column_fields, formatted, listing, swarm_listed, swarm_listing_flags
from .cluster import inspecting

# set when the service is made, never changed by update (as the CLI's update has no such flags)
_CREATE_ONLY = {"name", "mode", "env_file"}
# list options whose update flags are their own, adding (--cap-add, --cap-drop) or replacing (--log-opt)
_UPDATE_AS_IS = {"cap_add", "cap_drop", "log_opt"}


def _add_option(
    p: Parser, option: ServiceOption, flags: tuple[str, ...], dest: str, kind: str
) -> None:
    if kind == "switch":  # unset is None: update tells --tty=false (turn off) from no --tty
        p.switch(*flags, dest=dest, help=option.help, default=None)
    else:
        action = "append" if kind == "list" else "store"
        p.add_argument(
            *flags, dest=dest, action=action, metavar=option.metavar or "VALUE", help=option.help
        )


def _create_flags(p: Parser) -> None:
    for option in SERVICE_OPTIONS:
        _add_option(p, option, option.flags, option.name, option.kind)


def _update_flags(p: Parser) -> None:
    """Scalar options as they are; a list option ``--env`` as ``--env-add`` and ``--env-rm``."""
    for option in SERVICE_OPTIONS:
        if option.name in _CREATE_ONLY:
            continue
        if option.kind != "list" or option.name in _UPDATE_AS_IS:
            _add_option(p, option, option.flags, option.name, option.kind)
            continue
        long = next(f for f in option.flags if f.startswith("--"))
        _add_option(p, option, (f"{long}-add",), f"add_{option.name}", "list")
        p.add_argument(
            f"{long}-rm",
            dest=f"rm_{option.name}",
            action="append",
            metavar="KEY",
            help=f"remove: {option.help}",
        )


def _given(a: argparse.Namespace, prefix: str = "") -> dict[str, Any]:
    """The options on the line; a switch written off (``--tty=false``) is there as False."""
    return {
        o.name: getattr(a, prefix + o.name)
        for o in SERVICE_OPTIONS
        if getattr(a, prefix + o.name, None) is not None
    }


def _wait_flags(p: Parser, spec: bool = False) -> None:
    """-d and -q; for create and update (``spec``) also the CLI's flags about images."""
    p.switch("-d", "--detach", help="return at once, without waiting for the tasks to run")
    p.switch("-q", "--quiet", help="no progress")
    if spec:
        p.switch("--with-registry-auth", help="accepted: this engine's own credentials are used")
        p.switch("--no-resolve-image", help="accepted: dockmagic never pins images to a digest")


@command(
    "service create", "Create a swarm service and wait for its tasks to run (-d: return at once)."
)
def _create(p: Parser) -> Handler:
    _create_flags(p)
    _wait_flags(p, spec=True)
    p.unsupported("--credential-spec")
    p.add_argument("image")
    p.add_argument("command", nargs=argparse.REMAINDER)

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        sid = helpers.service_create(
            a.image, a.command or None, detach=a.detach, quiet=a.quiet, **_given(a)
        )
        return Formatted(sid + "\n")

    return handle


@command("service update", "Change a service; its tasks are replaced as its update policy says.")
def _update(p: Parser) -> Handler:
    _update_flags(p)
    _wait_flags(p, spec=True)
    p.add_argument("--image", help="a new image")
    p.add_argument(
        "--args", help="the command's new arguments (one string, split as a shell would)"
    )
    p.switch("--force", help="replace the tasks even when nothing changed")
    p.switch("--rollback", help="back to the previous spec (as service rollback)")
    p.unsupported("--credential-spec")
    p.add_argument("service")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        if a.rollback:
            return Formatted(
                helpers.service_rollback(a.service, detach=a.detach, quiet=a.quiet) + "\n"
            )
        add = _given(a, "add_")
        remove = {
            o.name: getattr(a, f"rm_{o.name}")
            for o in SERVICE_OPTIONS
            if getattr(a, f"rm_{o.name}", None)
        }
        name = helpers.service_update(
            a.service,
            image=a.image,
            args=a.args,
            force=a.force,
            add=add,
            remove=remove,
            detach=a.detach,
            quiet=a.quiet,
            **_given(a),
        )
        return Formatted(name + "\n")

    return handle


@command("service rollback", "Back to a service's spec before its last update.")
def _rollback(p: Parser) -> Handler:
    _wait_flags(p)
    p.add_argument("service")
    return lambda a, ctx: Formatted(
        helpers.service_rollback(a.service, detach=a.detach, quiet=a.quiet) + "\n"
    )


@command("service scale", "Set the number of tasks of replicated services: web=6 api=2.")
def _scale(p: Parser) -> Handler:
    p.switch("-d", "--detach", help="return at once, without waiting for the tasks")
    p.add_argument("scales", nargs="+", metavar="SERVICE=REPLICAS")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        wanted: dict[str, int] = {}
        for item in a.scales:
            name, sep, count = item.partition("=")
            if not sep or not name or not count.isdigit():
                raise CommandError(
                    f"invalid scale specifier {item!r}: write SERVICE=REPLICAS, e.g. web=6"
                )
            wanted[name] = int(count)
        return helpers.service_scale(wanted, detach=a.detach)

    return handle


@command("service ls|service list|services", "The swarm's services: REPLICAS is running/desired.")
def _ls(p: Parser) -> Handler:
    swarm_listing_flags(p)
    return lambda a, ctx: swarm_listed(a, helpers.services(filters=filters(a)))


@command("service ps", "The tasks of services, each with its node and state (older ones as \\_).")
def _ps(p: Parser) -> Handler:
    swarm_listing_flags(p, tasks=True)
    p.add_argument("services", nargs="+", metavar="SERVICE")
    return lambda a, ctx: swarm_listed(a, helpers.service_ps(*a.services, filters=filters(a)))


@command("service logs", "Every task's output, prefixed by task and node; -f follows until Ctrl-C.")
def _logs(p: Parser) -> Handler:
    p.switch("-f", "--follow")
    p.add_argument("-n", "--tail", metavar="N", help="the last N lines of each task (or all)")
    p.add_argument("--since", help="a timestamp or a length of time (10m)")
    p.switch("-t", "--timestamps")
    p.switch("--no-task-ids", help="tasks by service and slot only")
    p.switch("--no-trunc", help="whole task ids")
    p.switch("--raw", help="no prefix: the lines as the tasks wrote them")
    p.switch("--details", help="also the extra attributes given to the log driver")
    p.switch("--no-resolve", help="accepted: nodes are shown by host name")
    p.add_argument("service")
    return lambda a, ctx: helpers.service_logs(
        a.service,
        follow=a.follow,
        tail=a.tail,
        since=a.since,
        timestamps=a.timestamps,
        task_ids=not a.no_task_ids,
        no_trunc=a.no_trunc,
        raw=a.raw,
        details=a.details,
    )


command("service inspect", "Details of services, as trees.")(
    inspecting("SERVICE", helpers.service_inspect)
)


@command("service rm|service remove", "Remove services (their tasks stop).")
def _rm(p: Parser) -> Handler:
    p.add_argument("services", nargs="+", metavar="SERVICE")
    return lambda a, ctx: listing(helpers.service_rm(*a.services))


@command(
    "service stats",
    "dockmagic: a stats snapshot of a service's tasks, each read from its node's engine "
    "(this one and --engines a,b: hosts or contexts).",
)
def _stats(p: Parser) -> Handler:
    p.add_argument(
        "--engines", metavar="A,B", help="the engines of other nodes (URLs or context names)"
    )
    add_format(p)
    p.add_argument("service")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        table = helpers.service_stats(a.service, engines=a.engines)
        return formatted(table, a.format, column_fields(table))

    return handle
