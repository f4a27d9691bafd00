"""%docker compose's own grammar: the global flags before the command (-f, -p, --profile,
--env-file, --project-directory), the command table, and the project they name."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

from ....compose import project as projects
from ....compose.dryrun import PREFIX, DryRunEngine
from ....compose.model import DEFAULT_FILES, Project, load
from ....engine import Engine
from ....helpers.engines.session import engine_for
from ....render.formats import Formatted
from ...argv import CommandError, Parser
from ..registry import Context, Handler, command

SUBCOMMANDS: dict[
    str, tuple[Parser, Callable[[argparse.Namespace, argparse.Namespace, Context], Any]]
] = {}


def subcommand(
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
    p.switch("--dry-run", help="show what the command would do, and change nothing")
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
        with dry_running(a.dry_run):
            return run(a, parser.parse(a.args), ctx)

    return handle


_dry_run = False  # the command under way has --dry-run: what it says is what it would do


@contextlib.contextmanager
def dry_running(on: bool) -> Iterator[None]:
    """While a command runs with --dry-run (or %%docker_compose --check): its lines say so."""
    global _dry_run
    _dry_run = on
    try:
        yield
    finally:
        _dry_run = False


def acting_engine(dry_run: bool) -> Engine:
    """The engine a command acts on: with a dry run, one that changes nothing."""
    engine = engine_for(None)
    return cast(Engine, DryRunEngine(engine)) if dry_run else engine


def engine_of(g: argparse.Namespace) -> Engine:
    """The engine the command the global flags ``g`` begin acts on (--dry-run)."""
    return acting_engine(g.dry_run)


# The Compose file each project was last given in a cell (%%docker compose -p NAME ...), so that
# the lines after it (run, exec, config, ...) need not repeat it; a file on disk comes first.
_CELLS: dict[str, str] = {}


def project_of(g: argparse.Namespace, ctx: Context) -> Project:
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


def project_name(g: argparse.Namespace, ctx: Context) -> str:
    """The project's name: -p, or the project's own (which needs its file)."""
    return g.project_name or project_of(g, ctx).name


def project_if_any(g: argparse.Namespace, ctx: Context) -> Project | None:
    """The project's file, if one is to be had (``down`` and ``stop`` work from labels alone;
    with the file they also run its pre_stop hooks)."""
    from ....errors import OptionError

    try:
        return project_of(g, ctx)
    except OptionError:
        if g.project_name:
            return None
        raise


def lines(outcome: projects.Outcome) -> Formatted:
    return Formatted.lines(f" {line}" for line in outcome.lines)


def live(line: str) -> None:
    """An up/down line as it happens (compose prints them so, a space before each)."""
    sys.stdout.write(f" {PREFIX if _dry_run else ''}{line}\n")
    sys.stdout.flush()


def reporting() -> projects.Outcome:
    return projects.Outcome(report=live)
