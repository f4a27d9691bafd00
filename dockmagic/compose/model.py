"""A Compose project as docker compose v2 loads it: the files read, interpolated and normalised
into the model ``docker compose config --format json`` prints (short syntaxes written long, paths
made absolute, defaults filled in, keys in compose's own order), and each service's config hash
(``com.docker.compose.config-hash``), computed as compose computes it: so that a project one tool
made is the other's too."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import OptionError
from . import dotenv, merge
from .interpolation import interpolated

Json = dict[str, Any]
COMPOSE_NAME = "Docker Compose"
DEFAULT_FILES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")


def _fields(names: str) -> tuple[str, ...]:
    return tuple(names.split())


# The order compose's types give their fields (compose-go's structs): the config hash is taken
# over the JSON compose writes, so the same service must give the same bytes.
SERVICE_ORDER = _fields(
    "profiles annotations attach build develop blkio_config cap_add cap_drop cgroup_parent "
    "cgroup cpu_count cpu_percent cpu_period cpu_quota cpu_rt_period cpu_rt_runtime cpus "
    "cpuset cpu_shares command configs container_name credential_spec depends_on deploy "
    "device_cgroup_rules devices dns dns_opt dns_search dockerfile domainname entrypoint "
    "provider environment env_file expose extends external_links extra_hosts group_add gpus "
    "hostname healthcheck image init ipc isolation labels label_file links logging log_driver "
    "log_opt mem_limit mem_reservation memswap_limit mem_swappiness mac_address models net "
    "network_mode networks oom_kill_disable oom_score_adj pid pids_limit platform ports "
    "privileged pull_policy read_only restart runtime scale secrets security_opt shm_size "
    "stdin_open stop_grace_period stop_signal storage_opt sysctls tmpfs tty ulimits "
    "use_api_socket user userns_mode uts volume_driver volumes volumes_from working_dir"
)
PORT_ORDER = _fields("name mode host_ip target published protocol app_protocol")
VOLUME_ORDER = _fields("type source target read_only consistency bind volume tmpfs image")
NETWORK_ATTACH_ORDER = _fields(
    "aliases driver_opts gw_priority interface_name ipv4_address ipv6_address link_local_ips "
    "mac_address priority"
)
HEALTH_ORDER = _fields("test timeout interval retries start_period start_interval disable")
DEPENDENCY_ORDER = _fields("condition restart required")
NETWORK_ORDER = _fields(
    "name driver driver_opts ipam external internal attachable labels enable_ipv4 enable_ipv6"
)
DEPLOY_ORDER = _fields(
    "mode replicas labels update_config rollback_config resources restart_policy placement "
    "endpoint_mode"
)
# Plain booleans in compose's types: false is not written.
FALSE_UNWRITTEN = ("privileged", "read_only", "stdin_open", "tty", "oom_kill_disable")
SIZES = ("shm_size", "mem_limit", "mem_reservation", "memswap_limit")
STORED_ORDER = _fields(
    "name file environment content external labels driver driver_opts template_driver"
)
REFERENCE_ORDER = _fields("source target uid gid mode")
BUILD_ORDER = _fields(
    "context dockerfile dockerfile_inline entitlements args provenance sbom ssh labels cache_from "
    "cache_to no_cache no_cache_filter additional_contexts pull extra_hosts isolation network "
    "target secrets shm_size tags ulimits platforms privileged"
)
VOLUME_TOP_ORDER = _fields("name driver driver_opts external labels")
# What the Spec's schema says is text: 0 for user is an error there, not "0".
STRING_KEYS = ("image", "user", "container_name", "hostname", "working_dir", "restart", "platform")
# compose-go's types have these, the Spec's schema refuses them (as compose does).
_NOT_IN_SCHEMA = ("dockerfile", "log_driver", "log_opt", "net", "volume_driver")
KNOWN_KEYS = {*SERVICE_ORDER, "extends", "post_start", "pre_stop"} - {*_NOT_IN_SCHEMA}
# In the Spec, but for what a single engine and this client do not have: refused by name.
UNSUPPORTED_KEYS = {
    "credential_spec": "it is for Windows containers",
    "provider": "it runs a compose provider plugin",
    "models": "it needs Docker Model Runner",
    "use_api_socket": "it gives the container this engine's socket and your credentials",
}
# What the hash leaves out: what may change without the container changing.
NOT_HASHED = ("build", "pull_policy", "scale", "depends_on", "profiles")


def ordered(value: Mapping[str, Any], order: Iterable[str]) -> Json:
    """``value``'s keys in ``order``, then any others (extensions) as they came."""
    keys = list(order)
    out = {k: value[k] for k in keys if k in value}
    out.update({k: v for k, v in value.items() if k not in out})
    return out


# -- the values of one service ------------------------------------------------------------------


def _command(value: Any) -> list[str] | None:
    """A command or entrypoint: a string is split as a shell splits words (no shell runs it)."""
    if value is None:
        return None
    if isinstance(value, str):
        return shlex.split(value)
    return [str(v) for v in value]


def _mapping(
    value: Any, where: str, env: Callable[[str], str | None] | None = None
) -> dict[str, Any]:
    """A mapping or a list of ``KEY=VALUE``; with ``env``, a key without a value takes the
    environment's (None when it has none), as environment entries do."""
    if value is None:
        return {}
    if isinstance(value, Mapping):
        items = [(str(k), v) for k, v in value.items()]
    elif isinstance(value, list):
        items = []
        for entry in value:
            key, sep, text = str(entry).partition("=")
            items.append((key, text if sep else None))
    else:
        raise OptionError(f"{where} is a mapping or a list of KEY=VALUE, not {value!r}")
    out: dict[str, Any] = {}
    for key, item in items:
        if item is None:
            out[key] = env(key) if env is not None else ""
        else:
            out[key] = _text(item)
    return dict(sorted(out.items()))  # a map: Go writes its keys sorted


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNITS = {"ns": 1, "us": 1e3, "µs": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9, "h": 3600e9}


def duration(value: Any, where: str) -> str:
    """A duration as Go writes one (``90s`` is ``1m30s``), from Compose's forms."""
    text = str(value).strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        nanos = int(value * 1e9)
    else:
        parts = _DURATION.findall(text)
        if not parts or "".join(n + u for n, u in parts) != text.replace(" ", ""):
            raise OptionError(f"{where}: invalid duration {value!r}")
        nanos = int(sum(float(n) * _UNITS[u] for n, u in parts))
    return go_duration(nanos)


def go_duration(nanos: int) -> str:
    if nanos == 0:
        return "0s"
    if nanos < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if nanos >= size:
                return f"{_trim(nanos / size)}{unit}"
    hours, rest = divmod(nanos, 3600 * 10**9)
    minutes, rest = divmod(rest, 60 * 10**9)
    seconds = _trim(rest / 1e9)
    return (
        (f"{hours}h" if hours else "") + (f"{minutes}m" if hours or minutes else "") + f"{seconds}s"
    )


def _trim(number: float) -> str:
    return f"{number:.9f}".rstrip("0").rstrip(".")


_SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?$", re.IGNORECASE)


def size(value: Any, where: str) -> str:
    """A size in bytes, as compose keeps one (``64m`` is 67108864; written as text)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    found = _SIZE.match(str(value).strip())
    if found is None:
        raise OptionError(f"{where}: invalid size {value!r}")
    power = " kmgtp".index(found[2].lower() or " ")
    return str(int(float(found[1]) * 1024**power))


_DEPLOY_DURATIONS = ("delay", "window", "monitor")


def _deploy(value: Mapping[str, Any], where: str) -> Json:
    out = dict(value)
    resources = dict(out.get("resources") or {})
    for part in ("limits", "reservations"):
        if isinstance(resources.get(part), Mapping):
            resource = dict(resources[part])
            if "cpus" in resource:
                resource["cpus"] = float(resource["cpus"])
            if "memory" in resource:
                resource["memory"] = size(resource["memory"], f"{where}.resources.{part}.memory")
            if "devices" in resource:
                resource["devices"] = _device_requests(resource["devices"])
            resources[part] = resource
    out["resources"] = resources  # a struct in compose's types: always written, as placement
    out.setdefault("placement", {})
    for part in ("restart_policy", "update_config", "rollback_config"):
        if isinstance(out.get(part), Mapping):
            out[part] = {
                k: duration(v, f"{where}.{part}.{k}") if k in _DEPLOY_DURATIONS else v
                for k, v in out[part].items()
            }
    return ordered(out, DEPLOY_ORDER)


DEVICE_REQUEST_ORDER = _fields("capabilities driver count device_ids options")


def _device_requests(value: Any) -> list[Json]:
    """``gpus`` and ``deploy.resources.reservations.devices``: ``all`` is a count of -1."""
    if value == "all":
        return [{"count": -1}]
    return [
        ordered({**d, "count": -1} if d.get("count") == "all" else dict(d), DEVICE_REQUEST_ORDER)
        for d in value or []
    ]


def _blkio(value: Mapping[str, Any], where: str) -> Json:
    """``blkio_config`` as compose writes it: its devices' fields capitalised (compose's types
    name them so), rates as text (sizes in bytes)."""
    out: Json = {}
    for key, item in value.items():
        if key == "weight_device":
            out[key] = [{"Path": d["path"], "Weight": d["weight"]} for d in item or []]
        elif key in ("device_read_bps", "device_write_bps"):
            out[key] = [
                {"Path": d["path"], "Rate": size(d["rate"], f"{where}.{key}")} for d in item or []
            ]
        elif key in ("device_read_iops", "device_write_iops"):
            out[key] = [{"Path": d["path"], "Rate": str(d["rate"])} for d in item or []]
        else:
            out[key] = item
    return ordered(
        out,
        _fields(
            "weight weight_device device_read_bps device_read_iops device_write_bps "
            "device_write_iops"
        ),
    )


def _healthcheck(value: Mapping[str, Any], where: str) -> Json:
    out: Json = {}
    for key, item in value.items():
        if key == "test":
            out["test"] = ["CMD-SHELL", item] if isinstance(item, str) else [str(x) for x in item]
        elif key in ("interval", "timeout", "start_period", "start_interval"):
            out[key] = duration(item, f"{where}.{key}")
        elif key == "retries":
            out[key] = int(item)
        else:
            out[key] = item
    return ordered(out, HEALTH_ORDER)


_PORT = re.compile(
    r"^(?:(?:\[(?P<ip6>[^\]]+)\]|(?P<ip>[^:\[\]]*)):)??"
    r"(?:(?P<published>[0-9-]*|\$\{[^}]*\}):)?(?P<target>[0-9]+(?:-[0-9]+)?)(?:/(?P<protocol>\w+))?$"
)


def _ports(value: Any, where: str) -> list[Json]:
    out: list[Json] = []
    for i, entry in enumerate(value or []):
        here = f"{where}[{i}]"
        if isinstance(entry, Mapping):
            port: Json = {"mode": "ingress", **{k: v for k, v in entry.items()}}
            port["target"] = int(port["target"])
            if port.get("published") is not None:
                port["published"] = str(port["published"])
            port.setdefault("protocol", "tcp")
            out.append(ordered(port, PORT_ORDER))
            continue
        found = _PORT.match(str(entry))
        if found is None:
            raise OptionError(f"{here}: invalid port {entry!r}")
        ip = found["ip6"] or found["ip"] or ""
        targets = _range(found["target"], here)
        published = _range(found["published"], here) if found["published"] else []
        if published and len(published) != len(targets) and len(targets) != 1:
            raise OptionError(f"{here}: the port ranges {entry!r} differ in length")
        for n, target in enumerate(targets):
            port = {"mode": "ingress"}
            if ip:
                port["host_ip"] = ip
            port["target"] = target
            if published:
                port["published"] = str(published[n]) if len(targets) > 1 else found["published"]
            port["protocol"] = found["protocol"] or "tcp"
            out.append(port)
    return out


def ports(entries: Iterable[str], where: str = "--publish") -> list[Json]:
    """Ports written as the Compose file writes them (``run -p``), in the model's form."""
    return _ports(list(entries), where)


def volumes(entries: Iterable[str], base: Path, where: str = "--volume") -> list[Json]:
    """Volumes written as the Compose file writes them (``run -v``), in the model's form."""
    return _volumes(list(entries), base, where)


def _range(text: str, where: str) -> list[int]:
    first, _, last = text.partition("-")
    try:
        low, high = int(first), int(last or first)
    except ValueError:
        raise OptionError(f"{where}: invalid port {text!r}") from None
    if high < low:
        raise OptionError(f"{where}: invalid port range {text!r}")
    return list(range(low, high + 1))


def _volumes(value: Any, base: Path, where: str) -> list[Json]:
    out = []
    for i, entry in enumerate(value or []):
        here = f"{where}[{i}]"
        mount = (
            _long_volume(entry, here) if isinstance(entry, Mapping) else _short_volume(str(entry))
        )
        if mount["type"] == "bind" and mount.get("source"):
            mount["source"] = _host_path(mount["source"], base)
        if isinstance(mount.get("tmpfs"), Mapping) and "size" in mount["tmpfs"]:
            mount["tmpfs"] = {**mount["tmpfs"], "size": size(mount["tmpfs"]["size"], here)}
        out.append(ordered(mount, VOLUME_ORDER))
    return out


def _host_path(path: str, base: Path) -> str:
    expanded = os.path.expanduser(path)
    return os.path.normpath(expanded if os.path.isabs(expanded) else base / expanded)


def _is_path(source: str) -> bool:
    return source.startswith((".", "/", "~")) or bool(re.match(r"^[A-Za-z]:[\\/]", source))


def _short_volume(text: str) -> Json:
    parts = text.split(":")
    if len(parts) == 1:
        return {"type": "volume", "target": parts[0], "volume": {}}
    source, target, *modes = parts
    mount: Json = {"type": "bind" if _is_path(source) else "volume", "source": source}
    if mount["type"] == "volume":
        mount["volume"] = {}  # the short syntax always writes one (the long one only if given)
    mount["target"] = target
    options = ",".join(modes).split(",") if modes else []
    if "ro" in options:
        mount["read_only"] = True
    if mount["type"] == "bind":
        bind: Json = {}
        for option in options:
            if option in ("z", "Z"):
                bind["selinux"] = option
            elif option in ("rprivate", "private", "rshared", "shared", "rslave", "slave"):
                bind["propagation"] = option
        bind["create_host_path"] = True
        mount["bind"] = bind
    elif "nocopy" in options:
        mount["volume"] = {"nocopy": True}
    return mount


def _long_volume(entry: Mapping[str, Any], where: str) -> Json:
    if "type" not in entry or "target" not in entry:
        raise OptionError(f"{where}: a volume needs a type and a target")
    return dict(entry)


def _networks(value: Any) -> Json:
    if isinstance(value, list):
        return {str(name): None for name in sorted(value)}
    return {
        str(name): None if attach is None else ordered(dict(attach), NETWORK_ATTACH_ORDER)
        for name, attach in sorted((value or {}).items())
    }


def _depends_on(value: Any) -> Json:
    if isinstance(value, list):
        return {
            str(name): {"condition": "service_started", "required": True} for name in sorted(value)
        }
    out = {}
    for name, how in sorted((value or {}).items()):
        dependency = {"condition": "service_started", **(how or {})}
        dependency.setdefault("required", True)
        out[str(name)] = ordered(dependency, DEPENDENCY_ORDER)
    return out


def _extra_hosts(value: Any) -> list[str]:
    if isinstance(value, Mapping):  # a map: in its keys' order
        entries = [f"{host}={ip}" for host, ip in sorted(value.items())]
    else:
        entries = [str(e) for e in value or []]
    out = []
    for entry in entries:
        name, sep, address = entry.partition("=")
        if not sep:
            name, _, address = entry.partition(":")
        out.append(f"{name}={address}")
    return out


def _implied_dependencies(service: Mapping[str, Any]) -> Json:
    """The services this one uses without saying so in depends_on: ``network_mode``, ``ipc`` or
    ``pid`` ``service:NAME``, ``volumes_from`` a service, and ``links``; compose starts them first
    (and restarts this one with them)."""
    names = [
        str(service[key]).removeprefix("service:")
        for key in ("network_mode", "ipc", "pid")
        if str(service.get(key) or "").startswith("service:")
    ]
    names += [
        str(v).split(":")[0]
        for v in service.get("volumes_from") or []
        if not str(v).startswith("container:")
    ]
    names += [str(link).split(":")[0] for link in service.get("links") or []]
    return {
        name: {"condition": "service_started", "restart": True, "required": True} for name in names
    }


def _build(value: Any, load: _Loading, where: str) -> Json:
    spec = {"context": value} if isinstance(value, str) else dict(value or {})
    spec["context"] = _host_path(str(spec.get("context") or "."), load.base)
    if "dockerfile_inline" not in spec:
        spec.setdefault("dockerfile", "Dockerfile")
    if "args" in spec:  # an argument named without a value takes the environment's, if any
        args = _mapping(spec["args"], f"{where}.args", load.lookup)
        spec["args"] = {k: v for k, v in args.items() if v is not None}
    if "labels" in spec:
        spec["labels"] = _mapping(spec["labels"], f"{where}.labels")
    if "shm_size" in spec:
        spec["shm_size"] = size(spec["shm_size"], f"{where}.shm_size")
    return ordered(spec, BUILD_ORDER)


def _hooks(value: Any, where: str) -> list[Json]:
    """Lifecycle hooks (post_start, pre_stop): each command as a list, as compose holds it."""
    out = []
    for i, hook in enumerate(value or []):
        if not isinstance(hook, Mapping):
            raise OptionError(f"{where}[{i}] is a mapping with command:")
        out.append({**hook, "command": _command(hook.get("command"))})
    return out


def _develop(value: Any, load: _Loading) -> Json:
    """``develop.watch``: each rule's path absolute, in compose's key order (exec always)."""
    out = dict(value or {})
    rules = []
    for rule in out.get("watch") or []:
        made: Json = {"path": _host_path(str(rule.get("path", ".")), load.base)}
        made.update({k: v for k, v in rule.items() if k in ("action", "target")})
        made["exec"] = (
            {"command": _command(rule["exec"].get("command"))}
            if rule.get("exec")
            else {"command": None}
        )
        made.update(
            {k: v for k, v in rule.items() if k not in ("path", "action", "target", "exec")}
        )
        rules.append(made)
    if "watch" in out:
        out["watch"] = rules
    return out


def _devices(value: Any, where: str) -> list[Json]:
    """Devices as compose writes them: ``HOST[:CONTAINER[:PERMISSIONS]]`` made long."""
    out = []
    for entry in value or []:
        if isinstance(entry, Mapping):
            out.append(dict(entry))
            continue
        source, _, rest = str(entry).partition(":")
        target, _, permissions = rest.partition(":")
        out.append(
            {"source": source, "target": target or source, "permissions": permissions or "rwm"}
        )
    return out


def _reference(entry: Any, kind: str) -> Json:
    """A service's use of a secret or config: a name alone is mounted where compose mounts it
    (a secret at /run/secrets/NAME; a config where the engine decides)."""
    ref = {"source": str(entry)} if not isinstance(entry, Mapping) else dict(entry)
    if kind == "secrets" and not ref.get("target"):
        ref["target"] = f"/run/secrets/{ref['source']}"
    if "mode" in ref:
        mode = ref["mode"]
        ref["mode"] = f"0{int(str(mode), 8) if isinstance(mode, str) else int(mode):o}"
    return ordered(ref, REFERENCE_ORDER)


def _strings(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value or []]


@dataclass
class _Loading:
    """What normalising a service needs: the project's folder and the variables."""

    base: Path
    env: Mapping[str, str]
    default_network_used: bool = False

    def lookup(self, name: str) -> str | None:
        return self.env.get(name)


def _checked(where: str, spec: Any) -> Mapping[str, Any]:
    """A service's keys against the Spec's: a mapping, an image or a build, known keys, text where
    the schema has text."""
    if not isinstance(spec, Mapping):
        raise OptionError(f"{where} is a mapping, not {spec!r}")
    if "image" not in spec and "build" not in spec:
        raise OptionError(f"{where} has neither an image nor a build")
    unknown = sorted(k for k in spec if k not in KNOWN_KEYS and not str(k).startswith("x-"))
    if unknown:
        raise OptionError(f"{where}: unknown key {unknown[0]!r}")
    refused = sorted(k for k in spec if k in UNSUPPORTED_KEYS)
    if refused:
        key = refused[0]
        raise OptionError(f"{where}.{key}: not supported by dockmagic ({UNSUPPORTED_KEYS[key]})")
    for key in STRING_KEYS:
        if key in spec and spec[key] is not None and not isinstance(spec[key], str):
            raise OptionError(f"{where}.{key} must be a string, not {spec[key]!r}")
    test = (spec.get("healthcheck") or {}).get("test")
    if test is not None and not isinstance(test, str | list):
        raise OptionError(f"{where}.healthcheck.test must be a string or a list, not {test!r}")
    return spec


def _environment(where: str, spec: Mapping[str, Any], load: _Loading) -> dict[str, Any]:
    """The env files' variables (in order; an optional one may be missing), then ``environment``
    over them; a name without a value takes the project's variables' (None if unset)."""
    environment: dict[str, Any] = {}
    files = spec.get("env_file")
    for entry in [files] if isinstance(files, str | Mapping) else files or []:
        path, required = (
            (entry["path"], entry.get("required", True))
            if isinstance(entry, Mapping)
            else (entry, True)
        )
        file = Path(_host_path(str(path), load.base))
        if required or file.exists():
            environment.update(dotenv.read(file, load.lookup))
    environment.update(_mapping(spec.get("environment"), f"{where}.environment", load.lookup))
    return dict(sorted(environment.items()))


def _labels(where: str, spec: Mapping[str, Any], load: _Loading) -> dict[str, str]:
    """``label_file``'s labels (``KEY=VALUE`` lines, read as env files are), then ``labels``
    over them."""
    labels: dict[str, str] = {}
    for path in _strings(spec.get("label_file")):
        labels.update(dotenv.read(Path(_host_path(path, load.base)), lambda name: None))
    labels.update(_mapping(spec.get("labels"), f"{where}.labels"))
    return dict(sorted(labels.items()))


def _logging(value: Any, where: str) -> Json:
    logging = dict(value or {})
    if "options" in logging:  # a map: Go writes its keys sorted
        logging["options"] = _mapping(logging["options"], f"{where}.options")
    return ordered(logging, ("driver", "options"))


def _sorted_map(value: Any, where: str) -> Json:
    return dict(sorted((value or {}).items()))  # a map: Go writes its keys sorted


# How each service key is normalised: (value, its key path, the loading) -> the model's value.
Normaliser = Callable[[Any, str, "_Loading"], Any]
_NORMALISERS: dict[str, Normaliser] = {
    "command": lambda v, w, load: _command(v),
    "entrypoint": lambda v, w, load: _command(v),
    "ports": lambda v, w, load: _ports(v, w),
    "volumes": lambda v, w, load: _volumes(v, load.base, w),
    "networks": lambda v, w, load: _networks(v),
    "depends_on": lambda v, w, load: _depends_on(v),
    "healthcheck": lambda v, w, load: _healthcheck(v, w),
    "logging": lambda v, w, load: _logging(v, w),
    "extra_hosts": lambda v, w, load: _extra_hosts(v),
    "stop_grace_period": lambda v, w, load: duration(v, w),
    "deploy": lambda v, w, load: _deploy(v or {}, w),
    "build": lambda v, w, load: _build(v, load, w),
    "devices": lambda v, w, load: _devices(v, w),
    "develop": lambda v, w, load: _develop(v, load),
    "mem_swappiness": lambda v, w, load: str(v),
    "gpus": lambda v, w, load: _device_requests(v),
    "blkio_config": lambda v, w, load: _blkio(v or {}, w),
    "secrets": lambda v, w, load: [_reference(entry, "secrets") for entry in v or []],
    "configs": lambda v, w, load: [_reference(entry, "configs") for entry in v or []],
}
_NORMALISERS.update(dict.fromkeys(("sysctls", "annotations"), lambda v, w, load: _mapping(v, w)))
_NORMALISERS.update(dict.fromkeys(("post_start", "pre_stop"), lambda v, w, load: _hooks(v, w)))
_NORMALISERS.update(
    dict.fromkeys(
        ("expose", "dns", "dns_search", "tmpfs", "cap_add", "cap_drop", "security_opt"),
        lambda v, w, load: _strings(v),
    )
)
_NORMALISERS.update(dict.fromkeys(SIZES, lambda v, w, load: size(v, w)))
_NORMALISERS.update(dict.fromkeys(("ulimits", "storage_opt"), lambda v, w, load: _sorted_map(v, w)))
_NORMALISERS.update(
    dict.fromkeys(
        ("user", "working_dir", "hostname", "container_name", "restart", "image"),
        lambda v, w, load: _text(v),
    )
)


def _service(name: str, spec: Any, load: _Loading) -> Json:
    where = f"services.{name}"
    spec = _checked(where, spec)
    out: Json = {}
    for key, value in spec.items():
        if key in ("environment", "env_file", "labels", "label_file"):
            continue  # read into one mapping each below
        if key in FALSE_UNWRITTEN:
            if value:
                out[key] = True
            continue
        normalise = _NORMALISERS.get(key)
        out[key] = normalise(value, f"{where}.{key}", load) if normalise else value
    labels = _labels(where, spec, load)
    if labels or "labels" in spec:
        out["labels"] = labels
    environment = _environment(where, spec, load)
    if environment:
        out["environment"] = environment
    out.setdefault("command", None)
    out.setdefault("entrypoint", None)
    implied = _implied_dependencies(out)
    if implied:
        out["depends_on"] = dict(sorted({**implied, **(out.get("depends_on") or {})}.items()))
    if "network_mode" not in out and not out.get("networks"):
        out["networks"] = {"default": None}
    if "default" in (out.get("networks") or {}):
        load.default_network_used = True
    return ordered(out, SERVICE_ORDER)


# -- the project ---------------------------------------------------------------------------------


def project_name(text: str) -> str:
    """A project name as compose makes one from a folder's name: lower case, letters, digits,
    ``-`` and ``_``, starting with a letter or digit."""
    name = re.sub(r"[^a-z0-9_-]", "", text.lower())
    return name.lstrip("_-")


def _top_network(project: str, key: str, spec: Mapping[str, Any] | None) -> Json:
    spec = dict(spec or {})
    if spec.get("external"):
        external = {"name": str(spec.get("name") or key), **spec, "external": True, "ipam": {}}
        return ordered(external, NETWORK_ORDER)
    out = {"name": str(spec.pop("name", None) or f"{project}_{key}"), **spec}
    out["ipam"] = dict(out.get("ipam") or {})
    if "labels" in out:
        out["labels"] = _mapping(out["labels"], f"networks.{key}.labels")
    if "driver_opts" in out:
        out["driver_opts"] = _mapping(out["driver_opts"], f"networks.{key}.driver_opts")
    return ordered(out, NETWORK_ORDER)


def _top_volume(project: str, key: str, spec: Mapping[str, Any] | None) -> Json:
    spec = dict(spec or {})
    if spec.get("external"):
        return ordered(
            {"name": str(spec.get("name") or key), **spec, "external": True}, VOLUME_TOP_ORDER
        )
    out = {"name": str(spec.pop("name", None) or f"{project}_{key}"), **spec}
    if "labels" in out:
        out["labels"] = _mapping(out["labels"], f"volumes.{key}.labels")
    if "driver_opts" in out:
        out["driver_opts"] = _mapping(out["driver_opts"], f"volumes.{key}.driver_opts")
    return ordered(out, VOLUME_TOP_ORDER)


@dataclass
class Project:
    """A loaded project: its name, folder, files and model (compose's ``config`` as a mapping)."""

    name: str
    directory: Path
    files: list[Path]
    model: Json
    services_scaled: dict[str, int] = field(default_factory=dict)  # up --scale's counts
    # The variables the files were read with: what a secret's or config's ``environment`` names.
    environment: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def services(self) -> dict[str, Json]:
        return dict(self.model.get("services") or {})

    def config_hash(self, service: str, containers: Mapping[str, str] | None = None) -> str:
        return config_hash(self.services[service], containers)


def load(
    files: Iterable[str | os.PathLike[str]] = (),
    *,
    text: str | None = None,
    directory: str | os.PathLike[str] | None = None,
    name: str | None = None,
    environment: Mapping[str, str] | None = None,
    env_file: str | os.PathLike[str] | None = None,
    profiles: Iterable[str] | None = None,
) -> Project:
    """Load a project from ``files`` (or the default file in ``directory`` and its
    ``compose.override.yaml``), or from ``text`` (a cell). Variables come from ``environment``
    (this process's by default) over the project's ``.env`` (or ``env_file``); services with
    profiles are in it only when one of ``profiles`` (or ``COMPOSE_PROFILES``) is theirs."""

    paths = [Path(f).resolve() for f in files]
    base = Path(directory).resolve() if directory else (paths[0].parent if paths else Path.cwd())
    if not paths and text is None:
        paths = _default_files(base)
    env = dict(os.environ if environment is None else environment)
    dot = Path(env_file) if env_file else base / ".env"
    if dot.exists():
        env = {**dotenv.read(dot, env.get), **env}

    def read(path: Path) -> Json:
        try:
            source = path.read_text()
        except OSError as exc:
            raise OptionError(f"cannot read {path}: {exc.strerror or exc}") from None
        return _parsed(source, str(path), env)

    sources = [read(p) for p in paths] if text is None else [_parsed(text, "the cell", env)]
    model: Json = {}
    for data in sources:
        model = merge.files(model, data)
    project = project_name(
        str(name or model.get("name") or env.get("COMPOSE_PROJECT_NAME") or base.name)
    )
    if not project:
        raise OptionError(f"{base.name!r} gives no project name: name it (-p or name:)")
    services = model.get("services")
    if not isinstance(services, Mapping):
        raise OptionError("services: is a mapping of service names to services")
    services = {str(k): merge.extended(services, str(k), base, read)[0] for k in services}
    active = set(profiles if profiles is not None else _split(env.get("COMPOSE_PROFILES", "")))
    services = {
        k: spec
        for k, spec in services.items()
        if not spec.get("profiles") or "*" in active or active & set(spec["profiles"])
    }
    included = _included(model.get("include"), base, project, env, profiles)
    normalised = _normalised(project, model, services, _Loading(base, env), included)
    return Project(project, base, paths, normalised, environment=env)


def _included(
    entries: Any, base: Path, project: str, env: Mapping[str, str], profiles: Any
) -> list[Json]:
    """The models of the files ``include:`` names, each read from its own folder (its relative
    paths are its own) as part of this project."""
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise OptionError("include: is a list of files (or of {path, project_directory, env_file})")
    out = []
    for i, entry in enumerate(entries):
        spec = {"path": entry} if isinstance(entry, str) else dict(entry or {})
        paths = spec.get("path")
        paths = [paths] if isinstance(paths, str) else list(paths or [])
        if not paths:
            raise OptionError(f"include[{i}]: names no file (path:)")
        files = [_host_path(str(p), base) for p in paths]
        folder = spec.get("project_directory")
        env_files = spec.get("env_file")
        env_file = (env_files if isinstance(env_files, str) else (env_files or [None])[0]) or None
        sub = load(
            files,
            directory=_host_path(str(folder), base) if folder else None,
            name=project,
            environment=env,
            env_file=_host_path(str(env_file), base) if env_file else None,
            profiles=profiles,
        )
        out.append(sub.model)
    return out


def _merge_included(out: Json, included: list[Json]) -> None:
    """Add the included models' services and resources to ``out``; one defined on both sides
    differently is an error, as compose says."""
    for model in included:
        for kind in ("services", "networks", "volumes", "secrets", "configs"):
            mine = out.setdefault(kind, {})
            for key, value in (model.get(kind) or {}).items():
                if key in mine and mine[key] != value:
                    raise OptionError(f"{kind}.{key} conflicts with the one an included file has")
                mine[key] = value
            if mine:
                out[kind] = dict(sorted(mine.items()))
            else:
                del out[kind]


def _default_files(base: Path) -> list[Path]:
    """The folder's compose file, and its override file beside it if there is one."""
    found = next((base / f for f in DEFAULT_FILES if (base / f).exists()), None)
    if found is None:
        raise OptionError(f"no compose file in {base} ({', '.join(DEFAULT_FILES[:2])})")
    override = found.with_name(f"{found.stem}.override{found.suffix}")
    return [found, override] if override.exists() else [found]


def _normalised(
    project: str,
    model: Mapping[str, Any],
    services: Mapping[str, Any],
    load: _Loading,
    included: list[Json] = (),  # type: ignore[assignment]
) -> Json:
    """The whole model: the services, then the networks (the default one if a service uses
    it), volumes, secrets and configs they use, and the file's extensions; the included files'
    models joined in."""
    out: Json = {"name": project}
    out["services"] = {
        key: _service(key, spec or {}, load) for key, spec in sorted(services.items())
    }
    known = {
        kind: dict(model.get(kind) or {}) for kind in ("networks", "volumes", "secrets", "configs")
    }
    for sub in included:
        for kind in known:
            known[kind].update(sub.get(kind) or {})
    everything = {
        **out["services"],
        **{k: v for sub in included for k, v in (sub.get("services") or {}).items()},
    }
    _check_references(everything, known, set(model.get("services") or {}))
    networks = {
        str(k): _top_network(project, str(k), v) for k, v in (model.get("networks") or {}).items()
    }
    if load.default_network_used and "default" not in networks:
        networks["default"] = _top_network(project, "default", None)
    if networks:
        out["networks"] = dict(sorted(networks.items()))
    volumes = {
        str(k): _top_volume(project, str(k), v) for k, v in (model.get("volumes") or {}).items()
    }
    if volumes:
        out["volumes"] = dict(sorted(volumes.items()))
    for kind in ("secrets", "configs"):
        stored = {
            str(k): _top_stored(project, str(k), v or {}, load.base)
            for k, v in (model.get(kind) or {}).items()
        }
        if stored:
            out[kind] = dict(sorted(stored.items()))
    out.update({k: v for k, v in model.items() if str(k).startswith("x-")})
    _merge_included(out, included)
    return out


def _check_references(
    services: Mapping[str, Json], model: Mapping[str, Any], declared: set[str] | None = None
) -> None:
    """What a service names must be in the project: its dependencies (an optional one may be a
    service its profile leaves out, not one the file lacks), networks, named volumes, secrets
    and configs (compose says so before it makes anything, and so does this)."""
    for name, spec in services.items():
        for dependency, how in (spec.get("depends_on") or {}).items():
            optional = not (how or {}).get("required", True)
            if dependency not in services and not (optional and dependency in (declared or ())):
                raise OptionError(f"services.{name}.depends_on: no service {dependency!r}")
        for network in spec.get("networks") or {}:
            if network != "default" and network not in (model.get("networks") or {}):
                raise OptionError(f"services.{name}.networks: undefined network {network!r}")
        for mount in spec.get("volumes") or []:
            source = mount.get("source")
            if mount["type"] == "volume" and source and source not in (model.get("volumes") or {}):
                raise OptionError(f"services.{name}.volumes: undefined volume {source!r}")
        for kind in ("secrets", "configs"):
            for ref in spec.get(kind) or []:
                if ref["source"] not in (model.get(kind) or {}):
                    raise OptionError(
                        f"services.{name}.{kind}: undefined {kind[:-1]} {ref['source']!r}"
                    )


def _parsed(source: str, where: str, env: Mapping[str, str]) -> Json:
    import yaml

    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        raise OptionError(f"{where} is not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, Mapping):
        raise OptionError(f"{where}: a compose file is a mapping with services:")
    return dict(interpolated(dict(data), env.get))


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _top_stored(project: str, key: str, spec: Mapping[str, Any], base: Path) -> Json:
    """A top-level secret or config: its name in the project, its file made absolute."""
    out = dict(spec)
    if out.get("external"):
        return ordered({"name": str(out.get("name") or key), **out}, STORED_ORDER)
    out["name"] = str(out.get("name") or f"{project}_{key}")
    if "file" in out:
        out["file"] = _host_path(str(out["file"]), base)
    return ordered(out, STORED_ORDER)


def go_json(value: Any) -> str:
    """JSON as Go's encoding/json writes it: compact, <, > and & escaped, other text as UTF-8."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    for char, escaped in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e")):
        text = text.replace(char, escaped)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def config_hash(service: Mapping[str, Any], containers: Mapping[str, str] | None = None) -> str:
    """``com.docker.compose.config-hash``: SHA-256 of the service's model, less what may change
    without its container changing (build, pull policy, scale, replicas, depends_on, profiles).
    ``containers`` (service name -> container ID) resolves what names another service's
    container (``network_mode: service:db``), as compose resolves it before it hashes."""
    hashed = {k: v for k, v in resolved(service, containers or {}).items() if k not in NOT_HASHED}
    if isinstance(hashed.get("deploy"), Mapping):
        hashed["deploy"] = {k: v for k, v in hashed["deploy"].items() if k != "replicas"}
    return hashlib.sha256(go_json(hashed).encode()).hexdigest()


def resolved(service: Mapping[str, Any], containers: Mapping[str, str]) -> Json:
    """``service`` with its references to other services' containers (``service:NAME`` in
    network_mode, ipc and pid; volumes_from) written as those containers (``container:ID``)."""
    out = dict(service)
    for key in ("network_mode", "ipc", "pid"):
        name = str(out.get(key) or "").removeprefix("service:")
        if str(out.get(key) or "").startswith("service:") and name in containers:
            out[key] = f"container:{containers[name]}"
    if out.get("volumes_from"):
        out["volumes_from"] = [_volumes_from(str(v), containers) for v in out["volumes_from"]]
    return out


def _volumes_from(entry: str, containers: Mapping[str, str]) -> str:
    """As compose resolves it: ``SERVICE[:mode]`` is that service's container ID and
    ``container:NAME[:mode]`` is NAME (compose drops the mode in both)."""
    first, _, rest = entry.partition(":")
    if first == "container":
        return rest.partition(":")[0]
    return containers.get(first, entry)


def printed(model: Any) -> Any:
    """The model as ``config`` prints it: every ``$`` written ``$$``, so that it reads back the same."""
    if isinstance(model, str):
        return model.replace("$", "$$")
    if isinstance(model, Mapping):
        return {k: printed(v) for k, v in model.items()}
    if isinstance(model, list):
        return [printed(v) for v in model]
    return model
