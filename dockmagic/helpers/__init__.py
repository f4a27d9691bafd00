"""The public Python API: everything a magic can do, a plain function can do too."""

from __future__ import annotations

from .auth import login, logout
from .build import build
from .containers import (
    commit,
    diff,
    export,
    inspect,
    kill,
    pause,
    port,
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
from .logs import attach, logs
from .networking import network_connect, network_create, network_disconnect, network_prune, network_rm
from .resources import (
    events,
    images,
    networks,
    search,
    system_df,
    system_info,
    system_prune,
    system_version,
    versions,
    volumes,
)
from .run import create, run
from .session import default_engine, use
from .stats import StatsSeries, sample, stats, watch
from .storage import volume_create, volume_prune, volume_rm

__all__ = [
    "LAB_IMAGE",
    "StatsSeries",
    "attach",
    "build",
    "commit",
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
    "login",
    "logout",
    "logs",
    "network_connect",
    "network_create",
    "network_disconnect",
    "network_prune",
    "network_rm",
    "networks",
    "pause",
    "port",
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
    "search",
    "start",
    "stats",
    "stop",
    "system_df",
    "system_info",
    "system_prune",
    "system_version",
    "tag",
    "top",
    "unpause",
    "update",
    "use",
    "versions",
    "volume_create",
    "volume_prune",
    "volume_rm",
    "volumes",
    "wait",
    "watch",
    "write_file",
]
