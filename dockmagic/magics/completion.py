"""Tab completion for %docker: subcommands, flags, container and image names."""

from __future__ import annotations

import re
import shlex
from typing import cast

from IPython.core.completer import (
    CompletionContext,
    SimpleCompletion,
    SimpleMatcherResult,
    context_matcher,
)

from ..errors import DockerError
from ..helpers.engines.session import default_engine
from .commands import COMMANDS, subcommands

_WANTS_CONTAINER = {
    "exec", "logs", "top", "diff", "export", "wait", "start", "stop", "restart", "kill", "pause",
    "unpause", "rename", "update", "rm", "inspect", "cp", "attach", "port", "stats", "commit",
    "container",
}  # fmt: skip
_WANTS_IMAGE = {"run", "create", "pull", "push", "rmi", "tag", "history", "save", "image"}


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
    names = subcommands()
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
    group = command.name.split()[0]
    try:
        if group in _WANTS_CONTAINER:
            return flags + _containers()
        if group in _WANTS_IMAGE:
            return flags + _images()
    except DockerError:
        pass  # no engine: flags only
    return flags


_ASSIGNED = re.compile(r"^\s*[\w.,\s]+=\s*(?=%)")  # x = %docker ps


@context_matcher()
def docker_matcher(context: CompletionContext) -> SimpleMatcherResult:
    """IPython's completer, for ``%docker`` lines (``x = %docker ...`` too): the word being typed
    is completed whole, ``-``, ``/``, ``:`` and ``.`` in it included (Compose's and registries'
    names have them), and nothing else is offered (no Python names)."""
    line = _ASSIGNED.sub("", context.text_until_cursor).lstrip()
    if not line.startswith(("%docker", "%%docker")) or " " not in line:
        return cast(SimpleMatcherResult, {"completions": [], "suppress": False})
    word = line.rsplit(" ", 1)[-1]
    found = [c for c in candidates(line) if c.startswith(word)]
    result = {
        "completions": [SimpleCompletion(c) for c in found],
        "matched_fragment": word,
        "suppress": True,  # past the magic's name: only what %docker offers
    }
    return cast(SimpleMatcherResult, result)
