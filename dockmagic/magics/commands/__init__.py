"""Subcommands of %docker: each module registers its own in COMMANDS. The modules mirror the
helpers they call: ``commands/volumes.py`` and ``helpers/volumes.py``, ``commands/containers/`` and
``helpers/containers/``, and so on."""

from __future__ import annotations

from . import engines, images, lab, networks, stats, system, volumes
from .compose import MODULES as COMPOSE
from .containers import copy, inspecting, lifecycle, logs, run
from .registry import COMMANDS, Command, Context, find, subcommands
from .swarm import cluster, services, stacks

MODULES = [engines, images, lab, networks, stats, system, volumes]
MODULES += [copy, inspecting, lifecycle, logs, run, cluster, services, stacks, *COMPOSE]

__all__ = ["COMMANDS", "MODULES", "Command", "Context", "find", "subcommands"]
