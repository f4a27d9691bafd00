"""What a student's request body may ask for, read as the engine will read it.

The engine decodes JSON with Go's rules: keys match struct fields case-insensitively (``"privileged"``
counts), and of repeated keys the last wins. So a body is refused when it repeats a key (in any case)
or holds a key that is not ASCII (Go folds ``ſ`` to ``s`` and the Kelvin sign to ``k``), and fields
are looked up without regard to case. What is forwarded is the body as checked, re-encoded.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

from .policy import STUDENT_LABEL, Policy


class Refused(Exception):
    """A request the policy does not allow: answered 403 with the rule's name."""

    def __init__(self, rule: str, detail: str) -> None:
        super().__init__(f"lab policy ({rule}): {detail}")
        self.rule = rule


class Hidden(Exception):
    """Another student's resource (or none): answered 404 as if absent."""

    def __init__(self, kind: str, name: str) -> None:
        super().__init__(f"No such {kind}: {name}")


def parse_body(raw: bytes) -> dict[str, Any]:
    """A JSON object as Go would read it, or Refused."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        for key, _ in items:
            if not key.isascii():
                raise Refused("json", f"a key that is not ASCII: {key!r}")
            if key.lower() in seen:
                raise Refused("json", f"the key {key!r} is given twice (keys match without regard to case)")
            seen.add(key.lower())
        return dict(items)

    try:
        body = json.loads(raw or b"{}", object_pairs_hook=pairs)
    except (ValueError, RecursionError):
        raise Refused("json", "the body is not a JSON object the engine would read") from None
    if not isinstance(body, dict):
        raise Refused("json", "the body must be a JSON object")
    return body


def field(obj: Any, name: str) -> Any:
    """``obj[name]``, the key matched without regard to case (None when absent)."""
    if not isinstance(obj, dict):
        return None
    lower = name.lower()
    return next((v for k, v in obj.items() if k.lower() == lower), None)


def put(obj: dict[str, Any], name: str, value: Any) -> None:
    """Set ``name``, replacing the key of any case already there."""
    for key in [k for k in obj if k.lower() == name.lower()]:
        del obj[key]
    obj[name] = value


_LISTS = (
    "CapAdd",
    "SecurityOpt",
    "Binds",
    "Mounts",
    "Devices",
    "DeviceRequests",
    "DeviceCgroupRules",
    "VolumesFrom",
    "Links",
    "MaskedPaths",
    "ReadonlyPaths",
)
_MAPS = ("PortBindings", "Sysctls", "Labels")


def _typed(host: dict[str, Any]) -> None:
    """Lists and maps must be what the API says: a string where a list is due is refused, never
    read a character at a time."""
    for name in _LISTS:
        if field(host, name) is not None and not isinstance(field(host, name), list):
            raise Refused("json", f"{name} must be a list")
    for name in _MAPS:
        if field(host, name) is not None and not isinstance(field(host, name), dict):
            raise Refused("json", f"{name} must be an object")


def _ns_mode(value: Any) -> bool:
    return isinstance(value, str) and (value == "host" or value.startswith("container:"))


def check_container(
    body: dict[str, Any],
    policy: Policy,
    student: str,
    owns: Callable[[str, str], bool],
    image_refs: Callable[[str], list[str]],
) -> dict[str, Any]:
    """A ContainerCreate body, refused or made the policy's (the student's label, the default
    limits); ``owns(kind, name)`` says whether a network or volume is the student's."""
    image = field(body, "Image")
    if not isinstance(image, str) or not image:
        raise Refused("images", "a container needs an image")
    if not policy.image_allowed(*image_refs(image)):
        raise Refused("images", f"{image} is not among the lab's images ({', '.join(policy.images)})")
    host = field(body, "HostConfig")
    if host is None:
        host = {}
    if not isinstance(host, dict):
        raise Refused("json", "HostConfig must be an object")
    check_host(host, policy, owns)
    put(body, "HostConfig", host)
    if not isinstance(field(body, "Labels") or {}, dict):
        raise Refused("json", "Labels must be an object")
    _owned_by(body, student)
    endpoints = field(field(body, "NetworkingConfig"), "EndpointsConfig") or {}
    for network in endpoints if isinstance(endpoints, dict) else []:
        if network not in ("bridge", "default") and not owns("network", network):
            raise Refused("network", f"the network {network} is not yours")
    return body


def check_host(host: dict[str, Any], policy: Policy, owns: Callable[[str, str], bool], update: bool = False) -> None:
    """A HostConfig (or a ContainerUpdate body, ``update``): the rules, then the default limits."""
    _typed(host)
    if field(host, "Privileged"):
        raise Refused("privileged", "privileged containers are not allowed")
    added = {str(c).upper().removeprefix("CAP_") for c in field(host, "CapAdd") or []}
    if added - policy.capabilities:
        raise Refused("capabilities", f"not allowed: {', '.join(sorted(added - policy.capabilities))}")
    for name in ("PidMode", "IpcMode", "UTSMode", "UsernsMode", "CgroupnsMode"):
        if _ns_mode(field(host, name)):
            raise Refused("namespaces", f"{name} {field(host, name)} shares another's namespace")
    network = field(host, "NetworkMode")
    if _ns_mode(network):
        raise Refused("network", f"network mode {network} is not allowed")
    if isinstance(network, str) and network not in ("", "default", "bridge", "none") and not owns("network", network):
        raise Refused("network", f"the network {network} is not yours")
    for name in ("Devices", "DeviceRequests", "DeviceCgroupRules", "Sysctls", "VolumesFrom", "Links"):
        if field(host, name):
            raise Refused(name.lower(), f"{name} is not allowed")
    for name in ("MaskedPaths", "ReadonlyPaths", "CgroupParent"):
        if field(host, name) is not None and not (name == "CgroupParent" and field(host, name) == ""):
            raise Refused("paths", f"{name} is not the student's to set")
    if field(host, "VolumeDriver") not in (None, "", "local"):
        raise Refused("volumes", f"the volume driver {field(host, 'VolumeDriver')} is not allowed")
    runtime = field(host, "Runtime")
    if runtime not in (None, "", "runc"):
        raise Refused("runtime", f"the runtime {runtime} is not allowed")
    for opt in field(host, "SecurityOpt") or []:
        if str(opt).replace(":", "=").replace(" ", "") not in ("no-new-privileges", "no-new-privileges=true"):
            raise Refused("security-opt", f"{opt} is not allowed")
    for bind in field(host, "Binds") or []:
        _check_bind(str(bind), policy, owns)
    for mount in field(host, "Mounts") or []:
        _check_mount(mount, policy, owns)
    if field(host, "PublishAllPorts"):
        raise Refused("ports", f"-P publishes on any port: publish within {policy.ports[0]}-{policy.ports[1]}")
    for bindings in (field(host, "PortBindings") or {}).values():
        for binding in bindings or []:
            port = str(field(binding, "HostPort") or "")
            low, _, high = port.partition("-")
            try:
                first, last = int(low), int(high or low)
            except ValueError:
                raise Refused("ports", f"give a host port within {policy.ports[0]}-{policy.ports[1]}") from None
            if not policy.ports[0] <= first <= last <= policy.ports[1]:
                raise Refused("ports", f"host port {port} is outside {policy.ports[0]}-{policy.ports[1]}")
    _limits(host, policy, update)


def _limits(host: dict[str, Any], policy: Policy, update: bool) -> None:
    memory = int(field(host, "Memory") or 0)
    if memory > policy.memory.max:
        raise Refused("memory", f"at most {int(policy.memory.max) >> 20} MiB, not {memory >> 20} MiB")
    nano = int(field(host, "NanoCpus") or 0)
    quota, period = int(field(host, "CpuQuota") or 0), int(field(host, "CpuPeriod") or 100_000)
    cpus = nano / 1e9 if nano else (quota / period if quota > 0 else 0)
    if cpus > policy.cpus.max:
        raise Refused("cpus", f"at most {policy.cpus.max:g} CPUs, not {cpus:g}")
    pids = int(field(host, "PidsLimit") or 0)
    if pids > policy.pids.max:
        raise Refused("pids", f"at most {policy.pids.max:g} processes, not {pids}")
    swap = int(field(host, "MemorySwap") or 0)
    if swap < 0 or (swap and swap > policy.memory.max * 2):
        raise Refused("memory", "swap beyond the lab's memory limit is not allowed")
    if update:  # an update changes what it names only
        if field(host, "PidsLimit") is not None and pids <= 0:
            raise Refused("pids", "an unlimited number of processes is not allowed")
        return
    if not memory:
        put(host, "Memory", int(policy.memory.default))
    if not cpus:
        put(host, "NanoCpus", int(policy.cpus.default * 1e9))
    if pids <= 0:
        put(host, "PidsLimit", int(policy.pids.default))


def _check_bind(spec: str, policy: Policy, owns: Callable[[str, str], bool]) -> None:
    source, _, rest = spec.partition(":")
    options = rest.partition(":")[2].split(",")
    if source.startswith("/"):
        _check_host_path(source, "ro" in options, policy)
    elif not owns("volume", source):
        raise Refused("volumes", f"the volume {source} is not yours: create it first (docker volume create)")


def _check_mount(mount: Any, policy: Policy, owns: Callable[[str, str], bool]) -> None:
    kind = str(field(mount, "Type") or "volume").lower()
    source = field(mount, "Source") or ""
    if kind == "bind":
        _check_host_path(str(source), bool(field(mount, "ReadOnly")), policy)
    elif kind == "volume":
        if field(field(mount, "VolumeOptions"), "DriverConfig"):
            raise Refused("volumes", "volume driver options are not allowed (a local volume can bind the host)")
        if source and not owns("volume", str(source)):
            raise Refused("volumes", f"the volume {source} is not yours: create it first (docker volume create)")
    elif kind != "tmpfs":
        raise Refused("mounts", f"{kind} mounts are not allowed")


def _check_host_path(path: str, read_only: bool, policy: Policy) -> None:
    real = os.path.normpath(path)
    for bind in policy.binds:
        if real == bind.host or real.startswith(bind.host + "/"):
            if bind.read_only and not read_only:
                raise Refused("binds", f"{bind.host} may be mounted read-only only (:ro)")
            if ".." in path.split("/") or os.path.realpath(real) != real:
                raise Refused("binds", f"{path} goes through a link or '..'")
            return
    raise Refused("binds", f"host path {path} is not among the lab's binds")


def _owned_by(body: dict[str, Any], student: str) -> None:
    """The student's label on what ``body`` creates, over any label of theirs of that key."""
    labels = field(body, "Labels") or {}
    put(body, "Labels", {**(labels if isinstance(labels, dict) else {}), STUDENT_LABEL: student})


def check_exec(body: dict[str, Any]) -> dict[str, Any]:
    if field(body, "Privileged"):
        raise Refused("privileged", "privileged execs are not allowed")
    return body


def check_network(body: dict[str, Any], student: str) -> dict[str, Any]:
    driver = field(body, "Driver") or "bridge"
    if driver != "bridge":
        raise Refused("network", f"the {driver} driver is not allowed")
    if field(body, "ConfigFrom") or field(body, "ConfigOnly") or field(body, "Ingress"):
        raise Refused("network", "config-only, config-from and ingress networks are not allowed")
    if field(body, "Options"):  # a bridge named like a host interface, or other driver knobs
        raise Refused("network", "network driver options are not allowed")
    ipam = field(body, "IPAM") or {}
    if field(ipam, "Config") or field(ipam, "Options") or field(ipam, "Driver") not in (None, "", "default"):
        # a subnet of the student's choosing could shadow the host's own networks: the pools decide
        raise Refused("network", "subnets and IPAM settings are not allowed: the engine's pools choose")
    _owned_by(body, student)
    return body


def check_volume(body: dict[str, Any], student: str) -> dict[str, Any]:
    driver = field(body, "Driver") or "local"
    if driver != "local" or field(body, "DriverOpts"):
        raise Refused("volumes", "volume drivers and their options are not allowed (a local volume can bind the host)")
    _owned_by(body, student)
    return body


__all__ = ["Hidden", "Refused", "check_container", "check_exec", "check_host", "parse_body"]
