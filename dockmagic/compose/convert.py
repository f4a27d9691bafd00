"""A Compose model's services, networks and volumes as the Engine API's create bodies, as
compose v2 writes them: the same container, network and volume either tool makes."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import OptionError
from ..options.values import as_capability, as_ulimit, compose_ulimits, extra_hosts
from . import files

if TYPE_CHECKING:
    from .model import Project

Json = dict[str, Any]
_DURATIONS = {"ns": 1, "us": 1e3, "µs": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9, "h": 3600e9}
_RESTART = {"no": "no", "always": "always", "unless-stopped": "unless-stopped"}


def nanoseconds(text: str) -> int:
    """A Go duration (as the model holds them: ``1m30s``) in nanoseconds."""
    import re

    return int(
        sum(float(n) * _DURATIONS[u] for n, u in re.findall(r"([\d.]+)(ns|us|µs|ms|s|m|h)", text))
    )


_CONDITIONS = {
    "none": "no",
    "no": "no",
    "on-failure": "on-failure",
    "unless-stopped": "unless-stopped",
}


def _restart(policy: str | None, deploy: Mapping[str, Any] | None = None) -> Json:
    """A restart policy: ``deploy.restart_policy`` over ``restart``, as compose reads them;
    none given is the engine's default, which it writes as ""."""
    if deploy is not None:
        condition = str(deploy.get("condition") or "")
        name = _CONDITIONS.get(condition, condition)
        return {"Name": name, "MaximumRetryCount": int(deploy.get("max_attempts") or 0)}
    if policy is None:
        return {"Name": "", "MaximumRetryCount": 0}
    name, _, retries = str(policy).partition(":")
    if name == "on-failure":
        return {"Name": "on-failure", "MaximumRetryCount": int(retries or 0)}
    if name not in _RESTART:
        raise OptionError(f"restart: {policy!r} (no, always, on-failure[:N] or unless-stopped)")
    return {"Name": _RESTART[name], "MaximumRetryCount": 0}


def _ports(ports: list[Json]) -> tuple[Json, Json]:
    exposed: Json = {}
    bindings: Json = {}
    for port in ports:
        key = f"{port['target']}/{port.get('protocol') or 'tcp'}"
        exposed[key] = {}
        binding = {"HostIp": port.get("host_ip", ""), "HostPort": str(port.get("published") or "")}
        bindings.setdefault(key, []).append(binding)
    return exposed, bindings


def _mounts(volumes: list[Json], project: Project) -> tuple[list[str], list[Json]]:
    """The service's volumes as compose passes them: binds and project volumes without advanced
    options as ``Binds`` strings (the engine then makes a missing host folder), the rest (an
    anonymous volume, nocopy, tmpfs, propagation) as ``Mounts``."""
    declared = project.model.get("volumes") or {}
    binds: list[str] = []
    mounts: list[Json] = []
    for v in volumes:
        bind, volume = v.get("bind"), v.get("volume") or {}
        source = v.get("source")
        if v["type"] == "bind" and not _bind_needs_mount(bind):
            binds.append(_bind_string(str(source), v))
            continue
        if (
            v["type"] == "volume"
            and source in declared
            and not (volume.get("nocopy") or volume.get("labels") or volume.get("subpath"))
        ):
            binds.append(_bind_string(declared[source]["name"], v))
            continue
        mount: Json = {"Type": v["type"], "Target": v["target"]}
        if v["type"] == "volume":
            if source:
                mount["Source"] = declared[source]["name"] if source in declared else source
            mount["VolumeOptions"] = {"NoCopy": True} if volume.get("nocopy") else {}
        elif v["type"] == "bind":
            mount["Source"] = source
            if propagation := (bind or {}).get("propagation"):
                mount["BindOptions"] = {"Propagation": propagation}
        elif v["type"] == "tmpfs":
            size = (v.get("tmpfs") or {}).get("size")
            mount["TmpfsOptions"] = {"SizeBytes": int(size)} if size else {}
        if v.get("read_only"):
            mount["ReadOnly"] = True
        mounts.append(mount)
    return binds, mounts


def _bind_needs_mount(bind: Mapping[str, Any] | None) -> bool:
    if bind is None:
        return False
    return not bind.get("create_host_path") or bool(
        bind.get("propagation") or bind.get("recursive")
    )


def _bind_string(source: str, v: Mapping[str, Any]) -> str:
    options = ["ro" if v.get("read_only") else "rw"]
    bind = v.get("bind") or {}
    options += [bind[k] for k in ("selinux", "propagation") if bind.get(k)]
    if (v.get("volume") or {}).get("nocopy"):
        options.append("nocopy")
    return f"{source}:{v['target']}:{','.join(options)}"


def _tmpfs(entry: str) -> tuple[str, str]:
    """``/tmp:size=1000000`` -> (``/tmp``, ``size=1000000``): the path and its mount options."""
    path, _, options = str(entry).partition(":")
    return path, options


def _logging(logging: Mapping[str, Any] | None) -> Json | None:
    if not logging:
        return None
    return {
        "Type": logging.get("driver") or "json-file",
        "Config": dict(logging.get("options") or {}),
    }


def _health(check: Mapping[str, Any]) -> Json:
    out: Json = {"Test": check.get("test") or []}
    if check.get("disable"):
        return {"Test": ["NONE"]}
    for key, field in (
        ("interval", "Interval"),
        ("timeout", "Timeout"),
        ("start_period", "StartPeriod"),
        ("start_interval", "StartInterval"),
    ):
        if key in check:
            out[field] = nanoseconds(check[key])
    if "retries" in check:
        out["Retries"] = int(check["retries"])
    return out


def _networks(
    project: Project,
    service: str,
    name: str,
    spec: Mapping[str, Any],
    aliases: bool = True,
    links: Sequence[str] = (),
) -> tuple[str | None, list[tuple[str, Json]]]:
    """The primary network (the highest ``priority``, then the first by name) and an endpoint for
    each network: the service's name and the container's are aliases on each, as compose gives
    them, with the container's links."""
    declared = project.model.get("networks") or {}
    attached = []
    by_priority = sorted(
        (spec.get("networks") or {}).items(),
        key=lambda kv: (-int((kv[1] or {}).get("priority") or 0), kv[0]),
    )
    for key, how in by_priority:
        network = declared[key]["name"] if key in declared else key
        how = how or {}
        named = [name, service, *how.get("aliases", [])] if aliases else [name]
        endpoint: Json = {"Aliases": named}
        if links:
            endpoint["Links"] = list(links)
        ipam = {
            field: how[key_]
            for key_, field in (
                ("ipv4_address", "IPv4Address"),
                ("ipv6_address", "IPv6Address"),
                ("link_local_ips", "LinkLocalIPs"),
            )
            if how.get(key_)
        }
        if ipam:
            endpoint["IPAMConfig"] = ipam
        options = dict(how.get("driver_opts") or {})
        if how.get("interface_name"):
            options["com.docker.network.endpoint.ifname"] = how["interface_name"]
        if options:
            endpoint["DriverOpts"] = options
        if how.get("mac_address"):
            endpoint["MacAddress"] = how["mac_address"]
        if how.get("gw_priority"):
            endpoint["GwPriority"] = int(how["gw_priority"])
        attached.append((network, endpoint))
    return (attached[0][0] if attached else None), attached


def image_of(project: Project, service: str) -> str:
    """The image a service runs: its ``image``, or the one ``build`` tags ``PROJECT-SERVICE``."""
    return str(project.services[service].get("image") or f"{project.name}-{service}")


def _all_mounts(
    project: Project, service: str, spec: Mapping[str, Any], inherited: list[Json]
) -> tuple[list[str], list[Json]]:
    """The service's volumes (an anonymous one replaced by the ``inherited`` volume at its
    target), then its file-backed secrets and configs where no volume is."""
    kept = {m["Target"] for m in inherited}
    volumes = [
        v
        for v in spec.get("volumes") or []
        if not (v["type"] == "volume" and not v.get("source") and v["target"] in kept)
    ]
    binds, mounts = _mounts(volumes, project)
    mounts += inherited
    taken = kept | {v["target"] for v in volumes}
    return binds, mounts + files.mounts(project, service, taken)


def _resources(spec: Mapping[str, Any]) -> Json:
    """The service's resource fields, ``deploy.resources`` over the service's own keys as compose
    sets them (a CPU reservation is Swarm's alone; PIDs only a limit)."""
    resources = (spec.get("deploy") or {}).get("resources") or {}
    limits, reservations = resources.get("limits") or {}, resources.get("reservations") or {}
    out: Json = {}
    cpus = limits.get("cpus", spec.get("cpus"))
    if cpus is not None:
        out["NanoCpus"] = int(float(cpus) * 1e9)
    for field, value in (
        ("Memory", limits.get("memory", spec.get("mem_limit"))),
        ("MemoryReservation", reservations.get("memory", spec.get("mem_reservation"))),
        ("MemorySwap", spec.get("memswap_limit")),
        ("PidsLimit", limits.get("pids") or spec.get("pids_limit")),
        ("CpuShares", spec.get("cpu_shares")),
        ("CpusetCpus", spec.get("cpuset")),
    ):
        if value is not None:
            out[field] = value if field == "CpusetCpus" else int(value)
    return out


_CDI_NAME = re.compile(r"^[a-z0-9.-]+/[a-z0-9._-]+=\S+$")  # vendor.com/class=name


def _devices(devices: list[Json] | None) -> list[Json] | None:
    mapped = [
        {
            "PathOnHost": d["source"],
            "PathInContainer": d["target"],
            "CgroupPermissions": d.get("permissions") or "rwm",
        }
        for d in devices or []
        if not _is_cdi(d)
    ]
    return mapped or None


def _is_cdi(device: Mapping[str, Any]) -> bool:
    return device["source"] == device["target"] and bool(_CDI_NAME.match(device["source"]))


def _device_requests(spec: Mapping[str, Any]) -> list[Json] | None:
    """GPUs and CDI devices, as compose asks the engine for them, in its order:
    ``deploy.resources.reservations.devices``, ``devices`` named by CDI, ``gpus``."""
    reserved = ((spec.get("deploy") or {}).get("resources") or {}).get("reservations") or {}
    out = [_device_request(d) for d in reserved.get("devices") or []]
    cdi = [d["source"] for d in spec.get("devices") or [] if _is_cdi(d)]
    if cdi:
        out.append({"Driver": "cdi", "DeviceIDs": cdi})
    out += [_device_request(gpu, extra=["gpu"]) for gpu in spec.get("gpus") or []]
    return out or None


def _device_request(device: Mapping[str, Any], extra: Sequence[str] = ()) -> Json:
    return {
        "Driver": device.get("driver") or "",
        "Count": int(device.get("count") or 0),
        "DeviceIDs": device.get("device_ids") or None,
        "Capabilities": [[*(device.get("capabilities") or []), *extra]],
        "Options": device.get("options") or None,
    }


def _security(project: Project, options: Sequence[str]) -> tuple[list[str], bool]:
    """``security_opt`` as compose sends it: a seccomp profile named by file is sent as its
    JSON; ``systempaths=unconfined`` (not an engine option) unmasks /proc and /sys."""
    import json

    out: list[str] = []
    unconfined = False
    for option in options:
        if option == "systempaths=unconfined":
            unconfined = True
            continue
        key, sep, value = option.partition("=")
        if not sep and option != "no-new-privileges":
            key, sep, value = option.partition(":")
            if not sep:
                raise OptionError(f"security_opt: invalid option {option!r}")
        if key == "seccomp" and value not in ("unconfined", "builtin"):
            path = project.directory / value
            try:
                profile = json.loads(path.read_text())
            except (OSError, ValueError) as exc:
                raise OptionError(f"security_opt: the seccomp profile {path}: {exc}") from None
            out.append("seccomp=" + json.dumps(profile, separators=(",", ":")))
        else:
            out.append(option)
    return out, unconfined


def _blkio(blkio: Mapping[str, Any] | None) -> Json:
    """``blkio_config`` (in the model's form: devices as ``Path``, ``Weight`` and ``Rate``)."""
    if not blkio:
        return {}
    out: Json = {}
    if blkio.get("weight"):
        out["BlkioWeight"] = int(blkio["weight"])
    for key, field, value in (
        ("weight_device", "BlkioWeightDevice", "Weight"),
        ("device_read_bps", "BlkioDeviceReadBps", "Rate"),
        ("device_write_bps", "BlkioDeviceWriteBps", "Rate"),
        ("device_read_iops", "BlkioDeviceReadIOps", "Rate"),
        ("device_write_iops", "BlkioDeviceWriteIOps", "Rate"),
    ):
        if blkio.get(key):
            out[field] = [{"Path": d["Path"], value: int(d[value])} for d in blkio[key]]
    return out


def _microseconds(value: Any) -> int:
    """``cpu_rt_period`` and ``cpu_rt_runtime``: a number of microseconds, or a duration."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    from .model import duration

    return nanoseconds(duration(value, "cpu_rt")) // 1000


def _more_host(spec: Mapping[str, Any]) -> Json:
    """What compose passes through as it is: namespaces, runtime, cgroups, CPU and memory
    tuning, storage and DNS options."""
    out: Json = {
        "IpcMode": spec.get("ipc"),
        "PidMode": spec.get("pid"),
        "UTSMode": spec.get("uts"),
        "UsernsMode": spec.get("userns_mode"),
        "CgroupnsMode": spec.get("cgroup"),
        "CgroupParent": spec.get("cgroup_parent"),
        "Isolation": spec.get("isolation"),
        "Runtime": spec.get("runtime"),
        "VolumesFrom": spec.get("volumes_from") or None,
        "StorageOpt": spec.get("storage_opt") or None,
        "DnsOptions": spec.get("dns_opt") or None,
        "Annotations": spec.get("annotations") or None,
        "DeviceCgroupRules": spec.get("device_cgroup_rules") or None,
        "DeviceRequests": _device_requests(spec),
        "OomKillDisable": True if spec.get("oom_kill_disable") else None,
    }
    for key, field in (
        ("mem_swappiness", "MemorySwappiness"),
        ("cpu_count", "CpuCount"),
        ("cpu_period", "CpuPeriod"),
        ("cpu_quota", "CpuQuota"),
    ):
        if spec.get(key) not in (None, 0, "0"):
            out[field] = int(spec[key])
    if spec.get("cpu_percent"):
        out["CpuPercent"] = int(float(spec["cpu_percent"]) * 100)
    for key, field in (
        ("cpu_rt_period", "CpuRealtimePeriod"),
        ("cpu_rt_runtime", "CpuRealtimeRuntime"),
    ):
        if spec.get(key):
            out[field] = _microseconds(spec[key])
    out.update(_blkio(spec.get("blkio_config")))
    return out


def _host_config(
    project: Project, service: str, spec: Mapping[str, Any], inherited: list[Json], bindings: Json
) -> Json:
    """The container's HostConfig (its network mode is set by the caller, with the networks)."""
    binds, mounts = _all_mounts(project, service, spec, inherited)
    host: Json = {
        "RestartPolicy": _restart(
            spec.get("restart"), (spec.get("deploy") or {}).get("restart_policy")
        ),
        "PortBindings": bindings,  # compose always sends one, {} if empty
        "Binds": binds or None,
        "Mounts": mounts or None,
        "ExtraHosts": extra_hosts([h.replace("=", ":", 1) for h in spec.get("extra_hosts") or []])
        or None,
        "CapAdd": [as_capability(c) for c in spec.get("cap_add") or []] or None,
        "CapDrop": [as_capability(c) for c in spec.get("cap_drop") or []] or None,
        "Tmpfs": dict(_tmpfs(entry) for entry in spec.get("tmpfs") or []) or None,
        "GroupAdd": spec.get("group_add") or None,
        "OomScoreAdj": spec.get("oom_score_adj"),
        "LogConfig": _logging(spec.get("logging")),
        "Ulimits": [as_ulimit(u) for u in compose_ulimits(spec.get("ulimits"))] or None,
        "Init": spec.get("init"),
        "ReadonlyRootfs": bool(spec.get("read_only")),
        "Privileged": bool(spec.get("privileged")),
        "ShmSize": int(spec["shm_size"]) if spec.get("shm_size") else None,
        "Sysctls": spec.get("sysctls") or None,
        "Dns": spec.get("dns") or None,
        "Devices": _devices(spec.get("devices")),
        "DnsSearch": spec.get("dns_search") or None,
    }
    host.update(_resources(spec))
    host.update(_more_host(spec))
    security, unconfined = _security(project, spec.get("security_opt") or [])
    host["SecurityOpt"] = security or None
    if unconfined:
        host["MaskedPaths"], host["ReadonlyPaths"] = [], []
    return host


def container_body(
    project: Project,
    service: str,
    ids: Mapping[str, str],
    labels: Json,
    name: str,
    *,
    inherited: Sequence[Json] = (),
    aliases: bool = True,
    links: Sequence[str] = (),
) -> tuple[Json, list[tuple[str, Json]]]:
    """The create body of ``service``'s container, and the networks to connect it to after;
    ``inherited``: the anonymous volumes of the container it replaces; ``aliases``: the
    service's names on its networks (a one-off container has only its own); ``links``: the
    legacy links compose resolved to containers."""
    from .model import resolved

    spec = resolved(project.services[service], ids)
    for entry in project.services[service].get("volumes_from") or []:
        other = str(entry).partition(":")[0]
        if other != "container" and other not in ids:
            raise OptionError(
                f"services.{service}.volumes_from: cannot share volume with service {other}: "
                "container missing"
            )
    exposed, bindings = _ports(spec.get("ports") or [])
    for port in spec.get("expose") or []:
        exposed.setdefault(str(port), {})  # as written: the engine reads "3000" as 3000/tcp
    host = _host_config(project, service, spec, list(inherited), bindings)
    host["Links"] = list(links) or None
    primary, attached = _networks(project, service, name, spec, aliases, links)
    mode = spec.get("network_mode")
    host["NetworkMode"] = mode or primary or "default"
    config: Json = {
        "Image": image_of(project, service),
        "Cmd": spec.get("command"),
        "Entrypoint": spec.get("entrypoint"),
        "Env": [
            f"{k}={v}" if v is not None else k for k, v in (spec.get("environment") or {}).items()
        ]
        or None,
        "Labels": labels,
        "ExposedPorts": exposed or None,
        "Hostname": spec.get("hostname"),
        "Domainname": spec.get("domainname"),
        "WorkingDir": spec.get("working_dir"),
        "User": spec.get("user"),
        "MacAddress": spec.get("mac_address"),
        "Tty": bool(spec.get("tty")),
        "OpenStdin": bool(spec.get("stdin_open")),
        "AttachStdout": True,
        "AttachStderr": True,
        "StopSignal": spec.get("stop_signal"),
        "StopTimeout": int(nanoseconds(spec["stop_grace_period"]) / 1e9)
        if spec.get("stop_grace_period")
        else None,
        "Healthcheck": _health(spec["healthcheck"]) if spec.get("healthcheck") else None,
        "HostConfig": {k: v for k, v in host.items() if v is not None},
    }
    if primary and not mode:
        config["NetworkingConfig"] = {"EndpointsConfig": {attached[0][0]: attached[0][1]}}
    body = {k: v for k, v in config.items() if v is not None}
    return body, ([] if mode else attached[1:])


def network_body(spec: Mapping[str, Any], labels: Json) -> Json:
    ipam = spec.get("ipam") or {}
    body: Json = {
        "Name": spec["name"],
        "Driver": spec.get("driver") or "bridge",
        "Options": spec.get("driver_opts") or {},
        "Labels": {**(spec.get("labels") or {}), **labels},
        "Internal": bool(spec.get("internal")),
        "Attachable": bool(spec.get("attachable")),
        "EnableIPv6": bool(spec.get("enable_ipv6")),
        "CheckDuplicate": True,
    }
    if ipam:
        pools = [
            {
                field: pool[key]
                for key, field in (
                    ("subnet", "Subnet"),
                    ("gateway", "Gateway"),
                    ("ip_range", "IPRange"),
                )
                if pool.get(key)
            }
            for pool in ipam.get("config") or []
        ]
        body["IPAM"] = {"Driver": ipam.get("driver") or "default", "Config": pools}
    return body


def volume_body(spec: Mapping[str, Any], labels: Json) -> Json:
    return {
        "Name": spec["name"],
        "Driver": spec.get("driver") or "local",
        "DriverOpts": spec.get("driver_opts") or {},
        "Labels": {**(spec.get("labels") or {}), **labels},
    }
