"""Parsing a %docker line with the docker CLI's grammar: argparse that reports one-line errors,
docker's repeated ``KEY=VALUE`` flags, and a clear refusal of CLI flags dockmagic lacks."""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Sequence
from typing import Any, NoReturn

from ..errors import CommandError
from ..helpers.engines.labels import SESSION, mine
from ..options import OPTIONS, Option
from ..options.resources import ResourceOption


def int64(text: str) -> int:
    """An integer flag as the docker CLI reads one (Go's int): a 400-digit one is an error."""
    value = int(text)
    if not -(2**63) <= value < 2**63:
        raise ValueError(text)
    return value


int64.__name__ = "int"  # argparse names the type in its message: "invalid int value: '9999...'"


def seconds(text: str) -> float:
    """A length of time in seconds: finite and not negative ('inf' and 'nan' are errors)."""
    value = float(text)
    if not 0 <= value < 1e9:
        raise ValueError(text)
    return value


class HelpShown(Exception):
    """--help printed the usage; nothing to run."""


class Parser(argparse.ArgumentParser):
    def __init__(self, command: str, description: str = "", **kwargs: Any) -> None:
        super().__init__(
            prog=f"%docker {command}",
            description=description,
            add_help=False,
            allow_abbrev=False,
            **kwargs,
        )
        self.command = command
        self.visible_flags: list[str] = []  # what completion offers: the flags --help lists
        self.add_argument("--help", action=_Help, nargs=0, help="show this help")

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        action = super().add_argument(*args, **kwargs)
        if kwargs.get("help") is not argparse.SUPPRESS:
            self.visible_flags += action.option_strings
        return action

    def format_usage(self) -> str:
        return f"usage: {self._short_usage()}\n"

    def format_help(self) -> str:
        """The CLI's shape: one usage line (``[OPTIONS]`` for the flags, listed below it)."""
        full = super().format_help()
        _, _, rest = full.partition("\n\n")  # argparse's usage block lists every flag
        return f"usage: {self._short_usage()}\n\n{rest}"

    def _short_usage(self) -> str:
        words = [self.prog]
        if any(a.option_strings and a.help is not argparse.SUPPRESS for a in self._actions):
            words.append("[OPTIONS]")
        for action in self._actions:
            if action.option_strings or action.help is argparse.SUPPRESS:
                continue
            name = str(action.metavar or action.dest.upper())
            if action.nargs == argparse.REMAINDER:  # a command and its arguments
                words.append(f"[{name}] [ARG...]")
            else:
                words.append(self._get_formatter()._format_args(action, name))
        return " ".join(words)

    def error(self, message: str) -> NoReturn:
        if message.startswith("unrecognized arguments: "):
            words = message.removeprefix("unrecognized arguments: ").split()
            flag = words[0] if words else "''"  # an empty word ('') has no text of its own
            if flag.startswith("-"):
                raise CommandError(f"unknown flag: {flag} (see %docker {self.command} --help)")
            message = f"unexpected argument: {flag}"
        raise CommandError(f"%docker {self.command}: {message}")

    def unsupported(self, *flags: str) -> None:
        """Flags the docker CLI has that dockmagic does not yet: refused by name, never ignored."""
        for flag in flags:
            self.add_argument(flag, action=_Unsupported, nargs="?", help=argparse.SUPPRESS)

    def switch(
        self,
        *flags: str,
        dest: str | None = None,
        help: str | None = None,
        default: bool | None = False,
    ) -> None:
        """A boolean flag that also takes the CLI's ``--flag=true`` / ``--flag=false`` (and ``-H=false``)."""
        action = self.add_argument(
            *flags, dest=dest, action="store_true", default=default, help=help
        )
        spelled = [f"{flag}={word}" for flag in flags for word in ("true", "false")]
        for spelling in spelled:  # argparse matches a whole "--rm=false" before splitting at "="
            value = spelling.endswith("=true")
            self.add_argument(
                spelling,
                dest=action.dest,
                action="store_const",
                const=value,
                help=argparse.SUPPRESS,
            )

    def _get_values(self, action: argparse.Action, arg_strings: list[str]) -> Any:
        # argparse drops a value of "--" written --flag=-- and stores [] (a list where a string was
        # due); the docker CLI takes "--" as the value
        if action.nargs is None and action.option_strings and arg_strings == ["--"]:
            return self._get_value(action, "--")
        return super()._get_values(action, arg_strings)

    def parse(self, argv: Sequence[str]) -> argparse.Namespace:
        return self.parse_args(list(argv))

    def flags(self) -> list[str]:
        """The flags a user sees in --help (hidden spellings and refused flags left out)."""
        return list(self.visible_flags)


def add_container_options(parser: Parser, command: str) -> list[Option]:
    """The flags of ``docker run``, ``create`` or ``update``, from the one option table."""
    chosen = [
        o
        for o in OPTIONS
        if (o.updatable if command == "update" else not (o.run_only and command == "create"))
    ]
    for o in chosen:
        if o.kind == "switch":
            parser.switch(*o.flags, dest=o.name, help=o.help)
        else:
            action = "append" if o.kind == "list" else "store"
            parser.add_argument(
                *o.flags, dest=o.name, action=action, metavar=o.metavar or "VALUE", help=o.help
            )
    return chosen


def container_options(a: argparse.Namespace, chosen: list[Option]) -> dict[str, Any]:
    """The table options given on the line, by name."""
    return {o.name: getattr(a, o.name) for o in chosen if getattr(a, o.name) not in (None, False)}


class _Help(argparse.Action):
    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        parser.print_help()
        raise HelpShown


class _Unsupported(argparse.Action):
    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: Any,
        values: Any,
        option: str | None = None,
    ) -> None:
        command = getattr(parser, "command", "")
        raise CommandError(f"docker {command} {option} is not supported by dockmagic yet")


def add_format(parser: Parser, short: bool = False) -> None:
    """``--format`` (and ``-f`` where the CLI has it: inspect, info, version)."""
    flags = ("-f", "--format") if short else ("--format",)
    parser.add_argument(
        *flags, dest="format", metavar="TEMPLATE", help="a Go template, json, or table TEMPLATE"
    )


def key_values(items: list[str] | None) -> dict[str, list[str]]:
    """``--filter a=1 --filter a=2 --filter b=3`` -> {"a": ["1", "2"], "b": ["3"]}."""
    out: dict[str, list[str]] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise CommandError(f"expected KEY=VALUE, got {item!r}")
        out.setdefault(key, []).append(value)
    return out


def add_filter(p: Parser, help: str | None = None) -> None:
    """``-f/--filter K=V`` (repeatable) and ``--mine``, read back by :func:`filters`."""
    p.add_argument("-f", "--filter", action="append", metavar="K=V", help=help)
    p.add_argument("--mine", action="store_true", help="only what this session (kernel) made")


def filters(a: argparse.Namespace, key: str = SESSION) -> dict[str, list[str]]:
    """The filters of ``--filter`` and ``--mine`` for the API (``key`` BUILT for images)."""
    out = key_values(a.filter)
    if a.mine:
        out.setdefault("label", []).extend(mine(key)["label"])
    return out


def key_value(items: list[str] | None) -> dict[str, str]:
    """``--build-arg A=1`` -> {"A": "1"} (last one wins)."""
    return {k: v[-1] for k, v in key_values(items).items()}


def add_resource_options(p: Parser, options: Iterable[ResourceOption]) -> None:
    """The flags of network or volume create, from their table (options/resources.py)."""
    for option in options:
        if option.kind == "switch":
            p.switch(*option.flags, dest=option.name, help=option.help)
        elif option.kind == "list":
            metavar = "K=V" if option.default == {} else None
            p.add_argument(
                *option.flags, dest=option.name, action="append", metavar=metavar, help=option.help
            )
        else:
            p.add_argument(*option.flags, dest=option.name, help=option.help)
