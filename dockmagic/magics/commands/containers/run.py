"""%docker run, create and exec (and the %%docker cell forms of run and exec: the cell is stdin).

Their flags come from the option table (``dockmagic.options``), so the magic, the helpers and the
modules mean the same thing by each one.
"""

from __future__ import annotations

import argparse
import shlex
from typing import Any

from IPython import get_ipython

from .... import helpers
from ....helpers.containers.terminal import terminal_available
from ....settings import settings
from ... import bang
from ...argv import CommandError, Parser, add_container_options, container_options, seconds
from ..registry import Context, Handler, command


def _command(a: argparse.Namespace, ctx: Context) -> list[str] | None:
    """The command given, else ``sh`` when a cell is the script (%%docker run/exec)."""
    return a.command or (["sh"] if ctx.cell is not None else None)


def _image_and_command(p: Parser) -> None:
    p.add_argument("image")
    p.add_argument("command", nargs=argparse.REMAINDER)


def _with_run_defaults(options: dict[str, Any]) -> dict[str, Any]:
    """``run_labels`` first, so a -l of the same key wins as with the CLI (``labels`` are the ones
    that cannot be replaced); ``run_network`` when no --network is given."""
    if settings.run_labels:
        options["labels"] = [
            *(f"{k}={v}" for k, v in settings.run_labels.items()),
            *(options.get("labels") or []),
        ]
    if settings.run_network and not options.get("network"):
        options["network"] = settings.run_network
    return options


def _on_terminal(a: argparse.Namespace, ctx: Context) -> bool:
    """-i with no cell, in a terminal IPython: the session is the user's terminal, as the CLI's."""
    return bool(a.interactive) and ctx.cell is None and not a.detach and terminal_available()


@command(
    "run|container run",
    "Run a command in a new container; with %%docker run, the cell is its stdin.",
    cell=True,
)
def _run(p: Parser) -> Handler:
    chosen = add_container_options(p, "run")
    p.add_argument(
        "--timeout", type=seconds, help="dockmagic: stop the container after this many seconds"
    )
    p.add_argument("--check", action="store_true", help="dockmagic: a non-zero exit is an error")
    p.add_argument("--no-output", action="store_true", help="dockmagic: do not show output live")
    p.add_argument(
        "--stats", action="store_true", help="dockmagic: record resource usage and plot it"
    )
    p.unsupported("--use-api-socket")
    _image_and_command(p)

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        options = _with_run_defaults(container_options(a, chosen))
        options["remove"] = a.remove or (settings.run_remove and not a.detach)
        return helpers.run(
            a.image,
            _command(a, ctx),
            stdin=ctx.cell,
            terminal=_on_terminal(a, ctx),
            timeout=a.timeout,
            check=a.check,
            quiet=a.no_output,
            stats=a.stats,
            **options,
        )

    return handle


@command("create|container create", "Create a new container (not started); prints its ID.")
def _create(p: Parser) -> Handler:
    chosen = add_container_options(p, "create")
    p.unsupported("--use-api-socket")
    _image_and_command(p)

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        cid = helpers.create(
            a.image, a.command or None, **_with_run_defaults(container_options(a, chosen))
        )
        print(cid)
        return None

    return handle


@command(
    "exec|container exec",
    "Run a command in a running container; with %%docker exec, the cell is its stdin.",
    cell=True,
)
def _exec(p: Parser) -> Handler:
    p.switch("-d", "--detach", help="run the command in the background")
    p.switch("-i", "--interactive", help="keep stdin open (the cell, for %%%%docker exec)")
    p.switch("-t", "--tty", help="allocate a pseudo-TTY")
    p.add_argument("-e", "--env", action="append", metavar="VAR[=VALUE]")
    p.add_argument("--env-file", action="append", metavar="FILE")
    p.add_argument("-u", "--user")
    p.add_argument("-w", "--workdir")
    p.switch("--privileged")
    p.add_argument(
        "--detach-keys", help="keys that detach a terminal session (default ctrl-p,ctrl-q)"
    )
    p.add_argument("--check", action="store_true", help="dockmagic: a non-zero exit is an error")
    p.add_argument("-q", "--quiet", action="store_true", help="dockmagic: do not show output live")
    p.add_argument("container")
    p.add_argument("command", nargs=argparse.REMAINDER)

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        command = _command(a, ctx)
        if not command:
            raise CommandError(
                "%docker exec: give a command (or use %%docker exec, whose cell is a script)"
            )
        return helpers.exec_(
            a.container,
            command,
            stdin=ctx.cell,
            interactive=bool(a.interactive),
            user=a.user,
            workdir=a.workdir,
            env=a.env,
            env_file=a.env_file,
            tty=a.tty,
            privileged=a.privileged,
            detach=a.detach,
            check=a.check,
            quiet=a.quiet,
            terminal=_on_terminal(a, ctx),
            detach_keys=a.detach_keys,
        )

    return handle


@command(
    "shell",
    "dockmagic: one long-lived container for %%docker sh cells: adopt a running one, or start IMAGE.",
)
def _shell(p: Parser) -> Handler:
    chosen = add_container_options(p, "run")
    p.add_argument(
        "--stop", action="store_true", help="remove the shell's container (if started here)"
    )
    p.add_argument(
        "--bang", action="store_true", help="!cmd and x = !cmd lines run in the shell too"
    )
    p.add_argument("--no-bang", action="store_true", help="!cmd lines run on this machine again")
    p.add_argument("target", nargs="?", metavar="IMAGE_OR_CONTAINER")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        if a.stop or a.no_bang:
            bang.unroute()
        if a.stop:
            helpers.shell_close()
            print("the shell is closed; !cmd runs on this machine")
            return None
        options = _with_run_defaults(container_options(a, chosen))
        current = helpers.shell(a.target, **options) if a.target else helpers.shell()
        ip = get_ipython()
        if a.bang and ip is not None:
            bang.route(ip)
        how = "started" if current.owned else "adopted"
        where = "they and !cmd lines" if ip is not None and bang.routed(ip) else "they"
        print(
            f"shell: {current.container} ({how}); %%docker sh cells run in it, {where} keep folder and exports"
        )
        return None

    return handle


@command(
    "sh", "dockmagic: run the cell (or the line) in the notebook's shell container.", cell=True
)
def _sh(p: Parser) -> Handler:
    p.add_argument("--check", action="store_true", help="a non-zero exit is an error")
    p.add_argument("-q", "--quiet", action="store_true", help="do not show output live")
    p.add_argument("command", nargs=argparse.REMAINDER)

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        script = ctx.cell if ctx.cell is not None else shlex.join(a.command)
        if not script.strip():
            raise CommandError(
                "%docker sh: give a command (or use %%docker sh, whose cell is the script)"
            )
        return helpers.shell().run(script, quiet=a.quiet, check=a.check)

    return handle
