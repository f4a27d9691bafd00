"""The Engine API's operations as the lab proxy knows them (the v1.41 spec's paths and
operationIds): a request that matches none of them is refused, and so is one whose operation the
policy does not list. Each route says what its path names, for the ownership check."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    operation: str
    owned: str | None  # container, exec, network, volume: the {id} must be the student's


def _route(method: str, path: str, operation: str) -> Route:
    kind = {"/containers/{id}": "container", "/exec/{id}": "exec", "/networks/{id}": "network"}
    owned = next((k for prefix, k in kind.items() if path.startswith(prefix)), None)
    if path.startswith("/volumes/{name}"):
        owned = "volume"
    regex = re.escape(path).replace(r"\{id\}", "(?P<id>[^/]+)")
    # image names hold slashes (registry/user/name:tag): the rest of the path up to the action
    regex = regex.replace(r"\{name\}", "(?P<id>[^/]+)" if owned == "volume" else "(?P<name>.+?)")
    return Route(method, re.compile(regex + r"\Z"), operation, owned)


_TABLE = """
GET /_ping SystemPing
HEAD /_ping SystemPingHead
GET /version SystemVersion
GET /info SystemInfo
GET /events SystemEvents
GET /system/df SystemDataUsage
GET /containers/json ContainerList
POST /containers/create ContainerCreate
POST /containers/prune ContainerPrune
GET /containers/{id}/json ContainerInspect
GET /containers/{id}/top ContainerTop
GET /containers/{id}/logs ContainerLogs
GET /containers/{id}/changes ContainerChanges
GET /containers/{id}/export ContainerExport
GET /containers/{id}/stats ContainerStats
POST /containers/{id}/resize ContainerResize
POST /containers/{id}/start ContainerStart
POST /containers/{id}/stop ContainerStop
POST /containers/{id}/restart ContainerRestart
POST /containers/{id}/kill ContainerKill
POST /containers/{id}/update ContainerUpdate
POST /containers/{id}/rename ContainerRename
POST /containers/{id}/pause ContainerPause
POST /containers/{id}/unpause ContainerUnpause
POST /containers/{id}/attach ContainerAttach
GET /containers/{id}/attach/ws ContainerAttachWebsocket
POST /containers/{id}/wait ContainerWait
DELETE /containers/{id} ContainerDelete
GET /containers/{id}/archive ContainerArchive
PUT /containers/{id}/archive PutContainerArchive
HEAD /containers/{id}/archive ContainerArchiveInfo
POST /containers/{id}/exec ContainerExec
POST /exec/{id}/start ExecStart
POST /exec/{id}/resize ExecResize
GET /exec/{id}/json ExecInspect
GET /images/json ImageList
POST /build ImageBuild
POST /build/prune BuildPrune
POST /images/create ImageCreate
GET /images/search ImageSearch
GET /images/get ImageGetAll
POST /images/load ImageLoad
POST /images/prune ImagePrune
GET /images/{name}/json ImageInspect
GET /images/{name}/history ImageHistory
POST /images/{name}/push ImagePush
POST /images/{name}/tag ImageTag
GET /images/{name}/get ImageGet
DELETE /images/{name} ImageDelete
POST /commit ImageCommit
POST /auth SystemAuth
GET /volumes VolumeList
POST /volumes/create VolumeCreate
POST /volumes/prune VolumePrune
GET /volumes/{name} VolumeInspect
DELETE /volumes/{name} VolumeDelete
GET /networks NetworkList
POST /networks/create NetworkCreate
POST /networks/prune NetworkPrune
GET /networks/{id} NetworkInspect
DELETE /networks/{id} NetworkDelete
POST /networks/{id}/connect NetworkConnect
POST /networks/{id}/disconnect NetworkDisconnect
"""

ROUTES = [_route(*line.split()) for line in _TABLE.strip().splitlines()]
OPERATIONS = {r.operation for r in ROUTES}

# What a student may do unless the policy lists more: their own containers, execs, networks and
# volumes whole; images to look at and pull (from the allowlist). Not: builds, commits, loads,
# image removal and tags (shared by the class), pushes, prunes of the engine, swarm, plugins.
STUDENT = frozenset(
    {
        "SystemPing",
        "SystemPingHead",
        "SystemVersion",
        "SystemEvents",
        "ContainerList",
        "ContainerCreate",
        "ContainerInspect",
        "ContainerTop",
        "ContainerLogs",
        "ContainerChanges",
        "ContainerExport",
        "ContainerStats",
        "ContainerResize",
        "ContainerStart",
        "ContainerStop",
        "ContainerRestart",
        "ContainerKill",
        "ContainerUpdate",
        "ContainerRename",
        "ContainerPause",
        "ContainerUnpause",
        "ContainerAttach",
        "ContainerWait",
        "ContainerDelete",
        "ContainerArchive",
        "PutContainerArchive",
        "ContainerArchiveInfo",
        "ContainerExec",
        "ExecStart",
        "ExecResize",
        "ExecInspect",
        "ImageList",
        "ImageCreate",
        "ImageInspect",
        "ImageHistory",
        "VolumeList",
        "VolumeCreate",
        "VolumeInspect",
        "VolumeDelete",
        "NetworkList",
        "NetworkCreate",
        "NetworkInspect",
        "NetworkDelete",
        "NetworkConnect",
        "NetworkDisconnect",
    }
)


def match(method: str, path: str) -> tuple[Route, re.Match[str]] | None:
    for route in ROUTES:
        if route.method == method:
            found = route.pattern.match(path)
            if found:
                return route, found
    return None


# What a policy may add to STUDENT: the operations the proxy has rules for (builds, prunes of the
# student's own, image tags, pushes and removals within the student's namespace, commits of their
# own containers). Others (image loads, exports of every image, swarm, plugins, system data usage)
# could not be checked, so a policy cannot name them.
EXTRA = frozenset(
    {
        "ImageBuild",
        "ImageSearch",
        "ImageTag",
        "ImagePush",
        "ImageDelete",
        "ImageCommit",
        "ImageGet",
        "ContainerPrune",
        "VolumePrune",
        "NetworkPrune",
        "ContainerAttachWebsocket",
    }
)
