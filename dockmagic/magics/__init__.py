"""IPython integration: the %docker magics and their tab completion."""

from __future__ import annotations

from typing import Any

from ..helpers.engines import cleanup as mine
from .completion import docker_matcher
from .core import DockerMagics


def load_ipython_extension(ipython: Any) -> None:
    ipython.register_magics(DockerMagics)
    mine.arm()  # what this kernel makes is looked after at its end, clean or not
    matchers = ipython.Completer.custom_matchers
    if docker_matcher not in matchers:  # loading twice completes once
        matchers.append(docker_matcher)


__all__ = ["DockerMagics", "load_ipython_extension"]
