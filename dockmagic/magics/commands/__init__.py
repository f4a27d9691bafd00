"""Subcommands of %docker: each module registers its own in COMMANDS."""

from __future__ import annotations

from . import (
    containers,
    contexts,
    copying,
    images,
    lab,
    lifecycle,
    networks,
    resources,
    running,
    services,
    stacks,
    stats,
    swarm,
    volumes,
)
from .registry import COMMANDS, Command, Context, find

__all__ = [
    "COMMANDS",
    "Command",
    "Context",
    "containers",
    "contexts",
    "copying",
    "find",
    "images",
    "lab",
    "lifecycle",
    "networks",
    "resources",
    "running",
    "services",
    "stacks",
    "stats",
    "swarm",
    "volumes",
]
