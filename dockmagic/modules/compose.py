"""A Compose file as a play: its networks, volumes and services become ``network``, ``volume``,
``image`` and ``container`` tasks, applied idempotently with check mode and diff.

Names and labels follow Docker Compose v2 (``PROJECT-SERVICE-1``, ``PROJECT_default``, the
``com.docker.compose.*`` labels), so what a lab's ``compose.yaml`` makes here looks as Compose
would make it. A key this module does not know is refused by name, never ignored.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import OptionError
from ..options.swarm.composefile import as_list, pairs, parsed
from ..options.values import compose_ulimits, extra_hosts_mapping, parse_duration
from .result import ModuleError

SERVICE_KEYS = {
    "image", "build", "command", "entrypoint", "environment", "env_file", "ports", "expose", "volumes",
    "networks", "network_mode", "depends_on", "healthcheck", "labels", "restart", "deploy", "container_name",
    "working_dir", "user", "hostname", "domainname", "privileged", "read_only", "tmpfs", "cap_add", "cap_drop",
    "extra_hosts", "dns", "dns_search", "init", "stop_signal", "stop_grace_period", "shm_size", "ulimits",
    "sysctls", "devices", "security_opt", "logging", "pid", "ipc", "tty", "stdin_open", "mem_limit",
    "mem_reservation", "cpus", "cpu_shares", "pids_limit", "platform", "pull_policy", "group_add", "mac_address",
}  # fmt: skip
_SIMPLE = {  # compose key -> container option (community.docker's name)
    "entrypoint": "entrypoint",
    "working_dir": "working_dir",
    "user": "user",
    "hostname": "hostname",
    "domainname": "domainname",
    "privileged": "privileged",
    "read_only": "read_only",
    "tmpfs": "tmpfs",
    "cap_add": "capabilities",
    "cap_drop": "cap_drop",
    "dns": "dns_servers",
    "dns_search": "dns_search_domains",
    "init": "init",
    "stop_signal": "stop_signal",
    "shm_size": "shm_size",
    "sysctls": "sysctls",
    "devices": "devices",
    "security_opt": "security_opts",
    "pid": "pid_mode",
    "ipc": "ipc_mode",
    "tty": "tty",
    "stdin_open": "interactive",
    "mem_limit": "memory",
    "mem_reservation": "memory_reservation",
    "cpus": "cpus",
    "cpu_shares": "cpu_shares",
    "pids_limit": "pids_limit",
    "platform": "platform",
    "group_add": "groups",
    "mac_address": "mac_address",
    "expose": "exposed_ports",
}


def _port(spec: Any) -> str:
    """Short (``"8080:80"``) or long (``{target, published, host_ip, protocol}``) syntax."""
    if not isinstance(spec, Mapping):
        return str(spec)
    text = str(spec["target"])
    if spec.get("published"):
        text = f"{spec['published']}:{text}"
        if spec.get("host_ip"):
            text = f"{spec['host_ip']}:{text}"
    return f"{text}/{spec['protocol']}" if spec.get("protocol") else text


class _Project:
    def __init__(self, data: Mapping[str, Any], name: str, base: Path) -> None:
        self.data, self.name, self.base = data, name, base
        self.networks: dict[str, Any] = dict(data.get("networks") or {})
        self.volumes: dict[str, Any] = dict(data.get("volumes") or {})
        self.services: dict[str, Any] = dict(data.get("services") or {})
        if not self.services:
            raise ModuleError("a compose file needs services:")
        unknown = set(data) - {"name", "version", "services", "networks", "volumes"}
        if unknown:
            raise ModuleError(
                f"compose keys not supported by dockmagic: {', '.join(sorted(unknown))}"
            )

    def labels(self, **more: str) -> dict[str, str]:
        """Compose v2's own labels; a service's container is its number 1."""
        out = {
            "com.docker.compose.project": self.name,
            **{f"com.docker.compose.{k}": v for k, v in more.items()},
        }
        if "service" in more:
            out["com.docker.compose.container-number"] = "1"
        return out

    def network_name(self, key: str) -> str:
        spec = self.networks.get(key) or {}
        return str(spec.get("name") or f"{self.name}_{key}")

    def volume_name(self, key: str) -> str:
        spec = self.volumes.get(key) or {}
        return str(spec.get("name") or f"{self.name}_{key}")

    def container_name(self, service: str) -> str:
        return str(self.services[service].get("container_name") or f"{self.name}-{service}-1")

    def uses_default_network(self) -> bool:
        return any("networks" not in s and "network_mode" not in s for s in self.services.values())

    def order(self) -> list[str]:
        """Services after those they depend on (depends_on), as Compose starts them."""
        done: list[str] = []

        def visit(name: str, path: tuple[str, ...]) -> None:
            if name in done:
                return
            if name in path:
                raise ModuleError(f"depends_on has a cycle: {' -> '.join((*path, name))}")
            if name not in self.services:
                raise ModuleError(
                    f"service {path[-1]!r} depends on {name!r}, which is not a service"
                )
            deps = self.services[name].get("depends_on")
            for dep in list(deps) if isinstance(deps, Mapping) else as_list(deps):
                visit(dep, (*path, name))
            done.append(name)

        for name in self.services:
            visit(name, ())
        return done


def _network_task(project: _Project, key: str) -> dict[str, Any] | None:
    spec = project.networks.get(key) or {}
    if spec.get("external"):
        return None
    ipam = spec.get("ipam") or {}
    args: dict[str, Any] = {
        "name": project.network_name(key),
        "driver": spec.get("driver") or "bridge",
        "labels": {**pairs(spec.get("labels"), "labels"), **project.labels(network=key)},
    }
    if spec.get("driver_opts"):
        args["driver_options"] = pairs(spec["driver_opts"], "driver_opts")
    if ipam.get("config"):
        keys = {
            "subnet": "subnet",
            "gateway": "gateway",
            "ip_range": "iprange",
            "aux_addresses": "aux_addresses",
        }
        args["ipam_config"] = [
            {keys[k]: v for k, v in c.items() if k in keys} for c in ipam["config"]
        ]
    if ipam.get("driver"):
        args["ipam_driver"] = ipam["driver"]
    for key_ in ("internal", "attachable", "enable_ipv6"):
        if key_ in spec:
            args[key_] = bool(spec[key_])
    return {"name": f"network {key}", "network": args}


def _volume_task(project: _Project, key: str) -> dict[str, Any] | None:
    spec = project.volumes.get(key) or {}
    if spec.get("external"):
        return None
    args: dict[str, Any] = {
        "name": project.volume_name(key),
        "labels": {**pairs(spec.get("labels"), "labels"), **project.labels(volume=key)},
    }
    if spec.get("driver"):
        args["driver"] = spec["driver"]
    if spec.get("driver_opts"):
        args["driver_options"] = pairs(spec["driver_opts"], "driver_opts")
    return {"name": f"volume {key}", "volume": args}


def _volume_entry(project: _Project, spec: Any) -> tuple[str, Any]:
    """("volumes", "src:dst[:mode]") or ("mounts", {...}): named volumes get the project's name,
    relative host paths are taken from the compose file's folder."""
    if isinstance(spec, Mapping):
        mount = {k: v for k, v in spec.items() if k in ("type", "source", "target", "read_only")}
        if mount.get("type", "volume") == "volume" and mount.get("source") in project.volumes:
            mount["source"] = project.volume_name(mount["source"])
        elif mount.get("type") == "bind":
            mount["source"] = str((project.base / mount["source"]).resolve())
        return "mounts", mount
    parts = str(spec).split(":")
    if len(parts) == 1:
        return "volumes", parts[0]
    source = parts[0]
    if source.startswith((".", "~")):
        source = str((project.base / os.path.expanduser(source)).resolve())
    elif not source.startswith("/"):
        if source not in project.volumes:
            raise ModuleError(
                f"volume {source!r} is used by a service but not declared under volumes:"
            )
        source = project.volume_name(source)
    return "volumes", ":".join([source, *parts[1:]])


def _service_networks(
    project: _Project, service: str, spec: Mapping[str, Any]
) -> list[dict[str, Any]]:
    wanted = spec.get("networks")
    keys: dict[str, Any] = (
        dict(wanted)
        if isinstance(wanted, Mapping)
        else dict.fromkeys(as_list(wanted))
        if wanted is not None
        else {"default": None}
    )
    out = []
    for key, extra in keys.items():
        if key != "default" and key not in project.networks:
            raise ModuleError(
                f"service {service!r} uses network {key!r}, which is not declared under networks:"
            )
        extra = extra or {}
        entry = {
            "name": project.network_name(key),
            "aliases": [service, *(extra.get("aliases") or [])],
        }
        if extra.get("ipv4_address"):
            entry["ipv4_address"] = extra["ipv4_address"]
        out.append(entry)
    return out


def _container_task(project: _Project, service: str) -> list[dict[str, Any]]:
    spec = project.services[service] or {}
    unknown = set(spec) - SERVICE_KEYS
    if unknown:
        raise ModuleError(
            f"service {service!r}: keys not supported by dockmagic: {', '.join(sorted(unknown))}"
        )
    tasks: list[dict[str, Any]] = []
    image = spec.get("image") or f"{project.name}-{service}"
    if spec.get("build"):
        build = spec["build"] if isinstance(spec["build"], Mapping) else {"context": spec["build"]}
        build_args: dict[str, Any] = {
            "path": str((project.base / str(build.get("context", "."))).resolve())
        }
        if build.get("dockerfile"):
            build_args["dockerfile"] = build["dockerfile"]
        if build.get("args"):
            build_args["args"] = pairs(build["args"], "build args")
        if build.get("target"):
            build_args["target"] = build["target"]
        tasks.append(
            {
                "name": f"build {service}",
                "image": {"name": image, "source": "build", "build": build_args},
            }
        )
    args: dict[str, Any] = {
        "name": project.container_name(service),
        "image": image,
        "labels": {
            **pairs(spec.get("labels"), "labels"),
            **project.labels(service=service, **{"container-number": "1"}),
        },
    }
    if "command" in spec:
        args["command"] = spec["command"]
    for key, option in _SIMPLE.items():
        if key in spec:
            args[option] = spec[key]
    if "environment" in spec:
        args["env"] = pairs(spec["environment"], "environment")
    if "env_file" in spec:
        files = [str(project.base / f) for f in as_list(spec["env_file"])]
        args["env_file"] = files if len(files) > 1 else files[0]
    if "ports" in spec:
        args["published_ports"] = [_port(p) for p in spec["ports"]]
    for entry in spec.get("volumes") or []:
        kind, value = _volume_entry(project, entry)
        args.setdefault(kind, []).append(value)
    if "network_mode" in spec:
        args["network_mode"] = spec["network_mode"]
    else:
        args["networks"] = _service_networks(project, service, spec)
    if "restart" in spec:
        policy, _, retries = str(spec["restart"]).partition(":")
        args["restart_policy"] = policy
        if retries:
            args["restart_retries"] = int(retries)
    if "extra_hosts" in spec:
        args["etc_hosts"] = extra_hosts_mapping(spec["extra_hosts"])
    if "stop_grace_period" in spec:
        args["stop_timeout"] = int(parse_duration(spec["stop_grace_period"]))
    if "ulimits" in spec:
        args["ulimits"] = compose_ulimits(spec["ulimits"])
    if "logging" in spec:
        args["log_driver"] = spec["logging"].get("driver")
        if spec["logging"].get("options"):
            args["log_options"] = spec["logging"]["options"]
    if "healthcheck" in spec:
        args["healthcheck"] = spec["healthcheck"]  # the module reads Compose's form
    resources = (spec.get("deploy") or {}).get("resources") or {}
    limits, reservations = resources.get("limits") or {}, resources.get("reservations") or {}
    for key, option in (("cpus", "cpus"), ("memory", "memory"), ("pids", "pids_limit")):
        if key in limits:
            args[option] = limits[key]
    if "memory" in reservations:
        args["memory_reservation"] = reservations["memory"]
    if spec.get("pull_policy") in ("always", "missing", "never"):
        args["pull"] = spec["pull_policy"]
    tasks.append({"name": f"service {service}", "container": args})
    return tasks


def compose_tasks(
    source: str | Mapping[str, Any], *, project: str | None = None, down: bool = False, volumes: bool = False,
    base: str | os.PathLike[str] | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """The play for a Compose file: ``up`` (networks, volumes, then services in dependency order), or
    ``down`` (services, then networks; volumes too with ``volumes``)."""
    try:
        data = parsed(source)
    except OptionError as exc:  # a module's error, as the rest of the file's
        raise ModuleError(str(exc)) from None
    folder = Path(base or os.getcwd())
    name = project or str(
        data.get("name") or re.sub(r"[^a-z0-9_-]", "", folder.name.lower()) or "default"
    )
    proj = _Project(data, name, folder)
    order = proj.order()
    network_keys = list(proj.networks) + (
        ["default"] if proj.uses_default_network() and "default" not in proj.networks else []
    )
    tasks: list[dict[str, Any]]
    if down:
        tasks = [
            {
                "name": f"remove {s}",
                "container": {"name": proj.container_name(s), "state": "absent"},
            }
            for s in reversed(order)
        ]
        tasks += [
            {
                "name": f"remove network {k}",
                "network": {"name": proj.network_name(k), "state": "absent"},
            }
            for k in network_keys
            if not (proj.networks.get(k) or {}).get("external")
        ]
        if volumes:
            tasks += [
                {
                    "name": f"remove volume {k}",
                    "volume": {"name": proj.volume_name(k), "state": "absent"},
                }
                for k in proj.volumes
                if not (proj.volumes.get(k) or {}).get("external")
            ]
        return tasks
    tasks = [t for k in network_keys if (t := _network_task(proj, k))]
    tasks += [t for k in proj.volumes if (t := _volume_task(proj, k))]
    for service in order:
        tasks += _container_task(proj, service)
        if _waits_for_health(proj, service):
            tasks[-1]["container"] = dict(tasks[-1]["container"], state="healthy")
    return tasks


def _waits_for_health(project: _Project, service: str) -> bool:
    """Another service depends on this one with ``condition: service_healthy``."""
    for spec in project.services.values():
        deps = spec.get("depends_on")
        if (
            isinstance(deps, Mapping)
            and (deps.get(service) or {}).get("condition") == "service_healthy"
        ):
            return True
    return False
