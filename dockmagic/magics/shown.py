"""How a failed command is shown: one line naming the error's own kind (``NotFound: No such
container: web``), not ``UsageError`` for everything and not a traceback from our internals.

A ``Shown`` error is a UsageError subclass (code that catches UsageError still does), made one
class per kind so that a notebook's error output names the kind too (its ``ename``); IPython
shows it through ``_render_traceback_``, which it asks for of anything but UsageError itself.
"""

from __future__ import annotations

import functools

from IPython.core.error import UsageError

from ..errors import DockerError, OptionError
from .argv import CommandError

_RED, _RESET = "\x1b[31m", "\x1b[0m"


class Shown(UsageError):
    """A command's error, shown as one line: its kind in red, then its message."""

    kind = "Error"

    def _render_traceback_(self) -> list[str]:
        return [f"{_RED}{self.kind}{_RESET}: {self}"]


@functools.cache
def _kind(name: str) -> type[Shown]:
    return type(name, (Shown,), {"kind": name, "__module__": __name__})


def shown(exc: BaseException) -> Shown:
    """The one-line error for ``exc``: a mistake in what was typed or written is a UsageError;
    an engine's, a registry's or the host's answer keeps its own kind's name."""
    if isinstance(exc, KeyboardInterrupt):
        return _kind("KeyboardInterrupt")("interrupted (Ctrl-C)")
    if isinstance(exc, CommandError | OptionError) or not isinstance(exc, DockerError):
        name = "UsageError"
    else:
        name = type(exc).__name__
    return _kind(name)(str(exc) or type(exc).__name__)
