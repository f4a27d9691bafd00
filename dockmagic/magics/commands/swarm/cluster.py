"""%docker swarm (init, join, join-token, leave, inspect, update, unlock-key, unlock, ca), node,
secret and config."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from typing import Any

from IPython.core.error import StdinNotImplementedError
from IPython.core.getipython import get_ipython

from .... import helpers
from ....helpers.swarm.settings import SwarmSettings, unlock_instructions
from ....render.formats import Formatted
from ...argv import CommandError, Parser, add_filter, add_format, filters, int64
from ..registry import Context, Handler, command
from ..showing import column_fields, formatted, inspect_each, listing


def _ca_flags(p: Parser) -> None:
    p.add_argument(
        "--cert-expiry", metavar="DURATION", help="how long node certificates last (default 2160h)"
    )
    p.add_argument(
        "--external-ca",
        dest="external_cas",
        action="append",
        metavar="protocol=cfssl,url=URL[,cacert=FILE]",
        help="a signing endpoint",
    )


def _settings_flags(p: Parser) -> None:
    """The swarm-wide settings ``swarm init`` and ``swarm update`` share; those not written are left
    as they are (the engine's defaults on init)."""
    p.switch(
        "--autolock",
        default=None,
        help="managers need the unlock key after a restart (=false: no longer)",
    )
    p.add_argument(
        "--task-history-limit",
        type=int64,
        metavar="N",
        help="ended tasks kept per slot (default 5)",
    )
    p.add_argument(
        "--dispatcher-heartbeat", metavar="DURATION", help="how often nodes check in (default 5s)"
    )
    p.add_argument(
        "--max-snapshots", type=int64, metavar="N", help="Raft snapshots kept besides the latest"
    )
    p.add_argument(
        "--snapshot-interval", type=int64, metavar="N", help="log entries between Raft snapshots"
    )
    _ca_flags(p)


def _settings(a: argparse.Namespace) -> dict[str, Any]:
    return {name: getattr(a, name) for name in SwarmSettings.__annotations__}


def _join_command(role: str, token: str, address: str) -> str:
    command = f"docker swarm join --token {token} {address}"
    return f"To add a {role} to this swarm, run the following command:\n\n    {command}\n"


@command("swarm init", "Make this engine the first manager of a new swarm.")
def _init(p: Parser) -> Handler:
    p.add_argument(
        "--advertise-addr", metavar="ADDR[:PORT]", help="address other nodes reach this one at"
    )
    p.add_argument("--listen-addr", default="0.0.0.0:2377", metavar="ADDR[:PORT]")
    p.add_argument(
        "--data-path-addr", metavar="ADDR", help="address for the data path (overlay traffic)"
    )
    p.add_argument("--data-path-port", type=int64, metavar="PORT")
    p.add_argument(
        "--default-addr-pool",
        action="append",
        metavar="CIDR",
        help="address pools of overlay networks",
    )
    p.add_argument("--default-addr-pool-mask-length", type=int64, metavar="N")
    p.switch("--force-new-cluster", help="a new one-manager cluster from this node's state")
    p.add_argument("--availability", default="active", choices=["active", "pause", "drain"])
    _settings_flags(p)

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        node = helpers.swarm_init(
            advertise_addr=a.advertise_addr,
            listen_addr=a.listen_addr,
            data_path_addr=a.data_path_addr,
            data_path_port=a.data_path_port,
            default_addr_pool=a.default_addr_pool,
            default_addr_pool_mask_length=a.default_addr_pool_mask_length,
            force_new_cluster=a.force_new_cluster,
            availability=a.availability,
            **_settings(a),
        )
        token, address = helpers.swarm_join_token("worker")
        return Formatted(
            f"Swarm initialized: current node ({node}) is now a manager.\n\n"
            + _join_command("worker", token, address)
            + "\nTo add a manager to this swarm, run 'docker swarm join-token manager' and follow the instructions.\n"
            + (unlock_instructions(helpers.swarm_unlock_key()) if a.autolock else "")
        )

    return handle


@command("swarm join", "Join a swarm as a worker or manager (the token says which).")
def _join(p: Parser) -> Handler:
    p.add_argument("--token", required=True)
    p.add_argument("--advertise-addr", metavar="ADDR[:PORT]")
    p.add_argument("--listen-addr", default="0.0.0.0:2377", metavar="ADDR[:PORT]")
    p.add_argument("--data-path-addr", metavar="ADDR")
    p.add_argument("--availability", default="active", choices=["active", "pause", "drain"])
    p.add_argument("remote", metavar="HOST:PORT")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        helpers.swarm_join(
            a.remote,
            token=a.token,
            advertise_addr=a.advertise_addr,
            listen_addr=a.listen_addr,
            data_path_addr=a.data_path_addr,
            availability=a.availability,
        )
        manager = helpers.system_info().get("Swarm", {}).get("ControlAvailable")
        return Formatted(f"This node joined a swarm as a {'manager' if manager else 'worker'}.\n")

    return handle


@command(
    "swarm join-token", "The command that joins another engine to this swarm (-q: the token alone)."
)
def _join_token(p: Parser) -> Handler:
    p.switch("-q", "--quiet", help="only the token")
    p.switch("--rotate", help="replace the token (the old one stops working)")
    p.add_argument("role", choices=["worker", "manager"])

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        token, address = helpers.swarm_join_token(a.role, rotate=a.rotate)
        if a.quiet:
            return Formatted(token + "\n")
        rotated = f"Successfully rotated {a.role} join token.\n\n" if a.rotate else ""
        return Formatted(rotated + _join_command(a.role, token, address))

    return handle


@command("swarm leave", "Leave the swarm (a manager needs --force).")
def _leave(p: Parser) -> Handler:
    p.switch("-f", "--force", help="leave even as a manager (the swarm may lose its quorum)")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        helpers.swarm_leave(force=a.force)
        return Formatted("Node left the swarm.\n")

    return handle


@command("swarm inspect", "The swarm's settings and join tokens, as a tree.")
def _swarm_inspect(p: Parser) -> Handler:
    add_format(p, short=True)
    return lambda a, ctx: inspect_each(["swarm"], a.format, lambda _: helpers.swarm_inspect())


@command("swarm update", "Change swarm-wide settings (the ones written; the others stay).")
def _swarm_update(p: Parser) -> Handler:
    _settings_flags(p)

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        settings = _settings(a)
        if all(value is None for value in settings.values()):
            raise CommandError(
                "%docker swarm update: say what to change (%docker swarm update --help lists it)"
            )
        key = helpers.swarm_update(**settings)
        return Formatted("Swarm updated.\n" + (unlock_instructions(key) if key else ""))

    return handle


@command(
    "swarm unlock-key",
    "The key a manager needs after a restart when autolock is on (--rotate: a new one).",
)
def _unlock_key(p: Parser) -> Handler:
    p.switch("-q", "--quiet", help="only the key")
    p.switch("--rotate", help="replace the key (the old one stops working)")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        key = helpers.swarm_unlock_key(rotate=a.rotate)
        if a.quiet:
            return Formatted(key + "\n")
        rotated = "Successfully rotated manager unlock key.\n\n" if a.rotate else ""
        return Formatted(rotated + unlock_instructions(key))

    return handle


@command(
    "swarm unlock",
    "Unlock a manager that restarted locked: asks for the key (or %%docker swarm unlock, the cell).",
    cell=True,
)
def _unlock(p: Parser) -> Handler:
    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        helpers.swarm_unlock(
            ctx.cell if ctx.cell is not None else lambda: _ask("Enter unlock key: ")
        )

    return handle


def _ask(prompt: str) -> str:
    """A secret typed by the user: IPython's and a notebook's getpass both hide it."""
    try:
        return getpass.getpass(prompt)
    except (
        StdinNotImplementedError,
        EOFError,
        OSError,
    ):  # nbclient, a frontend with no input box, no stdin
        raise CommandError(
            "this kernel cannot ask for the key; give it as the cell of %%docker swarm unlock "
            "or to dockmagic.swarm_unlock(key)"
        ) from None


@command("swarm ca", "The swarm's root CA certificate; --rotate moves every node to a new one.")
def _ca(p: Parser) -> Handler:
    p.switch(
        "--rotate",
        help="a new root CA: the one given by --ca-cert/--ca-key, or one the swarm makes",
    )
    p.add_argument("--ca-cert", metavar="PEM-FILE", help="the new root certificate")
    p.add_argument("--ca-key", metavar="PEM-FILE", help="the new root's key")
    _ca_flags(p)
    p.switch("-d", "--detach", help="do not wait for the nodes to move to the new root")
    p.switch("-q", "--quiet", help="no progress")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        root = helpers.swarm_ca(
            rotate=a.rotate,
            ca_cert=a.ca_cert,
            ca_key=a.ca_key,
            cert_expiry=a.cert_expiry,
            external_cas=a.external_cas,
            detach=a.detach,
            quiet=a.quiet,
        )
        return None if a.rotate and a.detach else Formatted(root.strip() + "\n")

    return handle


# -- nodes -----------------------------------------------------------------------------------------


@command("node ls|node list|nodes", "The swarm's nodes; this engine's own marked with *.")
def _node_ls(p: Parser) -> Handler:
    add_filter(p)
    p.switch("-q", "--quiet", help="only ids")
    p.switch(
        "--resources",
        help="dockmagic: running tasks, CPUs, memory, and what the tasks reserve, per node",
    )
    add_format(p)

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        table = helpers.nodes(filters=filters(a), resources=a.resources)
        if a.quiet:
            return listing([row["ID"] for row in table])
        return formatted(table, a.format, column_fields(table))

    return handle


def inspecting(metavar: str, get: Callable[[str], Any]) -> Callable[[Parser], Handler]:
    """An inspect of swarm objects: each named one as a tree, ``-f`` a template, ``--pretty`` accepted."""

    def build(p: Parser) -> Handler:
        add_format(p, short=True)
        p.switch("--pretty", help="accepted: the tree is the readable form")
        p.add_argument("names", nargs="+", metavar=metavar)
        return lambda a, ctx: inspect_each(a.names, a.format, get)

    return build


command("node inspect", "Details of nodes (self: this engine's), as trees.")(
    inspecting("NODE", helpers.node_inspect)
)


@command("node update", "Change a node's availability, role or labels.")
def _node_update(p: Parser) -> Handler:
    p.add_argument("--availability", choices=["active", "pause", "drain"])
    p.add_argument("--role", choices=["worker", "manager"])
    p.add_argument("--label-add", action="append", metavar="K=V")
    p.add_argument("--label-rm", action="append", metavar="KEY")
    p.add_argument("node")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        helpers.node_update(
            a.node,
            availability=a.availability,
            role=a.role,
            label_add=a.label_add,
            label_rm=a.label_rm,
        )
        return Formatted(a.node + "\n")

    return handle


def _role_change(role: str) -> Any:
    def build(p: Parser) -> Handler:
        p.add_argument("nodes", nargs="+", metavar="NODE")

        def handle(a: argparse.Namespace, ctx: Context) -> Any:
            for node in a.nodes:
                helpers.node_update(node, role=role)
            verb = "promoted to a manager" if role == "manager" else "demoted"
            return Formatted("".join(f"Node {n} {verb} in the swarm.\n" for n in a.nodes))

        return handle

    return build


command("node promote", "Make nodes managers.")(_role_change("manager"))
command("node demote", "Make managers workers.")(_role_change("worker"))


@command("node rm|node remove", "Remove nodes from the swarm (--force: one that is still up).")
def _node_rm(p: Parser) -> Handler:
    p.switch("-f", "--force")
    p.add_argument("nodes", nargs="+", metavar="NODE")
    return lambda a, ctx: listing(helpers.node_rm(*a.nodes, force=a.force))


@command("node ps", "The tasks on nodes (self by default).")
def _node_ps(p: Parser) -> Handler:
    add_filter(p)
    p.add_argument("nodes", nargs="*", metavar="NODE")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        nodes = [str(helpers.node_inspect(n)["ID"]) for n in a.nodes or ["self"]]
        return helpers.service_ps(filters={**filters(a), "node": nodes})

    return handle


# -- secrets and configs ---------------------------------------------------------------------------


def _stored(kind: str) -> None:
    create, listed = getattr(helpers, f"{kind}_create"), getattr(helpers, f"{kind}s")
    remove, inspect = getattr(helpers, f"{kind}_rm"), getattr(helpers, f"{kind}_inspect")

    @command(
        f"{kind} create",
        f"Create a {kind} from a file, '-' (stdin), or with %%docker {kind} create NAME, the cell.",
        cell=True,
    )
    def _create(p: Parser) -> Handler:
        p.add_argument("-l", "--label", action="append", metavar="K=V")
        p.unsupported("-d", "--driver", "--template-driver")
        p.add_argument("name")
        p.add_argument("file", nargs="?", metavar="FILE|-")

        def handle(a: argparse.Namespace, ctx: Context) -> Any:
            if (ctx.cell is None) == (a.file is None):
                raise CommandError(
                    f"%docker {kind} create: give a FILE (or -), or the data as the cell of %%docker {kind} create"
                )
            data = ctx.cell if ctx.cell is not None else (_stdin(kind) if a.file == "-" else None)
            return Formatted(
                create(a.name, data, file=None if data is not None else a.file, labels=a.label)
                + "\n"
            )

        return handle

    @command(
        f"{kind} ls|{kind} list|{kind}s", f"The swarm's {kind}s (names and ages, never their data)."
    )
    def _ls(p: Parser) -> Handler:
        add_filter(p)
        p.switch("-q", "--quiet", help="only ids")
        add_format(p)

        def handle(a: argparse.Namespace, ctx: Context) -> Any:
            table = listed(filters=filters(a))
            if a.quiet:
                return listing([row["ID"] for row in table])
            return formatted(table, a.format, column_fields(table))

        return handle

    @command(f"{kind} rm|{kind} remove", f"Remove {kind}s.")
    def _rm(p: Parser) -> Handler:
        p.add_argument("names", nargs="+", metavar=kind.upper())
        return lambda a, ctx: listing(remove(*a.names))

    @command(f"{kind} inspect", f"Details of {kind}s, as trees.")
    def _inspect(p: Parser) -> Handler:
        add_format(p, short=True)
        p.switch("--pretty", help="accepted: the tree is the readable form")
        p.add_argument("names", nargs="+", metavar=kind.upper())

        return lambda a, ctx: inspect_each(a.names, a.format, inspect)


def _stdin(kind: str) -> bytes:
    """``-``: the data piped to IPython, as the CLI reads its stdin. A notebook kernel's stdin is
    no one's (reading it would wait forever): there the cell is the way."""
    if getattr(get_ipython(), "kernel", None) is None:  # type: ignore[no-untyped-call]
        try:
            return sys.stdin.buffer.read()
        except (OSError, ValueError, AttributeError):  # captured, closed or replaced stdin
            pass
    raise CommandError(
        f"no stdin to read here: give the data as the cell of %%docker {kind} create NAME"
    )


_stored("secret")
_stored("config")
