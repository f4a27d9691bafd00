"""Tab completion for %docker: subcommands, flags, container and image names."""

from __future__ import annotations

import shlex
from typing import Any

from ..errors import DockerError
from ..helpers.engines.session import default_engine
from .commands import COMMANDS

_WANTS_CONTAINER = {
    "exec",
    "logs",
    "top",
    "diff",
    "export",
    "wait",
    "start",
    "stop",
    "restart",
    "kill",
    "pause",
    "unpause",
    "rename",
    "update",
    "rm",
    "inspect",
    "cp",
}


def _containers() -> list[str]:
    rows = default_engine().container_list(all=True)
    return [n.lstrip("/") for r in rows for n in r.get("Names") or []]


def _images() -> list[str]:
    return [
        t
        for i in default_engine().image_list()
        for t in i.get("RepoTags") or []
        if t != "<none>:<none>"
    ]


def candidates(line: str) -> list[str]:
    """What may come next after ``line`` (the text of the magic line so far)."""
    try:
        words = shlex.split(line)
    except ValueError:
        words = line.split()
    if words and words[0].lstrip("%") == "docker":
        words = words[1:]
    if not line.endswith(" ") and words:
        words = words[:-1]  # the word being typed is completed, not interpreted
    names = sorted({name.split()[0] for name in COMMANDS})
    if not words:
        return names
    if (
        words[0] in {"container", "image", "network", "volume", "system", "context"}
        and len(words) == 1
    ):
        return sorted(name.split()[1] for name in COMMANDS if name.startswith(words[0] + " "))
    key = " ".join(words[:2]) if " ".join(words[:2]) in COMMANDS else words[0]
    command = COMMANDS.get(key)
    if command is None:
        return []
    flags = command.parser.flags()
    try:
        if command.name in _WANTS_CONTAINER:
            return flags + _containers()
        if command.name == "run":
            return flags + _images()
    except DockerError:
        pass  # no engine: flags only
    return flags


def complete(shell: Any, event: Any) -> list[str]:
    return candidates(event.line)
