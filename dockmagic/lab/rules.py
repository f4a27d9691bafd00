"""What a student's request body may ask for: allowlists over bodies already conformed to the API
spec (``schema.conform``: the spec's key names, the spec's types). A field that no table here names
must be empty; anything else is refused by its name. Limits are checked on what the container ends
up with (an update's fields merged with what it has), not on the update's fields alone.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .policy import STUDENT_LABEL, Policy
from .schema import Refused, empty

CheckFn = Callable[[Any, "Context"], Any]
ANY: CheckFn = lambda value, ctx: value  # noqa: E731


@dataclass
class Context:
    """What the rules need to know of the engine, for one student's request."""

    policy: Policy
    student: str
    network: Callable[[str], str]  # a network of the student's -> its full ID, or Refused
    volume: Callable[[str], bool]  # whether a volume is the student's
    image: Callable[[str], bool]  # whether the student may use an image


def one_of(*allowed: Any, rule: str) -> CheckFn:
    def check(value: Any, ctx: Context) -> Any:
        if value not in (None, *allowed):
            raise Refused(
                rule, f"{value!r} is not allowed (allowed: {', '.join(repr(a) for a in allowed)})"
            )
        return value

    return check


def at_most(limit: Callable[[Policy], float], rule: str, unit: str = "") -> CheckFn:
    def check(value: Any, ctx: Context) -> Any:
        if value is not None and not 0 <= value <= limit(ctx.policy):
            raise Refused(rule, f"{value}{unit} is outside 0-{limit(ctx.policy):g}{unit}")
        return value

    return check


def apply(
    body: dict[str, Any], table: dict[str, CheckFn], ctx: Context, where: str
) -> dict[str, Any]:
    """Each field through its check; a field the table does not name must be empty, and is not
    forwarded at all (``[{}]`` is empty to the eye, and still a device request to the engine)."""
    for name, value in list(body.items()):
        check = table.get(name)
        if check is None:
            if not empty(value):
                raise Refused(_rule(name), f"{where}{name} is not the student's to set")
            del body[name]
            continue
        body[name] = check(value, ctx)
    return body


def _rule(name: str) -> str:
    return {
        "Privileged": "privileged",
        "Devices": "devices",
        "DeviceRequests": "devices",
        "DeviceCgroupRules": "devices",
        "Sysctls": "sysctls",
        "VolumesFrom": "volumesfrom",
        "Links": "links",
        "CgroupParent": "paths",
        "MaskedPaths": "paths",
        "ReadonlyPaths": "paths",
        "MacAddress": "network",
    }.get(name, "fields")


# -- HostConfig --------------------------------------------------------------------------------------


def _caps(value: Any, ctx: Context) -> Any:
    added = {str(c).upper().removeprefix("CAP_") for c in value or []}
    if added - ctx.policy.capabilities:
        raise Refused(
            "capabilities", f"not allowed: {', '.join(sorted(added - ctx.policy.capabilities))}"
        )
    return value


def _private(name: str, modes: tuple[str, ...] = ("",)) -> CheckFn:
    def check(value: Any, ctx: Context) -> Any:
        if value not in (None, *modes):
            raise Refused("namespaces", f"{name} {value} shares another's namespace")
        return value

    return check


def _network_mode(value: Any, ctx: Context) -> Any:
    if value in (None, "", "default", "bridge", "none"):
        return value
    if value == "host" or str(value).startswith(("container:", "service:")):
        raise Refused("network", f"network mode {value} is not allowed")
    return ctx.network(value)


def _security_opt(value: Any, ctx: Context) -> Any:
    for opt in value or []:
        if str(opt).replace(":", "=").replace(" ", "") not in (
            "no-new-privileges",
            "no-new-privileges=true",
        ):
            raise Refused("security-opt", f"{opt} is not allowed")
    return value


def _ports(value: Any, ctx: Context) -> Any:
    low_end, high_end = ctx.policy.ports
    for bindings in (value or {}).values():
        for binding in bindings or []:
            if not isinstance(binding, dict) or set(binding) - {"HostIp", "HostPort"}:
                raise Refused("json", "a port binding is {HostIp, HostPort}")
            port = str(binding.get("HostPort") or "")
            low, _, high = port.partition("-")
            try:
                first, last = int(low), int(high or low)
            except ValueError:
                raise Refused("ports", f"give a host port within {low_end}-{high_end}") from None
            if not low_end <= first <= last <= high_end:
                raise Refused("ports", f"host port {port} is outside {low_end}-{high_end}")
    return value


def _publish_all(value: Any, ctx: Context) -> Any:
    if value:
        low, high = ctx.policy.ports
        raise Refused("ports", f"-P publishes on any port: publish within {low}-{high}")
    return value


def _log_config(value: Any, ctx: Context) -> Any:
    kind = (value or {}).get("Type") or ""
    if kind not in ("", "json-file", "local", "none"):
        raise Refused("logging", f"the {kind} log driver is not allowed (json-file, local, none)")
    config = (value or {}).get("Config") or {}
    if set(config) - {"max-size", "max-file", "compress"}:
        raise Refused(
            "logging",
            f"log options {', '.join(sorted(set(config) - {'max-size', 'max-file', 'compress'}))}",
        )
    return value


def _restart(value: Any, ctx: Context) -> Any:
    name = (value or {}).get("Name") or ""
    if name not in ("", "no", "on-failure", "always", "unless-stopped"):
        raise Refused("restart", f"restart policy {name!r}")
    return value


_ULIMITS = {
    "nofile": lambda p: 1 << 20,
    "nproc": lambda p: p.pids.max,
    "core": lambda p: 0,
    "stack": lambda p: 64 << 20,
}


def _ulimits(value: Any, ctx: Context) -> Any:
    for item in value or []:
        name = str((item or {}).get("Name") or "")
        if name not in _ULIMITS:
            raise Refused(
                "ulimits", f"the {name} ulimit is not allowed (allowed: {', '.join(_ULIMITS)})"
            )
        most = _ULIMITS[name](ctx.policy)
        if (
            max(int(item.get("Soft") or 0), int(item.get("Hard") or 0)) > most
            or min(item.get("Soft", 0), 0) < 0
        ):
            raise Refused("ulimits", f"{name} at most {most:g}")
    return value


def _oom_score(value: Any, ctx: Context) -> Any:
    if value is not None and not 0 <= value <= 1000:
        raise Refused("memory", "an OOM score below 0 makes the host's processes die first")
    return value


def _false(rule: str, what: str) -> CheckFn:
    def check(value: Any, ctx: Context) -> Any:
        if value:
            raise Refused(rule, f"{what} are not allowed")
        return value

    return check


def _binds(value: Any, ctx: Context) -> Any:
    for spec in value or []:
        source, _, rest = str(spec).partition(":")
        options = rest.partition(":")[2].split(",")
        if not source or not rest:
            raise Refused("binds", f"{spec!r}: a bind is SOURCE:TARGET[:OPTIONS]")
        if source.startswith("/"):
            check_host_path(source, "ro" in options, ctx.policy)
        elif not ctx.volume(source):
            raise Refused(
                "volumes",
                f"the volume {source} is not yours: create it first (docker volume create)",
            )
        if set(options) & {"shared", "rshared", "slave", "rslave"}:
            raise Refused("binds", "mount propagation is not allowed")
    return value


def _mounts(value: Any, ctx: Context) -> Any:
    for mount in value or []:
        kind = str(mount.get("Type") or "").lower()
        source = str(mount.get("Source") or "")
        if (mount.get("BindOptions") or {}).get("Propagation") not in (
            None,
            "",
            "private",
            "rprivate",
        ):
            raise Refused("binds", "mount propagation is not allowed")
        if kind == "bind":
            check_host_path(source, bool(mount.get("ReadOnly")), ctx.policy)
        elif kind == "volume":
            if not empty((mount.get("VolumeOptions") or {}).get("DriverConfig")):
                raise Refused(
                    "volumes",
                    "volume driver options are not allowed (a local volume can bind the host)",
                )
            if source and not ctx.volume(source):
                raise Refused(
                    "volumes",
                    f"the volume {source} is not yours: create it first (docker volume create)",
                )
            # an anonymous volume made here is the student's, whatever labels the mount asks for
            options = mount.setdefault("VolumeOptions", {}) if isinstance(mount, dict) else {}
            options["Labels"] = _labels(options.get("Labels"), ctx)
        elif kind != "tmpfs":
            raise Refused("mounts", f"{kind or 'untyped'} mounts are not allowed")
    return value


def check_host_path(path: str, read_only: bool, policy: Policy) -> None:
    """A bind of a host folder: within the policy's binds, through no link or '..', and below a
    read-write folder only the folder itself (a student's container that writes there could swap a
    sub-folder for a link to / between this check and the start)."""
    real = os.path.normpath(path)
    for bind in policy.binds:
        if real == bind.host or real.startswith(bind.host + "/"):
            if bind.read_only and not read_only:
                raise Refused("binds", f"{bind.host} may be mounted read-only only (:ro)")
            if ".." in path.split("/") or os.path.realpath(real) != real:
                raise Refused("binds", f"{path} goes through a link or '..'")
            if real != bind.host and any(
                not b.read_only and (real == b.host or real.startswith(b.host + "/"))
                for b in policy.binds
            ):
                raise Refused(
                    "binds", f"{path}: a read-write folder is bound whole ({bind.host}), not below"
                )
            return
    raise Refused("binds", f"host path {path} is not among the lab's binds")


_MEMORY = at_most(lambda p: p.memory.max, "memory", " bytes")

# HostConfig's resources that a student may set; the limits are checked whole in limits().
RESOURCES: dict[str, CheckFn] = {
    "Memory": _MEMORY,
    "MemoryReservation": _MEMORY,
    "MemorySwap": ANY,
    "MemorySwappiness": ANY,
    "NanoCpus": ANY,
    "CpuShares": at_most(lambda p: 1024, "cpus"),
    "CpuPeriod": one_of(
        0, rule="cpus"
    ),  # CPUs are --cpus (NanoCpus) only: a period of 1000 is 100 CPUs
    "CpuQuota": one_of(0, rule="cpus"),
    "CpusetCpus": ANY,
    "CpusetMems": ANY,
    "PidsLimit": ANY,
    "Init": ANY,
    "OomKillDisable": _false("memory", "containers the OOM killer spares"),
    "Ulimits": _ulimits,
}

HOST: dict[str, CheckFn] = {
    **RESOURCES,
    "Binds": _binds,
    "Mounts": _mounts,
    "ContainerIDFile": ANY,
    "LogConfig": _log_config,
    "NetworkMode": _network_mode,
    "PortBindings": _ports,
    "PublishAllPorts": _publish_all,
    "RestartPolicy": _restart,
    "AutoRemove": ANY,
    "VolumeDriver": one_of("", "local", rule="volumes"),
    "ConsoleSize": ANY,
    "CapAdd": _caps,
    "CapDrop": ANY,
    "CgroupnsMode": _private("CgroupnsMode", ("", "private")),
    "Dns": ANY,
    "DnsOptions": ANY,
    "DnsSearch": ANY,
    "ExtraHosts": ANY,
    "GroupAdd": ANY,
    "IpcMode": _private("IpcMode", ("", "private", "shareable", "none")),
    "PidMode": _private("PidMode"),
    "UTSMode": _private("UTSMode"),
    "UsernsMode": _private("UsernsMode"),
    "OomScoreAdj": _oom_score,
    "Privileged": _false("privileged", "privileged containers"),
    "ReadonlyRootfs": ANY,
    "SecurityOpt": _security_opt,
    "Tmpfs": ANY,
    "ShmSize": _MEMORY,
    "Runtime": one_of("", "runc", rule="runtime"),
    "Isolation": one_of("", "default", rule="runtime"),
    "MaskedPaths": one_of(rule="paths"),  # [] would unmask /proc/kcore and the rest: only absent
    "ReadonlyPaths": one_of(rule="paths"),
}


def limits(host: dict[str, Any], policy: Policy, current: dict[str, Any] | None = None) -> None:
    """The limits a container ends up with, within the policy: on create the defaults fill what is
    not given; on update (``current``: its HostConfig now) what is not given stays as it is."""
    now = current or {}

    def value(name: str) -> int:
        given = host.get(name) or 0
        return int(given) if given or current is None else int(now.get(name) or 0)

    memory = value("Memory")
    if memory < 0 or memory > policy.memory.max:
        raise Refused(
            "memory", f"at most {int(policy.memory.max) >> 20} MiB, not {memory >> 20} MiB"
        )
    if current is None and not memory:
        host["Memory"] = memory = int(policy.memory.default)
    swap = value("MemorySwap")
    if swap < 0 or (swap and swap > policy.memory.max * 2):
        raise Refused("memory", "swap beyond the lab's memory limit is not allowed")
    nano = value("NanoCpus")
    if nano < 0 or nano / 1e9 > policy.cpus.max:
        raise Refused("cpus", f"at most {policy.cpus.max:g} CPUs, not {nano / 1e9:g}")
    if current is None and not nano:
        host["NanoCpus"] = int(policy.cpus.default * 1e9)
    if current is not None and not nano:
        raise Refused("cpus", "the container has no CPU limit: set --cpus")
    pids = host.get("PidsLimit")
    if current is None and (pids is None or pids <= 0):
        host["PidsLimit"] = int(policy.pids.default)
    elif pids is not None and not 0 < pids <= policy.pids.max:
        raise Refused("pids", f"between 1 and {policy.pids.max:g} processes, not {pids}")


# -- the bodies --------------------------------------------------------------------------------------


def _labels(value: Any, ctx: Context) -> dict[str, str]:
    """The student's label over theirs; the lab's own keys are not the student's to write."""
    labels = {k: v for k, v in (value or {}).items() if not k.startswith("dockmagic.lab.")}
    return {**labels, STUDENT_LABEL: ctx.student}


def _endpoint(settings: Any, ctx: Context, network_id: str) -> dict[str, Any]:
    settings = dict(settings or {})
    if settings.get("NetworkID") and ctx.network(settings["NetworkID"]) != network_id:
        raise Refused("network", "NetworkID names another network than its key")
    if settings.get("NetworkID"):
        settings["NetworkID"] = network_id
    return apply(settings, ENDPOINT, ctx, "EndpointConfig.")


ENDPOINT: dict[str, CheckFn] = {"IPAMConfig": ANY, "Aliases": ANY, "NetworkID": ANY}
ENDPOINT_DEFAULT: dict[str, CheckFn] = {"IPAMConfig": ANY, "Aliases": ANY}


def _endpoints(value: Any, ctx: Context) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, settings in (value or {}).items():
        if name in ("bridge", "default", "none"):
            if (settings or {}).get("NetworkID"):
                raise Refused(
                    "network",
                    f"NetworkID inside EndpointsConfig.{name}: name the network as the key",
                )
            out[name] = apply(
                dict(settings or {}), ENDPOINT_DEFAULT, ctx, f"EndpointsConfig.{name}."
            )
            continue
        network_id = ctx.network(name)
        out[network_id] = _endpoint(settings, ctx, network_id)
    return out


def _image(value: Any, ctx: Context) -> Any:
    if not isinstance(value, str) or not value:
        raise Refused("images", "a container needs an image")
    if not ctx.image(value):
        raise Refused(
            "images", f"{value} is not among the lab's images ({', '.join(ctx.policy.images)})"
        )
    return value


def _host(value: Any, ctx: Context) -> dict[str, Any]:
    host = apply(dict(value or {}), HOST, ctx, "HostConfig.")
    limits(host, ctx.policy)
    return host


def _networking(value: Any, ctx: Context) -> dict[str, Any]:
    return apply(dict(value or {}), {"EndpointsConfig": _endpoints}, ctx, "NetworkingConfig.")


_FREE_CONFIG = (  # Config fields that touch nothing beyond the container itself
    "Hostname Domainname User AttachStdin AttachStdout AttachStderr ExposedPorts Tty OpenStdin StdinOnce Env Cmd "
    "Healthcheck ArgsEscaped Volumes WorkingDir Entrypoint NetworkDisabled OnBuild StopSignal StopTimeout Shell"
)
CONTAINER: dict[str, CheckFn] = {
    **dict.fromkeys(_FREE_CONFIG.split(), ANY),
    "Image": _image,
    "Labels": _labels,
    "HostConfig": _host,
    "NetworkingConfig": _networking,
}


def check_container(body: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """A ContainerCreate body, refused or made the policy's (the student's label, the limits)."""
    body.setdefault("Image", None)
    body.setdefault("HostConfig", {})
    body.setdefault("Labels", {})
    return apply(body, CONTAINER, ctx, "")


def check_update(body: dict[str, Any], ctx: Context, current: dict[str, Any]) -> dict[str, Any]:
    """A ContainerUpdate body: the resources a student may set, checked merged with ``current``."""
    apply(body, {**RESOURCES, "RestartPolicy": _restart}, ctx, "")
    if not empty(body.get("Ulimits")):
        raise Refused("ulimits", "ulimits are set when a container is made")
    limits(body, ctx.policy, current)
    return body


_FREE_EXEC = "AttachStdin AttachStdout AttachStderr DetachKeys Tty Env Cmd User WorkingDir"
EXEC: dict[str, CheckFn] = {
    **dict.fromkeys(_FREE_EXEC.split(), ANY),
    "Privileged": _false("privileged", "privileged execs"),
}


def check_exec(body: dict[str, Any], ctx: Context) -> dict[str, Any]:
    return apply(body, EXEC, ctx, "")


def check_network(body: dict[str, Any], ctx: Context) -> dict[str, Any]:
    table: dict[str, CheckFn] = {
        "Name": ANY,
        "CheckDuplicate": ANY,
        "Driver": one_of("", "bridge", rule="network"),
        "Internal": ANY,
        "Attachable": ANY,
        "Labels": _labels,
        # a subnet of the student's choosing could shadow the host's own networks: the pools decide
        "IPAM": lambda v, c: apply(
            dict(v or {}), {"Driver": one_of("", "default", rule="network")}, c, "IPAM."
        ),
        "Scope": one_of("", "local", rule="network"),
    }
    body.setdefault("Labels", {})
    body["CheckDuplicate"] = True
    if not isinstance(body.get("Name"), str) or not re.fullmatch(
        r"[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}", body["Name"]
    ):
        raise Refused("network", "a network needs a name of letters, digits and . _ -")
    try:
        return apply(body, table, ctx, "")
    except Refused as exc:
        raise Refused("network", str(exc).split(": ", 1)[1]) from None


def check_volume(body: dict[str, Any], ctx: Context) -> dict[str, Any]:
    if not empty(body.get("DriverOpts")) or body.get("Driver") not in (None, "", "local"):
        raise Refused(
            "volumes",
            "volume drivers and their options are not allowed (a local volume can bind the host)",
        )
    name = body.get("Name") or ""
    if name and not re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9_.-]{1,127}", name):
        raise Refused("volumes", "a volume's name is letters, digits and . _ - (two or more)")
    body.setdefault("Labels", {})
    return apply(body, {"Name": ANY, "Driver": ANY, "DriverOpts": ANY, "Labels": _labels}, ctx, "")


def check_connect(body: dict[str, Any], ctx: Context, network_id: str) -> dict[str, Any]:
    body["EndpointConfig"] = _endpoint(body.get("EndpointConfig"), ctx, network_id)
    return body


__all__ = [
    "Context",
    "check_connect",
    "check_container",
    "check_exec",
    "check_update",
    "check_volume",
    "limits",
]
