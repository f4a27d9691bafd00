"""Ansible-style idempotent modules: declare what should exist; they make it so and report
``changed``/``ok``, with check mode (change nothing) and diff. Semantics follow the
community.docker collection's (learned from, none of its code copied)."""

from __future__ import annotations

from collections.abc import Callable

from .container import container
from .files import copy_into, exec_module, prune
from .resources import image, network, volume
from .result import ModuleError, Result
from .service import service

MODULES: dict[str, Callable[..., Result]] = {
    "container": container,
    "image": image,
    "network": network,
    "volume": volume,
    "copy_into": copy_into,
    "exec": exec_module,
    "prune": prune,
    "service": service,
}

__all__ = [
    "MODULES",
    "ModuleError",
    "Result",
    "container",
    "copy_into",
    "exec_module",
    "image",
    "network",
    "prune",
    "service",
    "volume",
]
