"""The public Python API: everything a magic can do, a plain function can do too."""

from __future__ import annotations

from .build import build
from .containers import (
    diff,
    export,
    inspect,
    kill,
    pause,
    prune,
    ps,
    rename,
    restart,
    rm,
    start,
    stop,
    top,
    unpause,
    update,
    wait,
)
from .copy import cp, write_file
from .execs import exec_
from .images import history, image_inspect, image_prune, import_image, load, pull, push, rmi, save, tag
from .lab import LAB_IMAGE, lab_image
from .logs import logs
from .resources import events, images, networks, system_df, system_info, system_version, volumes
from .run import create, run
from .session import default_engine, use
from .stats import StatsSeries, sample, stats, watch

__all__ = [
    "LAB_IMAGE",
    "StatsSeries",
    "build",
    "cp",
    "create",
    "default_engine",
    "diff",
    "events",
    "exec_",
    "export",
    "history",
    "image_inspect",
    "image_prune",
    "images",
    "import_image",
    "inspect",
    "kill",
    "lab_image",
    "load",
    "logs",
    "networks",
    "pause",
    "prune",
    "ps",
    "pull",
    "push",
    "rename",
    "restart",
    "rm",
    "rmi",
    "run",
    "sample",
    "save",
    "start",
    "stats",
    "stop",
    "system_df",
    "system_info",
    "system_version",
    "tag",
    "top",
    "unpause",
    "update",
    "use",
    "volumes",
    "wait",
    "watch",
    "write_file",
]
