"""The labels compose writes on what it makes: how either tool finds a project's containers,
networks and volumes, and knows whether a container is current."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

PROJECT = "com.docker.compose.project"
SERVICE = "com.docker.compose.service"
NUMBER = "com.docker.compose.container-number"
ONEOFF = "com.docker.compose.oneoff"
CONFIG_HASH = "com.docker.compose.config-hash"
WORKING_DIR = "com.docker.compose.project.working_dir"
CONFIG_FILES = "com.docker.compose.project.config_files"
VERSION = "com.docker.compose.version"
DEPENDS_ON = "com.docker.compose.depends_on"
IMAGE = "com.docker.compose.image"
REPLACE = "com.docker.compose.replace"
SLUG = "com.docker.compose.slug"
NETWORK = "com.docker.compose.network"
VOLUME = "com.docker.compose.volume"
# The compose release whose behaviour this follows (and whose version compose reads back).
COMPOSE_VERSION = "2.40.3"


def of(project: str, **more: str) -> dict[str, list[str]]:
    """A list filter for project ``project``'s objects (with more labels given as ``KEY=value``)."""
    labels = [f"{PROJECT}={project}", *(f"{k}={v}" for k, v in more.items())]
    return {"label": labels}


def depends_on(spec: Mapping[str, Any]) -> str:
    """compose's depends_on label: ``service:condition:restart`` for each, comma separated."""
    parts = [
        f"{name}:{how.get('condition')}:{str(bool(how.get('restart'))).lower()}"
        for name, how in (spec.get("depends_on") or {}).items()
    ]
    return ",".join(parts)


def name_of(container: Mapping[str, Any]) -> str:
    """A container's name without the engine's leading slash, listed (``Names``) or inspected
    (``Name``)."""
    names = container.get("Names")
    return str(names[0] if names else container["Name"]).lstrip("/")


def regular(found: Iterable[Mapping[str, Any]]) -> list[Any]:
    """The containers ``up`` keeps (not ``run``'s one-off ones; one without the label counts)."""
    return [c for c in found if (c.get("Labels") or {}).get(ONEOFF) != "True"]
