"""The table of %docker subcommands: a name (and aliases), a parser, and a function."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..argv import CommandError, Parser

Handler = Callable[[argparse.Namespace, "Context"], Any]


@dataclass
class Context:
    """What a subcommand gets besides its arguments."""

    cell: str | None = None  # the cell body for %%docker, else None


@dataclass
class Command:
    name: str
    parser: Parser
    handler: Handler
    takes_cell: bool = False

    def __call__(self, argv: list[str], ctx: Context) -> Any:
        if ctx.cell is not None and not self.takes_cell:
            raise CommandError(f"%%docker {self.name} takes no cell; use %docker {self.name}")
        return self.handler(self.parser.parse(argv), ctx)


COMMANDS: dict[str, Command] = {}


def command(
    names: str, description: str, *, cell: bool = False
) -> Callable[[Callable[[Parser], Handler]], None]:
    """Register a subcommand: ``names`` lists aliases separated by "|", each one or two words
    (``"ps|container ls|container ps"``). The decorated function adds arguments and returns the
    handler."""

    def register(build: Callable[[Parser], Handler]) -> None:
        aliases = names.split("|")
        parser = Parser(aliases[0], description)
        cmd = Command(aliases[0], parser, build(parser), cell)
        for alias in aliases:
            COMMANDS[alias] = cmd

    return register


def subcommands() -> list[str]:
    """The first words of the commands (``run``, ``container``, ...), sorted."""
    return sorted({name.split()[0] for name in COMMANDS})


def find(argv: list[str]) -> tuple[Command, list[str]]:
    """The command named by the first one or two words, and the rest of the line."""
    if not argv:
        raise CommandError("usage: %docker SUBCOMMAND [ARGS...]; see %docker? for the list")
    two = " ".join(argv[:2])
    if two in COMMANDS:
        return COMMANDS[two], argv[2:]
    if argv[0] in COMMANDS:
        return COMMANDS[argv[0]], argv[1:]
    import difflib

    close = difflib.get_close_matches(argv[0], subcommands(), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise CommandError(
        f"unknown subcommand: {' '.join(argv[:2])} ({hint}see %docker? for the list)"
    )
