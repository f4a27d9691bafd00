"""IPython integration: the %docker magics and their tab completion."""

from __future__ import annotations

from typing import Any

from ..helpers.engines import cleanup as mine
from .completion import complete
from .core import DockerMagics


def load_ipython_extension(ipython: Any) -> None:
    ipython.register_magics(DockerMagics)
    mine.arm()  # what this kernel makes is looked after at its end, clean or not
    for magic in ("%docker", "%%docker"):
        ipython.set_hook("complete_command", complete, str_key=magic)


__all__ = ["DockerMagics", "load_ipython_extension"]
