"""dockmagic: Docker as a first-class citizen of Jupyter notebooks and IPython.

Helpers (``dockmagic.run``, ``dockmagic.ps``, ``dockmagic.cp``, ...) work in plain Python;
``%load_ext dockmagic`` adds the ``%docker`` magics.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import errors
from .errors import *  # noqa: F403 - the errors are cheap and needed to catch anything: eager

# eager: the name is also its module's, which an import would put here
from .settings import settings as settings

if TYPE_CHECKING:  # what the lazy names are, for type checkers and editors
    from .engine import Engine as Engine
    from .engine import TLSConfig as TLSConfig
    from .helpers import *  # noqa: F403 - the helpers are the package's API


def play(source: Any, **kwargs: Any) -> Any:
    """Run a play (YAML text or a list of tasks); see :func:`dockmagic.modules.play.play`."""
    from .modules.play import play as run_play

    return run_play(source, **kwargs)


__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """The helpers and the engine client, imported when first used: ``import dockmagic`` costs
    little more than its errors and settings (requests and the rest come with the first call).
    ``dockmagic.exec`` is ``exec_``, as ``docker exec`` reads; looked up here so that the name never
    shadows Python's builtin ``exec`` inside the package."""
    if name in (
        "Engine",
        "TLSConfig",
    ):  # through the session: what dockmagic.Engine makes is labelled
        return getattr(importlib.import_module(f"{__name__}.helpers.engines.session"), name)
    if name.startswith("__") and name != "__all__":
        raise AttributeError(name)  # __path__, __file__ probes and the like: not ours to load for
    # import_module, not "from . import": that asks this very function for "helpers" first
    helpers = importlib.import_module(f"{__name__}.helpers")
    if name == "exec":
        return helpers.exec_
    if name == "__all__":
        return [*helpers.__all__, "exec", "settings", "Engine", "TLSConfig", *errors.__all__]
    if name in helpers.__all__:
        return getattr(helpers, name)
    raise AttributeError(f"module 'dockmagic' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__getattr__("__all__")})


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext dockmagic``: register the %docker magics."""
    from .magics import load_ipython_extension as load

    load(ipython)
