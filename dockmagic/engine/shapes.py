"""What the Engine API promises an answer looks like, checked where answers come in.

Only the fields dockmagic reads are named; a field that is absent or null passes (engines differ
by version), one that is there with another type does not. A failed check is one line naming the
request and the field, instead of a traceback deep in a table or a silently wrong cell.
"""

from __future__ import annotations

import math
from typing import Any, TypeAlias

from ..errors import StreamError

# a type (or types); [shape] for a list of them; {"key": shape} for an object ("key!": must be
# there; "*": every value)
Shape: TypeAlias = type | tuple[type, ...] | list[Any] | dict[str, Any]

INT = int  # bool is an int too: the API has no field where that matters
NUM = (int, float)
STR = str
OBJ: dict[str, Any] = {}  # any object
LIST: list[Any] = [object]  # any list
STR_LIST = [str]
STR_MAP = {"*": str}  # an object whose values are strings (labels)


class MalformedAnswer(StreamError):
    """The engine answered with something the API does not describe."""


def check(value: Any, shape: Shape, where: str) -> Any:
    """``value`` if it has ``shape``; else MalformedAnswer naming ``where`` and the field."""
    problem = _problem(value, shape, "")
    if problem:
        raise MalformedAnswer(
            f"the engine's answer to {where} is not what the API describes: {problem}"
        )
    return value


def _problem(value: Any, shape: Shape, path: str) -> str:
    here = path or "the answer"
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return f"{here} is {_kind(value)}, not an object"
        for key, inner in shape.items():
            name = key.rstrip("!")
            if key.endswith("!") and value.get(name) is None:
                return f"{path + '.' if path else ''}{name} is missing"
            items = value.items() if key == "*" else [(name, value.get(name))]
            for k, v in items:
                if v is not None and (
                    found := _problem(v, inner, f"{path}.{k}" if path else str(k))
                ):
                    return found
        return ""
    if isinstance(shape, list):
        if not isinstance(value, list):
            return f"{here} is {_kind(value)}, not a list"
        for i, item in enumerate(value):
            if shape[0] is not object and (found := _problem(item, shape[0], f"{path}[{i}]")):
                return found
        return ""
    if not isinstance(value, shape):
        wanted = " or ".join(t.__name__ for t in (shape if isinstance(shape, tuple) else (shape,)))
        return f"{here} is {_kind(value)}, not {wanted}"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{here} is not a finite number"
    if isinstance(value, int) and not -(2**63) <= value < 2**64:
        return f"{here} is out of range"
    return ""


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), repr(value)[:40]
    )


PORT = {"IP": STR, "PrivatePort": INT, "PublicPort": INT, "Type": STR}
MOUNT = {"Name": STR, "Source": STR, "Destination": STR, "Type": STR}
CONTAINER_SUMMARY = {
    "Id": STR,
    "Names": STR_LIST,
    "Image": STR,
    "ImageID": STR,
    "Command": STR,
    "Created": INT,
    "Ports": [PORT],
    "SizeRw": INT,
    "SizeRootFs": INT,
    "Labels": STR_MAP,
    "State": STR,
    "Status": STR,
    "Mounts": [MOUNT],
    "NetworkSettings": {"Networks": {"*": OBJ}},
}
CONTAINER_LIST = [CONTAINER_SUMMARY]
CREATED = {"Id!": STR, "Warnings": STR_LIST}
CONTAINER = {
    "Id": STR,
    "Name": STR,
    "Image": STR,
    "State!": {"Running": bool, "Status": STR, "ExitCode": INT, "Pid": INT},
    "Config!": {"Tty": bool, "Image": STR, "Labels": STR_MAP, "Env": STR_LIST, "Cmd": STR_LIST},
    "HostConfig": OBJ,
    "NetworkSettings": OBJ,
    "Mounts": [OBJ],
}
TOP = {"Titles": STR_LIST, "Processes": [STR_LIST]}
CHANGES = [{"Path": STR, "Kind": INT}]
IMAGE_DELETED = [{"Untagged": STR, "Deleted": STR}]
WAIT = {"StatusCode!": INT, "Error": {"Message": STR}}
EXEC = {"ID": STR, "Running": bool, "ExitCode": INT, "Pid": INT, "ContainerID": STR}
IMAGE_SUMMARY = {
    "Id": STR,
    "ParentId": STR,
    "RepoTags": STR_LIST,
    "RepoDigests": STR_LIST,
    "Created": INT,
    "Size": INT,
    "SharedSize": INT,
    "VirtualSize": INT,
    "Labels": STR_MAP,
    "Containers": INT,
}
IMAGE_LIST = [IMAGE_SUMMARY]
HISTORY = [
    {"Id": STR, "Created": INT, "CreatedBy": STR, "Tags": STR_LIST, "Size": INT, "Comment": STR}
]
NETWORK = {
    "Name": STR,
    "Id": STR,
    "Created": STR,
    "Driver": STR,
    "Scope": STR,
    "Labels": STR_MAP,
    "IPAM": OBJ,
}
NETWORK_LIST = [NETWORK]
VOLUME = {
    "Name": STR,
    "Driver": STR,
    "Mountpoint": STR,
    "Labels": STR_MAP,
    "Scope": STR,
    "CreatedAt": STR,
}
VOLUME_LIST = {"Volumes": [VOLUME], "Warnings": STR_LIST}
DF = {
    "LayersSize": INT,
    "Images": [IMAGE_SUMMARY],
    "Containers": [CONTAINER_SUMMARY],
    "Volumes": [{**VOLUME, "UsageData": {"Size": INT, "RefCount": INT}}],
    "BuildCache": [{"Size": INT, "InUse": bool, "Shared": bool}],
}
PATH_STAT = {"name": STR, "size": INT, "mode": INT, "mtime": STR, "linkTarget": STR}
PROGRESS = {
    "id": STR,
    "status": STR,
    "stream": STR,
    "error": STR,
    "errorDetail": {"message": STR},
    "progressDetail": {"current": INT, "total": INT},
    "aux": {"ID": STR, "Digest": STR, "Tag": STR},
}
EVENT = {
    "Type": STR,
    "Action": STR,
    "time": INT,
    "timeNano": INT,
    "Actor": {"ID": STR, "Attributes": STR_MAP},
}
_CPU = {
    "cpu_usage": {"total_usage": INT, "percpu_usage": [INT]},
    "system_cpu_usage": INT,
    "online_cpus": INT,
}
STATS = {
    "read": STR,
    "cpu_stats": _CPU,
    "precpu_stats": _CPU,
    "memory_stats": {"usage": INT, "limit": INT, "stats": {"*": INT}},
    "networks": {"*": {"rx_bytes": INT, "tx_bytes": INT}},
    "blkio_stats": {"io_service_bytes_recursive": [{"op": STR, "value": INT}]},
    "pids_stats": {"current": INT, "limit": INT},
}

# Swarm objects: an ID, a version to update against, a spec
_VERSIONED = {"ID!": STR, "Version": {"Index": INT}, "CreatedAt": STR, "UpdatedAt": STR}
SWARM = {**_VERSIONED, "Spec": OBJ, "JoinTokens": {"Worker": STR, "Manager": STR}}
NODE = {
    **_VERSIONED,
    "Spec": {"Role": STR, "Availability": STR, "Labels": STR_MAP},
    "Description": {"Hostname": STR, "Engine": {"EngineVersion": STR}},
    "Status": {"State": STR, "Addr": STR},
    "ManagerStatus": {"Leader": bool, "Reachability": STR, "Addr": STR},
}
SERVICE = {
    **_VERSIONED,
    "Spec": {"Name": STR, "Labels": STR_MAP, "TaskTemplate": OBJ, "Mode": OBJ, "EndpointSpec": OBJ},
    "PreviousSpec": OBJ,
    "Endpoint": {"Ports": [OBJ]},
    "ServiceStatus": {"RunningTasks": INT, "DesiredTasks": INT},
    "UpdateStatus": {"State": STR, "Message": STR},
}
TASK = {
    **_VERSIONED,
    "ServiceID": STR,
    "NodeID": STR,
    "Slot": INT,
    "DesiredState": STR,
    "Spec": OBJ,
    "Status": {"State": STR, "Err": STR, "Timestamp": STR, "ContainerStatus": {"ContainerID": STR}},
}
SWARM_OBJECT = {**_VERSIONED, "Spec": {"Name": STR, "Labels": STR_MAP}}  # secrets and configs
CREATED_SWARM = {"ID!": STR}
