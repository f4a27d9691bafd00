"""dockmagic: Docker as a first-class citizen of Jupyter notebooks and IPython.

Helpers (``dockmagic.run``, ``dockmagic.ps``, ``dockmagic.cp``, ...) work in plain Python;
``%load_ext dockmagic`` adds the ``%docker`` magics.
"""

from __future__ import annotations

from typing import Any

from .engine import Engine, TLSConfig
from .errors import (
    APIError,
    APIVersionError,
    CommandError,
    Conflict,
    ContainerFailed,
    DockerError,
    EngineUnavailable,
    HostFileError,
    Missing,
    NotFound,
    OperationFailed,
    OptionError,
    PartlyFailed,
    StreamError,
    TimedOut,
)
from .helpers import *  # noqa: F403 - the helpers are the package's API
from .helpers import __all__ as _helpers
from .helpers import exec_
from .settings import settings


def play(source: Any, **kwargs: Any) -> Any:
    """Run a play (YAML text or a list of tasks); see :func:`dockmagic.modules.play.play`."""
    from .modules.play import play as run_play

    return run_play(source, **kwargs)


__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """``dockmagic.exec`` is ``exec_``, as ``docker exec`` reads; looked up here so that the name
    never shadows Python's builtin ``exec`` inside the package."""
    if name == "exec":
        return exec_
    raise AttributeError(f"module 'dockmagic' has no attribute {name!r}")


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext dockmagic``: register the %docker magics."""
    from .magics import load_ipython_extension as load

    load(ipython)


__all__ = [
    *_helpers,
    "exec",
    "settings",
    "Engine",
    "TLSConfig",
    "DockerError",
    "EngineUnavailable",
    "APIError",
    "NotFound",
    "Missing",
    "HostFileError",
    "Conflict",
    "APIVersionError",
    "StreamError",
    "OperationFailed",
    "OptionError",
    "CommandError",
    "PartlyFailed",
    "ContainerFailed",
    "TimedOut",
]
