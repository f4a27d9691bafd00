"""A Compose file as a swarm stack (``docker stack deploy``): the networks, secrets, configs and
service specs the docker CLI makes from it, named and labelled as the CLI names them
(``STACK_web``, ``com.docker.stack.namespace``), so a stack deployed by either is the same stack.

Only the conversion lives here; the engine calls are in ``helpers/swarm/stacks.py``. A key the CLI ignores
for a swarm (``build``, ``container_name``, ...) is reported, as the CLI reports it; a key nobody
knows is refused by name.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import OptionError
from .. import values
from . import composefile
from .service import service_mode

NAMESPACE = "com.docker.stack.namespace"
IMAGE_LABEL = "com.docker.stack.image"

# what the CLI's stack deploy reads of a service; IGNORED it skips with a warning
SERVICE_KEYS = {
    "image", "command", "entrypoint", "environment", "env_file", "labels", "deploy", "ports", "networks",
    "volumes", "secrets", "configs", "healthcheck", "hostname", "user", "working_dir", "stop_grace_period",
    "stop_signal", "tty", "stdin_open", "read_only", "init", "extra_hosts", "dns", "dns_search", "cap_add",
    "cap_drop", "sysctls", "ulimits", "logging", "isolation", "oom_score_adj", "restart", "tmpfs",
}  # fmt: skip
IGNORED = {
    "build", "cgroup_parent", "cgroupns_mode", "container_name", "depends_on", "devices", "domainname", "expose",
    "external_links", "ipc", "links", "mac_address", "network_mode", "pid", "privileged", "security_opt",
    "shm_size", "userns_mode",
}  # fmt: skip
FORBIDDEN = {  # keys the CLI refuses, with the way it points to
    "extends": "extends is not supported by stack deploy",
    "volumes_from": "volumes_from is not supported: use named volumes",
    "cpu_quota": "use deploy.resources.limits.cpus", "cpu_shares": "use deploy.resources.limits.cpus",
    "cpuset": "use deploy.resources", "mem_limit": "use deploy.resources.limits.memory",
    "memswap_limit": "use deploy.resources", "volume_driver": "use the volume's driver",
}  # fmt: skip
TOP_KEYS = {"version", "name", "services", "networks", "volumes", "secrets", "configs"}
DEPLOY_KEYS = {
    "mode", "replicas", "labels", "resources", "restart_policy", "placement", "update_config",
    "rollback_config", "endpoint_mode",
}  # fmt: skip


@dataclass
class StackPlan:
    """What a stack is made of, as the engine's create bodies."""

    name: str
    networks: dict[str, dict[str, Any]] = field(
        default_factory=dict
    )  # name -> POST /networks/create body
    external_networks: list[str] = field(default_factory=list)
    secrets: list[dict[str, Any]] = field(default_factory=list)  # SecretSpec
    configs: list[dict[str, Any]] = field(default_factory=list)  # ConfigSpec
    services: dict[str, dict[str, Any]] = field(default_factory=dict)  # service key -> ServiceSpec
    ignored: list[str] = field(default_factory=list)  # service keys skipped, as the CLI skips them


class _Stack:
    def __init__(self, name: str, data: Mapping[str, Any], base: Path) -> None:
        if not name or not all(c.isalnum() or c in "-_" for c in name):
            raise OptionError(f"invalid stack name {name!r} (letters, digits, - and _)")
        unknown = sorted(set(data) - TOP_KEYS)
        if unknown:
            raise OptionError(f"compose keys not supported by stack deploy: {', '.join(unknown)}")
        self.name, self.base = name, base
        self.services: dict[str, Any] = dict(data.get("services") or {})
        if not self.services:
            raise OptionError("a compose file needs services:")
        self.networks = _section(data, "networks")
        self.volumes = _section(data, "volumes")
        self.secrets = _section(data, "secrets")
        self.configs = _section(data, "configs")

    def scope(self, key: str) -> str:
        return f"{self.name}_{key}"

    def labels(self, given: Any = None) -> dict[str, str]:
        return {**composefile.pairs(given, "labels"), NAMESPACE: self.name}

    def object_name(self, section: dict[str, Any], key: str, what: str) -> str:
        if key not in section:
            raise OptionError(f"undefined {what} {key!r}")
        return str((section[key] or {}).get("name") or self.scope(key))

    def path(self, text: str) -> Path:
        return (self.base / Path(text).expanduser()).resolve()


def _section(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    section = data.get(key) or {}
    if not isinstance(section, Mapping):
        raise OptionError(f"{key}: is a mapping of names")
    return {str(k): dict(v or {}) for k, v in section.items()}


# -- parts of a service ---------------------------------------------------------------------------


def _environment(stack: _Stack, spec: Mapping[str, Any]) -> list[str]:
    """env_file first, environment over it; a name without a value stays a bare name; sorted, as
    the CLI sends them."""
    env: dict[str, str | None] = {}
    for path in composefile.as_list(spec.get("env_file")):
        for line in values.read_kv_file(stack.path(str(path)), "env_file"):
            key, sep, value = line.partition("=")
            env[key] = value if sep else None
    given = spec.get("environment")
    if isinstance(given, Mapping):
        env.update({str(k): None if x is None else values.scalar(x) for k, x in given.items()})
    else:
        for item in composefile.as_list(given):
            key, sep, value = str(item).partition("=")
            env[key] = value if sep else None
    return sorted(k if x is None else f"{k}={x}" for k, x in env.items())


def _ports(given: Any) -> list[dict[str, Any]]:
    ports = []
    for item in composefile.as_list(given):
        if isinstance(item, Mapping):
            ports.append(
                {
                    "Protocol": str(item.get("protocol") or "tcp"),
                    "TargetPort": int(item["target"]),
                    "PublishedPort": int(item.get("published") or 0),
                    "PublishMode": str(item.get("mode") or "ingress"),
                }
            )
            continue
        text, _, protocol = str(item).partition("/")
        parts = text.split(":")
        if len(parts) > 2:
            raise OptionError(
                f"ports: {item!r}: a host address is not for swarm services (PUBLISHED:TARGET)"
            )
        published, target = parts if len(parts) == 2 else ("", parts[0])
        pub, tgt = (
            values.port_range(published, "ports") if published else [],
            values.port_range(target, "ports"),
        )
        if pub and len(pub) != len(tgt):
            raise OptionError(f"ports: {item!r}: the two ranges differ in length")
        for i, port in enumerate(tgt):
            ports.append(
                {
                    "Protocol": protocol or "tcp",
                    "TargetPort": port,
                    "PublishedPort": pub[i] if pub else 0,
                    "PublishMode": "ingress",
                }
            )
    return sorted(
        ports, key=lambda p: (p["PublishedPort"], p["TargetPort"], p["Protocol"], p["PublishMode"])
    )


def _mounts(stack: _Stack, given: Any) -> list[dict[str, Any]]:
    mounts = []
    for item in composefile.as_list(given):
        if isinstance(item, Mapping):
            kind, source, target = (
                str(item.get("type") or "volume"),
                str(item.get("source") or ""),
                item.get("target"),
            )
            read_only = bool(item.get("read_only"))
            extra = {k: item[k] for k in ("volume", "bind", "tmpfs") if k in item}
        else:
            parts = str(item).split(":")
            if len(parts) == 1:
                kind, source, target, read_only, extra = "volume", "", parts[0], False, {}
            else:
                source, target = parts[0], parts[1]
                read_only = len(parts) > 2 and "ro" in parts[2].split(",")
                kind = "bind" if source.startswith((".", "/", "~")) else "volume"
                extra = {}
        if not target:
            raise OptionError(f"volumes: {item!r} has no target")
        mount: dict[str, Any] = {"Type": kind, "Target": str(target)}
        if read_only:
            mount["ReadOnly"] = True
        if kind == "bind":
            if not source:
                raise OptionError(f"volumes: {item!r}: a bind mount needs a source")
            mount["Source"] = str(stack.path(source))
            if "bind" in extra:
                mount["BindOptions"] = {"Propagation": str(extra["bind"].get("propagation") or "")}
        elif kind == "volume" and source:
            mount["Source"] = stack.object_name(
                stack.volumes, source, "volume"
            )  # "undefined volume" if not there
            volume = stack.volumes[source]
            options: dict[str, Any] = {}
            if (extra.get("volume") or {}).get("nocopy"):
                options["NoCopy"] = True
            if not volume.get("external"):
                options["Labels"] = stack.labels(volume.get("labels"))
                if volume.get("driver") or volume.get("driver_opts") is not None:
                    driver: dict[str, Any] = {"Name": str(volume.get("driver") or "")}
                    if volume.get("driver_opts") is not None:
                        driver["Options"] = composefile.pairs(volume["driver_opts"], "driver_opts")
                    options["DriverConfig"] = driver
            mount["VolumeOptions"] = options
        elif kind == "tmpfs":
            if source:
                raise OptionError(f"volumes: {item!r}: a tmpfs mount has no source")
            if "tmpfs" in extra and extra["tmpfs"].get("size") is not None:
                mount["TmpfsOptions"] = {"SizeBytes": values.parse_bytes(extra["tmpfs"]["size"])}
        elif kind != "volume":
            raise OptionError(f"volumes: type {kind!r} (volume, bind or tmpfs)")
        mounts.append(mount)
    return mounts


def _references(stack: _Stack, given: Any, kind: str) -> list[dict[str, Any]]:
    """A service's secrets or configs: NAME, or {source, target, uid, gid, mode}; by name, sorted."""
    section = stack.secrets if kind == "secret" else stack.configs
    refs = []
    for item in composefile.as_list(given):
        item = {"source": item} if isinstance(item, str) else dict(item)
        source = str(item.get("source") or "")
        name = stack.object_name(section, source, kind)
        mode = item.get("mode", 0o444)
        refs.append(
            {
                "File": {
                    "Name": str(item.get("target") or source),
                    "UID": str(item.get("uid", "0")),
                    "GID": str(item.get("gid", "0")),
                    "Mode": int(mode, 8) if isinstance(mode, str) else int(mode),
                },
                f"{kind.capitalize()}Name": name,
            }
        )
    return sorted(refs, key=lambda r: (r[f"{kind.capitalize()}Name"], r["File"]["Name"]))


def _policy(given: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """deploy.update_config / rollback_config: parallelism 1 unless given, as the CLI."""
    if given is None:
        return None
    policy: dict[str, Any] = {"Parallelism": int(given.get("parallelism", 1))}
    if given.get("delay") is not None:
        policy["Delay"] = values.nanoseconds(given["delay"])
    if given.get("failure_action"):
        policy["FailureAction"] = str(given["failure_action"])
    if given.get("monitor") is not None:
        policy["Monitor"] = values.nanoseconds(given["monitor"])
    if given.get("max_failure_ratio") is not None:
        policy["MaxFailureRatio"] = float(given["max_failure_ratio"])
    if given.get("order"):
        policy["Order"] = str(given["order"])
    return policy


def _restart(deploy: Mapping[str, Any], restart: Any) -> dict[str, Any] | None:
    given = deploy.get("restart_policy")
    if given is not None:
        policy: dict[str, Any] = {"Condition": str(given.get("condition") or "")}
        for key, field_ in (("delay", "Delay"), ("window", "Window")):
            if given.get(key) is not None:
                policy[field_] = values.nanoseconds(given[key])
        if given.get("max_attempts") is not None:
            policy["MaxAttempts"] = int(given["max_attempts"])
        return policy
    if not restart or restart == "no":  # the legacy key, as the CLI falls back to it
        return None
    name, _, count = str(restart).partition(":")
    condition = {"always": "any", "unless-stopped": "any", "on-failure": "on-failure"}.get(name)
    if condition is None:
        raise OptionError(f"restart: {restart!r} (no, always, on-failure[:N] or unless-stopped)")
    return {
        "Condition": condition,
        **({"MaxAttempts": int(count)} if count and int(count) > 0 else {}),
    }


def _resources(given: Mapping[str, Any] | None) -> dict[str, Any]:
    resources: dict[str, Any] = {}
    for key, field_ in (("limits", "Limits"), ("reservations", "Reservations")):
        part = (given or {}).get(key)
        if part is None:
            continue
        out: dict[str, Any] = {}
        if part.get("cpus") is not None:
            out["NanoCPUs"] = values.nano_cpus(part["cpus"])
        if part.get("memory") is not None:
            out["MemoryBytes"] = values.parse_bytes(part["memory"])
        if key == "limits" and part.get("pids") is not None:
            out["Pids"] = int(part["pids"])
        if key == "reservations" and part.get("generic_resources"):
            out["GenericResources"] = [
                {"DiscreteResourceSpec": {"Kind": str(r["discrete_resource_spec"]["kind"]),
                                          "Value": int(r["discrete_resource_spec"]["value"])}}
                for r in part["generic_resources"]
            ]  # fmt: skip
        resources[field_] = out
    return resources


def _networks(stack: _Stack, key: str, given: Any) -> list[dict[str, Any]]:
    wanted: dict[str, Any] = (
        {str(k): dict(x or {}) for k, x in given.items()} if isinstance(given, Mapping)
        else {str(k): {} for k in composefile.as_list(given)}
    ) or {"default": {}}  # fmt: skip
    attached = []
    for name, options in wanted.items():
        if name not in stack.networks and name != "default":
            raise OptionError(f"service {key!r}: undefined network {name!r}")
        target = str((stack.networks.get(name) or {}).get("name") or stack.scope(name))
        aliases = [str(a) for a in options.get("aliases") or []]
        if target not in ("host", "bridge", "none"):  # only user-defined networks take aliases
            aliases.append(key)
        attachment: dict[str, Any] = {"Target": target, "Aliases": aliases}
        if options.get("driver_opts"):
            attachment["DriverOpts"] = composefile.pairs(options["driver_opts"], "driver_opts")
        attached.append(attachment)
    return sorted(attached, key=lambda n: n["Target"])


def _placement(given: Mapping[str, Any]) -> dict[str, Any]:
    preferences = [
        {"Spread": {"SpreadDescriptor": str(p["spread"])}} for p in given.get("preferences") or []
    ]
    placement = {
        "Constraints": [str(c) for c in given.get("constraints") or []],
        "Preferences": preferences,
        "MaxReplicas": given.get("max_replicas_per_node"),
    }
    return {k: x for k, x in placement.items() if x}


def _checked(key: str, spec: Mapping[str, Any], ignored: set[str]) -> dict[str, Any]:
    """A service's keys checked against what stack deploy supports; its deploy section."""
    for bad, why in FORBIDDEN.items():
        if bad in spec:
            raise OptionError(f"service {key!r}: {bad}: {why}")
    unknown = sorted(set(spec) - SERVICE_KEYS - IGNORED)
    if unknown:
        raise OptionError(
            f"service {key!r}: keys not supported by stack deploy: {', '.join(unknown)}"
        )
    ignored.update(set(spec) & IGNORED)
    if not spec.get("image"):
        raise OptionError(f"service {key!r} needs an image (stack deploy does not build)")
    deploy = dict(spec.get("deploy") or {})
    if unknown := sorted(set(deploy) - DEPLOY_KEYS):
        raise OptionError(f"service {key!r}: deploy keys not supported: {', '.join(unknown)}")
    return deploy


def _container_spec(stack: _Stack, spec: Mapping[str, Any]) -> dict[str, Any]:
    """The service's ContainerSpec, as docker stack converts a Compose service."""
    image = str(spec["image"])
    container: dict[str, Any] = {
        "Image": image,
        "Labels": stack.labels(spec.get("labels")),
        "Privileges": {"CredentialSpec": None, "SELinuxContext": None},
        "Isolation": str(spec.get("isolation") or "default"),
    }
    simple = {
        "Command": values.as_command(spec.get("entrypoint")),
        "Args": values.as_command(spec.get("command")),
        "Hostname": spec.get("hostname"),
        "Env": _environment(stack, spec) or None,
        "Dir": spec.get("working_dir"),
        "User": None if spec.get("user") is None else str(spec["user"]),
        "Mounts": _mounts(stack, spec.get("volumes")) or None,
        "StopGracePeriod": None
        if spec.get("stop_grace_period") is None
        else values.nanoseconds(spec["stop_grace_period"]),
        "StopSignal": spec.get("stop_signal"),
        "TTY": spec.get("tty"),
        "OpenStdin": spec.get("stdin_open"),
        "ReadOnly": spec.get("read_only"),
        "Init": spec.get("init"),
        "Healthcheck": values.healthcheck(spec.get("healthcheck")),
        "Hosts": values.hosts_lines(spec.get("extra_hosts") or []) or None,
        "Secrets": _references(stack, spec.get("secrets"), "secret") or None,
        "Configs": _references(stack, spec.get("configs"), "config") or None,
        "Sysctls": composefile.pairs(spec.get("sysctls"), "sysctls") or None,
        "CapabilityAdd": [values.as_capability(c) for c in composefile.as_list(spec.get("cap_add"))]
        or None,
        "CapabilityDrop": [
            values.as_capability(c) for c in composefile.as_list(spec.get("cap_drop"))
        ]
        or None,
        "Ulimits": [values.as_ulimit(u) for u in values.compose_ulimits(spec.get("ulimits"))]
        or None,
        "OomScoreAdj": spec.get("oom_score_adj"),
    }
    container.update({k: x for k, x in simple.items() if x not in (None, False, "")})
    if spec.get("dns") or spec.get("dns_search"):
        container["DNSConfig"] = {
            k: x
            for k, x in (
                ("Nameservers", composefile.as_list(spec.get("dns"))),
                ("Search", composefile.as_list(spec.get("dns_search"))),
            )
            if x
        }
    return container


def _service(stack: _Stack, key: str, spec: Mapping[str, Any], ignored: set[str]) -> dict[str, Any]:
    deploy = _checked(key, spec, ignored)
    image = str(spec["image"])
    container = _container_spec(stack, spec)
    task: dict[str, Any] = {
        "ContainerSpec": container,
        "Resources": _resources(deploy.get("resources")),
        "Placement": _placement(deploy.get("placement") or {}),
        "Networks": _networks(stack, key, spec.get("networks")),
    }
    if (restart := _restart(deploy, spec.get("restart"))) is not None:
        task["RestartPolicy"] = restart
    if spec.get("logging"):
        logging = spec["logging"]
        task["LogDriver"] = {
            "Name": str(logging.get("driver") or ""),
            "Options": composefile.pairs(logging.get("options"), "options"),
        }
    endpoint: dict[str, Any] = {"Mode": str(deploy.get("endpoint_mode") or "vip").lower()}
    if ports := _ports(spec.get("ports")):
        endpoint["Ports"] = ports
    service: dict[str, Any] = {
        "Name": stack.scope(key),
        "Labels": {**stack.labels(deploy.get("labels")), IMAGE_LABEL: image},
        "TaskTemplate": task,
        "Mode": service_mode(
            deploy.get("mode") or "replicated", deploy.get("replicas"), "deploy.mode"
        ),
        "EndpointSpec": endpoint,
    }
    for key_, field_ in (("update_config", "UpdateConfig"), ("rollback_config", "RollbackConfig")):
        if (policy := _policy(deploy.get(key_))) is not None:
            service[field_] = policy
    return service


# -- the whole stack ------------------------------------------------------------------------------


def _network_body(stack: _Stack, key: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Name": str(spec.get("name") or stack.scope(key)),
        "Driver": str(spec.get("driver") or "overlay"),
        "Labels": stack.labels(spec.get("labels")),
        "Attachable": bool(spec.get("attachable")),
        "Internal": bool(spec.get("internal")),
        "Scope": "swarm",
    }
    if spec.get("driver_opts"):
        body["Options"] = composefile.pairs(spec["driver_opts"], "driver_opts")
    ipam = spec.get("ipam") or {}
    if ipam.get("driver") or ipam.get("config"):
        body["IPAM"] = {
            "Driver": str(ipam.get("driver") or ""),
            "Config": [{"Subnet": str(c["subnet"])} for c in ipam.get("config") or []],
        }
    return body


def _stored(stack: _Stack, section: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """Top-level secrets or configs from files (external ones are the engine's already)."""
    specs = []
    for key, spec in section.items():
        if spec.get("external"):
            continue
        if not spec.get("file"):
            raise OptionError(f"{kind} {key!r}: give file: (or external: true)")
        try:
            data = stack.path(str(spec["file"])).read_bytes()
        except OSError as exc:
            raise OptionError(
                f"{kind} {key!r}: cannot read {spec['file']!r}: {exc.strerror or exc}"
            ) from None
        specs.append(
            {
                "Name": stack.object_name(section, key, kind),
                "Labels": stack.labels(spec.get("labels")),
                "Data": base64.b64encode(data).decode(),
            }
        )
    return specs


def stack_plan(
    name: str,
    data: Mapping[str, Any],
    base: str | Path | None = None,
    env: Mapping[str, str] | None = None,
) -> StackPlan:
    """The networks, secrets, configs and services of Compose file ``data`` deployed as stack ``name``;
    relative paths (bind mounts, env files, secret files) from ``base``, the file's folder; variables
    from ``env`` (this process's environment unless given)."""
    data = composefile.interpolated(data, os.environ if env is None else env)
    stack = _Stack(name, data, Path(base or Path.cwd()))
    plan = StackPlan(name)
    ignored: set[str] = set()
    for key, spec in stack.services.items():
        if not isinstance(spec, Mapping):
            raise OptionError(f"service {key!r} is a mapping of its settings")
        plan.services[key] = _service(stack, key, spec, ignored)
    used = {n["Target"]: n for s in plan.services.values() for n in s["TaskTemplate"]["Networks"]}
    for key in sorted({*stack.networks, "default"}):
        spec = stack.networks.get(key) or {}
        target = str(spec.get("name") or stack.scope(key))
        if target not in used:
            continue
        if spec.get("external"):
            plan.external_networks.append(target)
        else:
            plan.networks[target] = _network_body(stack, key, spec)
    plan.secrets = _stored(stack, stack.secrets, "secret")
    plan.configs = _stored(stack, stack.configs, "config")
    plan.ignored = sorted(ignored)
    return plan
