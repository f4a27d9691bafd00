"""Subcommands of %docker: each module registers its own in COMMANDS."""

from __future__ import annotations

from . import containers, copying, images, lifecycle, networks, resources, running, stats, volumes
from .registry import COMMANDS, Command, Context, find

__all__ = [
    "COMMANDS",
    "Command",
    "Context",
    "containers",
    "copying",
    "find",
    "images",
    "lifecycle",
    "networks",
    "resources",
    "running",
    "stats",
    "volumes",
]
