"""Value forms of container options as the docker CLI reads them, and their Engine API shapes.

Every parser takes the CLI's text and the Python forms a helper caller would pass (numbers, dicts,
lists), and raises ``OptionError`` (one line, naming the form expected) for anything else.
"""

from __future__ import annotations

import csv
import math
import os
import re
import shlex
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..errors import OptionError

_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4, "p": 1024**5}
_MAX_INT64 = 2**63 - 1


def parse_bytes(value: int | str | None) -> int | None:
    """``512m``, ``1g``, ``1.5GiB``, ``1048576`` -> bytes (binary units, as docker's --memory); -1 stays."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    m = re.fullmatch(r"\s*(-1|\d+(?:\.\d+)?)\s*([bkmgtp]?)(?:i?b)?\s*", str(value).lower())
    if not m:
        raise OptionError(f"invalid size {value!r} (write e.g. 512m or 1g)")
    size = float(m.group(1)) * _UNITS[m.group(2)]
    if size > _MAX_INT64:
        raise OptionError(f"size {value!r} is too large")
    return int(size)


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)")
_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str | float) -> float:
    """``1h30m``, ``45s``, ``500ms`` or a number of seconds -> seconds."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        seconds = float(text)
    else:
        text = str(text).strip()
        parts = _DURATION.findall(text)
        if re.fullmatch(r"\d+(\.\d+)?", text):
            seconds = float(text)
        elif parts and "".join(n + u for n, u in parts) == text:
            seconds = sum(float(n) * _SECONDS[u] for n, u in parts)
        else:
            raise OptionError(f"invalid duration {text!r} (write e.g. 30s, 10m or 1h30m)")
    if not math.isfinite(seconds) or seconds * 1e9 > _MAX_INT64:
        raise OptionError(f"duration {text!r} is too long")
    return seconds


def nanoseconds(value: str | float) -> int:
    return int(parse_duration(value) * 1e9)


def as_int(value: Any, what: str = "number") -> int:
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise OptionError(f"invalid {what} {value!r} (a whole number)") from None
    if abs(number) > _MAX_INT64:
        raise OptionError(f"{what} {value!r} is too large")
    return number


def nano_cpus(value: str | float) -> int:
    """``--cpus 1.5`` -> NanoCpus."""
    try:
        cpus = float(value)
    except (TypeError, ValueError):
        raise OptionError(f"invalid --cpus {value!r} (a number of CPUs, e.g. 0.5)") from None
    if not math.isfinite(cpus) or cpus < 0 or cpus * 1e9 > _MAX_INT64:
        raise OptionError(f"invalid --cpus {value!r} (a number of CPUs, e.g. 0.5)")
    return round(cpus * 1e9)


def as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on", ""):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise OptionError(f"invalid boolean {value!r} (true or false)")


def as_command(command: str | Iterable[str] | None) -> list[str] | None:
    """A command as a list; a string is split like a shell would (no shell is run)."""
    if command is None:
        return None
    if isinstance(command, str):
        try:
            return shlex.split(command)
        except ValueError as exc:
            raise OptionError(f"cannot split the command {command!r}: {exc}") from None
    return [str(c) for c in command]


def as_list(value: str | Iterable[Any] | None) -> list[str] | None:
    if value is None:
        return None
    return [value] if isinstance(value, str) else [str(v) for v in value]


def env_entry(item: str) -> str:
    """``VAR=value`` as it is; a bare ``VAR`` takes its value from this process's environment,
    as the docker CLI does (and stays bare when unset: the engine then leaves it out)."""
    if "=" in item:
        return item
    if item in os.environ:
        return f"{item}={os.environ[item]}"
    return item


def as_env(env: Mapping[str, Any] | Iterable[str] | None) -> list[str] | None:
    if env is None:
        return None
    if isinstance(env, Mapping):
        return [f"{k}={'' if v is None else scalar(v)}" for k, v in env.items()]
    items = [env] if isinstance(env, str) else list(env)
    if not all(isinstance(e, str | int | float) for e in items):
        raise OptionError(f"invalid env {items!r}: a mapping, or a list of VAR=value strings")
    return [env_entry(str(e)) for e in items]


def scalar(value: Any) -> str:
    """A YAML value as the engine takes it in a label or an environment entry (true, not True)."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def read_kv_file(path: str | os.PathLike[str], what: str) -> list[str]:
    """The lines of an --env-file / --label-file: comments and blank lines skipped."""
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8")
    except OSError as exc:
        raise OptionError(f"cannot read {what} {str(path)!r}: {exc.strerror or exc}") from None
    lines = (line.lstrip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def as_labels(labels: Mapping[str, Any] | Iterable[str] | None) -> dict[str, str] | None:
    if labels is None:
        return None
    if isinstance(labels, Mapping):
        return {str(k): scalar(v) for k, v in labels.items()}
    pairs = (str(item).partition("=") for item in ([labels] if isinstance(labels, str) else labels))
    return {key: value for key, _, value in pairs}


def as_map(items: Mapping[str, Any] | Iterable[str] | None, what: str) -> dict[str, str] | None:
    """``--sysctl k=v``, ``--log-opt k=v``, ``--storage-opt k=v``: KEY=VALUE pairs, a value needed."""
    if items is None or isinstance(items, Mapping):
        return as_labels(items)
    out: dict[str, str] = {}
    for item in [items] if isinstance(items, str) else items:
        key, sep, value = str(item).partition("=")
        if not sep or not key:
            raise OptionError(f"invalid {what} {item!r} (write KEY=VALUE)")
        out[key] = value
    return out


# -- ports -----------------------------------------------------------------------------------


def port_range(text: str, what: str) -> list[int]:
    m = re.fullmatch(r"(\d+)(?:-(\d+))?", text)
    if not m:
        raise OptionError(f"invalid {what} {text!r} (write e.g. 80 or 8000-8010)")
    first, last = int(m.group(1)), int(m.group(2) or m.group(1))
    if not (0 <= first <= last <= 65535):
        raise OptionError(f"invalid {what} {text!r} (ports are 0 to 65535)")
    return list(range(first, last + 1))


def parse_publish(spec: str) -> list[tuple[str, tuple[str, str]]]:
    """``[ip:][host:]container[/proto]`` -> [(``80/tcp``, (host ip, host port))]. As the CLI: a
    container port alone is published on a random host port; ranges are expanded port by port
    (a host range against one container port stays one binding)."""
    rest, _, proto = str(spec).partition("/")
    proto = proto or "tcp"
    if proto not in ("tcp", "udp", "sctp"):
        raise OptionError(f"invalid protocol {proto!r} in {spec!r} (tcp, udp or sctp)")
    ip = ""
    if rest.startswith("["):  # [::1]:8080:80
        ip, sep, rest = rest[1:].partition("]:")
        if not sep:
            raise OptionError(f"invalid port mapping {spec!r} (write e.g. [::1]:8080:80)")
    else:
        parts = rest.split(":")
        if len(parts) > 3:  # a bare IPv6 address: the last two fields are the ports
            ip, rest = ":".join(parts[:-2]), ":".join(parts[-2:])
        elif len(parts) == 3:
            ip, rest = parts[0], ":".join(parts[1:])
    host, sep, container = rest.rpartition(":")
    if not sep:
        host = ""
    if ip and not re.fullmatch(r"[0-9A-Fa-f.:]+", ip):
        raise OptionError(f"invalid host IP {ip!r} in {spec!r}")
    ports = port_range(container, "container port")
    hosts = port_range(host, "host port") if host else []
    if len(hosts) > 1 and len(ports) > 1 and len(hosts) != len(ports):
        raise OptionError(
            f"invalid ranges in {spec!r}: the host and container ranges differ in length"
        )
    # a host range against one container port stays one binding; two ranges pair up port by port
    host_for = (
        [host] * len(ports) if len(ports) == 1 or len(hosts) <= 1 else [str(h) for h in hosts]
    )
    return [(f"{p}/{proto}", (ip, h)) for p, h in zip(ports, host_for, strict=True)]


def parse_expose(spec: str) -> list[str]:
    """``--expose 80``, ``8000-8010/udp`` -> ["80/tcp", ...]."""
    port, _, proto = str(spec).partition("/")
    return [f"{p}/{proto or 'tcp'}" for p in port_range(port, "port")]


def as_ports(
    ports: Mapping[str, Any] | Iterable[Any] | None,
) -> tuple[dict[str, Any], dict[str, list[dict[str, str]]]]:
    """ExposedPorts and PortBindings from ``["8080:80", "127.0.0.1::53/udp", "443"]`` or
    ``{"80/tcp": 8080, "53/udp": ("127.0.0.1", 5353), "443": None}`` (None: a random host port)."""
    items: list[tuple[str, tuple[str, str]]] = []
    if isinstance(ports, Mapping):
        for key, value in ports.items():
            port = str(key) if "/" in str(key) else f"{key}/tcp"
            if isinstance(value, tuple | list):
                items.append((port, (str(value[0]), str(value[1]))))
            else:
                items.append((port, ("", "" if value is None else str(value))))
    else:
        for spec in [ports] if isinstance(ports, str | int) else ports or []:
            items += parse_publish(str(spec))
    exposed: dict[str, Any] = {}
    bindings: dict[str, list[dict[str, str]]] = {}
    for port, (ip, host) in items:
        if not re.fullmatch(r"\d+/(tcp|udp|sctp)", port):
            raise OptionError(f"invalid port {port!r} (write e.g. 8080:80 or 53/udp)")
        exposed[port] = {}
        bindings.setdefault(port, []).append({"HostIp": ip, "HostPort": host})
    return exposed, bindings


# -- volumes and mounts ----------------------------------------------------------------------


def _host_path(source: str) -> str:
    """A relative host path (``.``, ``./dir``, ``../dir``) made absolute, as the CLI does."""
    if source == "." or source.startswith(("./", "../")) or source == "..":
        return str(Path(source).resolve())
    if source.startswith("~"):
        return str(Path(source).expanduser())
    return source


def split_volume(spec: str) -> tuple[str | None, str, str]:
    """``[SRC:]DST[:OPTS]`` -> (src or None for an anonymous volume, dst, opts)."""
    parts = str(spec).split(":")
    if len(parts) == 1:
        return None, parts[0], ""
    if len(parts) == 2:
        # "/dst:ro" is a destination with options only when the second part looks like options
        if (
            parts[0].startswith("/")
            and re.fullmatch(r"[a-z,]+", parts[1])
            and not parts[1].startswith("/")
        ):
            return None, parts[0], parts[1]
        return parts[0], parts[1], ""
    if len(parts) == 3:
        return parts[0], parts[1], parts[2]
    raise OptionError(f"invalid volume {spec!r} (write SRC:DST[:ro] or DST)")


def as_binds(volumes: Mapping[str, str] | Iterable[str] | None) -> tuple[list[str], dict[str, Any]]:
    """HostConfig.Binds and Config.Volumes (anonymous volumes) from ``-v`` specs."""
    specs = (
        [f"{k}:{v}" for k, v in volumes.items()]
        if isinstance(volumes, Mapping)
        else as_list(volumes) or []
    )
    binds: list[str] = []
    anonymous: dict[str, Any] = {}
    for spec in specs:
        src, dst, opts = split_volume(spec)
        if not dst.startswith("/"):
            raise OptionError(
                f"invalid volume {spec!r}: the destination {dst!r} is not an absolute path"
            )
        if src is None:
            anonymous[dst] = {}
        else:
            binds.append(":".join(filter(None, [_host_path(src), dst, opts])))
    return binds, anonymous


_MOUNT_KEYS = {
    "type": "Type",
    "src": "Source",
    "source": "Source",
    "dst": "Target",
    "destination": "Target",
    "target": "Target",
    "readonly": "ReadOnly",
    "ro": "ReadOnly",
    "consistency": "Consistency",
}


_ANSIBLE_MOUNT = {
    "type": ("Type",),
    "source": ("Source",),
    "target": ("Target",),
    "read_only": ("ReadOnly",),
    "consistency": ("Consistency",),
    "propagation": ("BindOptions", "Propagation"),
    "no_copy": ("VolumeOptions", "NoCopy"),
    "labels": ("VolumeOptions", "Labels"),
    "volume_driver": ("VolumeOptions", "DriverConfig", "Name"),
    "volume_options": ("VolumeOptions", "DriverConfig", "Options"),
    "tmpfs_size": ("TmpfsOptions", "SizeBytes"),
    "tmpfs_mode": ("TmpfsOptions", "Mode"),
}


def _mount_from_ansible(spec: Mapping[str, Any]) -> dict[str, Any]:
    """community.docker's ``{source, target, type, read_only, ...}`` as an API Mount."""
    unknown = set(spec) - set(_ANSIBLE_MOUNT)
    if unknown:
        raise OptionError(
            f"unknown mounts key(s) {', '.join(sorted(unknown))} (known: {', '.join(_ANSIBLE_MOUNT)})"
        )
    mount: dict[str, Any] = {"Type": "volume"}
    for key, value in spec.items():
        if value is None:
            continue
        if key == "read_only" or key == "no_copy":
            value = as_bool(value)
        elif key == "tmpfs_size":
            value = parse_bytes(value)
        elif key == "tmpfs_mode":
            value = int(str(value), 8)  # an octal string, as community.docker writes it ("1777")
        elif key == "labels" or key == "volume_options":
            value = as_labels(value)
        *parents, last = _ANSIBLE_MOUNT[key]
        holder = mount
        for part in parents:
            holder = holder.setdefault(part, {})
        holder[last] = value
    if not mount.get("Target"):
        raise OptionError(f"a mount needs a target: {dict(spec)}")
    return mount


def _volume_options(mount: dict[str, Any]) -> dict[str, Any]:
    """A mount's VolumeOptions, made as the CLI makes them: with a DriverConfig, empty or not."""
    options: dict[str, Any] = mount.setdefault("VolumeOptions", {})
    options.setdefault("DriverConfig", {})
    return options


def as_mount(spec: str | Mapping[str, Any]) -> dict[str, Any]:
    """``type=bind,source=/a,target=/b,readonly`` (as --mount, CSV quoting allowed), community.docker's
    ``{source, target, type, read_only}``, or an API Mount."""
    if isinstance(spec, Mapping):
        found = _mount_from_ansible(spec) if any(k[:1].islower() for k in spec) else dict(spec)
        if found.get("Type") == "bind" and found.get("Source"):
            found["Source"] = _host_path(found["Source"])
        return found
    try:
        fields = next(csv.reader([spec]))
    except (csv.Error, StopIteration):
        raise OptionError(f"invalid --mount {spec!r}") from None
    mount: dict[str, Any] = {"Type": "volume"}
    for field in fields:
        key, sep, value = field.partition("=")
        key = key.strip().lower()
        if key in _MOUNT_KEYS:
            api = _MOUNT_KEYS[key]
            mount[api] = as_bool(value) if api == "ReadOnly" else value
        elif key == "bind-propagation":
            mount.setdefault("BindOptions", {})["Propagation"] = value
        elif key == "bind-nonrecursive":
            mount.setdefault("BindOptions", {})["NonRecursive"] = as_bool(value)
        elif key == "volume-nocopy":
            _volume_options(mount)["NoCopy"] = as_bool(value)
        elif key == "volume-subpath":
            _volume_options(mount)["Subpath"] = value
        elif key == "volume-driver":
            _volume_options(mount)["DriverConfig"]["Name"] = value
        elif key == "volume-label":
            k, _, v = value.partition("=")
            _volume_options(mount).setdefault("Labels", {})[k] = v
        elif key == "volume-opt":
            k, _, v = value.partition("=")
            _volume_options(mount)["DriverConfig"].setdefault("Options", {})[k] = v
        elif key == "tmpfs-size":
            mount.setdefault("TmpfsOptions", {})["SizeBytes"] = parse_bytes(value)
        elif key == "tmpfs-mode":
            mount.setdefault("TmpfsOptions", {})["Mode"] = as_int(
                value if sep else "", "tmpfs-mode"
            )
        else:
            raise OptionError(f"unknown --mount field {key!r} in {spec!r}")
    if mount["Type"] not in ("bind", "volume", "tmpfs", "npipe", "cluster", "image"):
        raise OptionError(f"invalid --mount type {mount['Type']!r} (bind, volume or tmpfs)")
    if "Target" not in mount:
        raise OptionError(f"--mount {spec!r} needs a target")
    if mount["Type"] == "bind" and "Source" in mount:
        mount["Source"] = _host_path(mount["Source"])
    return mount


def as_tmpfs(items: Mapping[str, str] | Iterable[str] | None) -> dict[str, str] | None:
    """``--tmpfs /run:rw,size=64m`` -> {"/run": "rw,size=64m"}."""
    if items is None or isinstance(items, Mapping):
        return None if items is None else dict(items)
    out = {}
    for item in as_list(items) or []:
        path, _, opts = item.partition(":")
        out[path] = opts
    return out


# -- devices, limits, policies ---------------------------------------------------------------


def compose_ulimits(given: Mapping[str, Any] | None) -> list[str]:
    """A Compose file's ulimits (``nofile: 1024`` or ``nofile: {soft: 1024, hard: 2048}``) in the
    CLI's form, ``nofile=1024:2048``, by name."""
    out = []
    for name, limit in sorted((given or {}).items()):
        soft, hard = (
            (limit, limit) if not isinstance(limit, Mapping) else (limit["soft"], limit["hard"])
        )
        out.append(f"{name}={soft}:{hard}")
    return out


def as_ulimit(spec: str | Mapping[str, Any]) -> dict[str, Any]:
    """``nofile=1024:2048`` (soft:hard; one number sets both; community.docker writes
    ``nofile:1024:2048``) -> {Name, Soft, Hard}."""
    if isinstance(spec, Mapping):
        return _keys_capitalised(spec)
    text = str(spec)
    if "=" not in text and text.count(":") in (1, 2):
        text = text.replace(":", "=", 1)
    name, sep, limits = text.partition("=")
    soft, _, hard = limits.partition(":")
    if not sep or not name or not soft:
        raise OptionError(
            f"invalid --ulimit {spec!r} (write NAME=SOFT[:HARD], e.g. nofile=1024:2048)"
        )
    return {"Name": name, "Soft": as_int(soft, "ulimit"), "Hard": as_int(hard or soft, "ulimit")}


def as_device(spec: str | Mapping[str, Any]) -> dict[str, Any]:
    """``/dev/sda[:/dev/xvda[:rwm]]`` -> {PathOnHost, PathInContainer, CgroupPermissions}."""
    if isinstance(spec, Mapping):
        return dict(spec)
    parts = str(spec).split(":")
    host = parts[0]
    inside, perms = host, "rwm"
    if len(parts) == 2:
        if re.fullmatch(r"[rwm]{1,3}", parts[1]):
            perms = parts[1]
        else:
            inside = parts[1]
    elif len(parts) == 3:
        inside, perms = parts[1], parts[2]
    elif len(parts) > 3:
        raise OptionError(f"invalid --device {spec!r} (write HOST[:CONTAINER[:rwm]])")
    if not re.fullmatch(r"[rwm]{1,3}", perms):
        raise OptionError(f"invalid device permissions {perms!r} in {spec!r} (r, w and m)")
    return {"PathOnHost": host, "PathInContainer": inside, "CgroupPermissions": perms}


def _device_value(spec: str, what: str) -> tuple[str, str]:
    path, sep, value = str(spec).rpartition(":")
    if not sep or not path.startswith("/dev/"):
        raise OptionError(f"invalid {what} {spec!r} (write /dev/DEVICE:VALUE)")
    return path, value


def _keys_capitalised(spec: Mapping[str, Any]) -> dict[str, Any]:
    """community.docker's ``{path: ..., rate: ...}`` as the API's ``{Path: ..., Rate: ...}``."""
    return {k[:1].upper() + k[1:]: v for k, v in spec.items()}


def as_weight_device(spec: str | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(spec, Mapping):
        out = _keys_capitalised(spec)
        return {**out, "Weight": as_int(out.get("Weight"), "weight")}
    path, value = _device_value(spec, "--blkio-weight-device")
    return {"Path": path, "Weight": as_int(value, "weight")}


def as_rate_device(spec: str | Mapping[str, Any], sizes: bool) -> dict[str, Any]:
    """``/dev/sda:1mb`` (bytes per second) or ``/dev/sda:1000`` (IO per second) -> {Path, Rate}."""
    if isinstance(spec, Mapping):
        out = _keys_capitalised(spec)
        rate = out.get("Rate")
        return {**out, "Rate": parse_bytes(rate) if sizes else as_int(rate, "rate")}
    path, value = _device_value(spec, "device rate")
    return {"Path": path, "Rate": parse_bytes(value) if sizes else as_int(value, "rate")}


def as_gpus(spec: str | Mapping[str, Any]) -> dict[str, Any]:
    """``all``, ``2``, ``device=0,1``, ``count=2,capabilities=compute,driver=nvidia`` -> a DeviceRequest."""
    if isinstance(spec, Mapping):
        return dict(spec)
    request: dict[str, Any] = {
        "Driver": "",
        "Count": 0,
        "DeviceIDs": None,
        "Capabilities": None,
        "Options": {},
    }
    caps = {"gpu"}
    for field in next(csv.reader([str(spec)])):
        key, sep, value = field.partition("=")
        if not sep:
            key, value = "count", field
        if key == "count":
            request["Count"] = -1 if value == "all" else as_int(value, "GPU count")
        elif key == "device":
            request["DeviceIDs"] = value.split(",")
            request["Count"] = 0
        elif key == "capabilities":
            caps.update(value.split(","))
        elif key == "driver":
            request["Driver"] = value
        elif key == "options":
            k, _, v = value.partition("=")
            request["Options"][k] = v
        else:
            raise OptionError(f"invalid --gpus field {key!r} in {spec!r}")
    request["Capabilities"] = [sorted(caps)]
    return request


def as_restart(policy: str | Mapping[str, Any] | bool | None) -> dict[str, Any] | None:
    """``no``, ``always``, ``unless-stopped``, ``on-failure[:N]`` -> RestartPolicy."""
    if policy is None:
        return None
    if isinstance(policy, Mapping):
        return {
            "Name": policy.get("Name", "no"),
            "MaximumRetryCount": int(policy.get("MaximumRetryCount") or 0),
        }
    if policy is False:  # YAML reads "no" as false
        policy = "no"
    name, _, count = str(policy).partition(":")
    if name not in ("no", "always", "unless-stopped", "on-failure"):
        raise OptionError(
            f"invalid restart policy {policy!r} (no, always, unless-stopped or on-failure[:N])"
        )
    if count and name != "on-failure":
        raise OptionError(f"invalid restart policy {policy!r}: only on-failure takes a retry count")
    return {"Name": name, "MaximumRetryCount": as_int(count or 0, "retry count")}


def as_extra_host(spec: str) -> str:
    """``name:ip``, ``name=ip``, ``name=[ipv6]`` or ``name:host-gateway`` -> ``name:ip``, as the CLI."""
    name, sep, address = str(spec).partition("=")
    if not sep:
        name, sep, address = str(spec).partition(":")
    if address.startswith("[") and address.endswith("]"):
        address = address[1:-1]
    if not sep or not name or not address:
        raise OptionError(
            f"invalid --add-host {spec!r} (write NAME:IP, NAME=IP or NAME=host-gateway)"
        )
    if address != "host-gateway" and not re.fullmatch(r"[0-9A-Fa-f.:]+", address):
        raise OptionError(f"invalid IP address {address!r} in --add-host {spec!r}")
    return f"{name}:{address}"


def extra_hosts(given: Mapping[str, Any] | str | Iterable[Any]) -> list[str]:
    """Extra /etc/hosts entries as the CLI (``NAME:IP``, ``NAME=IP``), Compose (those, or a
    mapping) and community.docker (a mapping) write them -> the API's ``NAME:IP`` list."""
    entries = (
        [f"{name}={ip}" for name, ip in given.items()]
        if isinstance(given, Mapping)
        else as_list(given) or []
    )
    return [as_extra_host(entry) for entry in entries]


def extra_hosts_mapping(given: Mapping[str, Any] | str | Iterable[Any]) -> dict[str, str]:
    """The same entries as a mapping of name to address (community.docker's ``etc_hosts``)."""
    return dict(entry.partition(":")[::2] for entry in extra_hosts(given))


def hosts_lines(given: Mapping[str, Any] | str | Iterable[Any]) -> list[str]:
    """The same entries as /etc/hosts lines, ``IP NAME``: a service's ContainerSpec.Hosts."""
    return [f"{ip} {name}" for name, ip in extra_hosts_mapping(given).items()]


HEALTH_DURATIONS = (
    ("interval", "Interval"),
    ("timeout", "Timeout"),
    ("start_period", "StartPeriod"),
    ("start_interval", "StartInterval"),
)


def health_test(test: str | Iterable[Any]) -> list[str]:
    """A healthcheck's test: a string runs in a shell (``CMD-SHELL``); a list is the API's own form
    (``["CMD", ...]``, ``["CMD-SHELL", "..."]``, ``["NONE"]``) and stays as it is."""
    return ["CMD-SHELL", test] if isinstance(test, str) else [str(part) for part in test]


def healthcheck(given: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A healthcheck as Compose and community.docker write it (``test``, ``interval``, ``timeout``,
    ``start_period``, ``start_interval``, ``retries``, ``disable``) -> the API's Healthcheck. A
    test left out keeps the image's."""
    if given is None:
        return None
    if given.get("disable"):
        return {"Test": ["NONE"]}
    check: dict[str, Any] = {}
    if given.get("test") is not None:
        check["Test"] = health_test(given["test"])
    for key, field in HEALTH_DURATIONS:
        if given.get(key) is not None:
            check[field] = nanoseconds(given[key])
    if given.get("retries") is not None:
        check["Retries"] = as_int(given["retries"], "healthcheck retries")
    return check


def as_capability(cap: str) -> str:
    """``net_admin`` -> ``CAP_NET_ADMIN`` (``ALL`` stays), as the CLI normalises them."""
    cap = str(cap).upper()
    return cap if cap == "ALL" or cap.startswith("CAP_") else f"CAP_{cap}"


def as_security_opt(opt: str) -> str:
    """``seccomp=profile.json`` sends the profile's content, as the CLI does; others go as given."""
    key, sep, value = str(opt).partition("=")
    if not sep:
        key, sep, value = str(opt).partition(":")
    if key == "seccomp" and value and value != "unconfined" and value != "builtin":
        try:
            return "seccomp=" + Path(value).expanduser().read_text(encoding="utf-8")
        except OSError as exc:
            raise OptionError(
                f"cannot read the seccomp profile {value!r}: {exc.strerror or exc}"
            ) from None
    return str(opt)


_ANSIBLE_NETWORK = {
    "name",
    "aliases",
    "ipv4_address",
    "ipv6_address",
    "links",
    "mac_address",
    "driver_opts",
}


def _network_from_mapping(spec: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """community.docker's ``{name, aliases, ipv4_address, ipv6_address, links}``."""
    unknown = set(spec) - _ANSIBLE_NETWORK
    if unknown or not spec.get("name"):
        raise OptionError(
            f"a network is {{name, aliases, ipv4_address, ipv6_address, links}}, not {dict(spec)}"
        )
    endpoint: dict[str, Any] = {}
    if spec.get("aliases"):
        endpoint["Aliases"] = as_list(spec["aliases"])
    pairs = (("ipv4_address", "IPv4Address"), ("ipv6_address", "IPv6Address"))
    ipam = {api: spec[key] for key, api in pairs if spec.get(key)}
    if ipam:
        endpoint["IPAMConfig"] = ipam
    if spec.get("links"):
        endpoint["Links"] = [
            link if ":" in link else f"{link}:{link}" for link in as_list(spec["links"]) or []
        ]
    if spec.get("mac_address"):
        endpoint["MacAddress"] = spec["mac_address"]
    if spec.get("driver_opts"):
        endpoint["DriverOpts"] = as_labels(spec["driver_opts"])
    return str(spec["name"]), endpoint


def network_specs(networks: Any) -> list[Any]:
    """One network or several, each a name, the CLI's long form, or community.docker's mapping."""
    if networks is None:
        return []
    return [networks] if isinstance(networks, str | Mapping) else list(networks)


def parse_network(spec: str | Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """``--network NAME``, the long form ``name=NAME,alias=A,ip=IP,ip6=IP,mac-address=M,
    link-local-ip=IP,driver-opt=K=V``, or a mapping (community.docker's) -> (name, EndpointSettings)."""
    if isinstance(spec, Mapping):
        return _network_from_mapping(spec)
    spec = str(spec)
    if "=" not in spec:
        return spec, {}
    name = ""
    endpoint: dict[str, Any] = {}
    for field in next(csv.reader([spec])):
        key, _, value = field.partition("=")
        if key == "name":
            name = value
        elif key == "alias":
            endpoint.setdefault("Aliases", []).append(value)
        elif key == "ip":
            endpoint.setdefault("IPAMConfig", {})["IPv4Address"] = value
        elif key == "ip6":
            endpoint.setdefault("IPAMConfig", {})["IPv6Address"] = value
        elif key == "link-local-ip":
            endpoint.setdefault("IPAMConfig", {}).setdefault("LinkLocalIPs", []).append(value)
        elif key == "mac-address":
            endpoint["MacAddress"] = value
        elif key == "driver-opt":
            k, _, v = value.partition("=")
            endpoint.setdefault("DriverOpts", {})[k] = v
        elif key == "gw-priority":
            endpoint["GwPriority"] = as_int(value, "gw-priority")
        else:
            raise OptionError(f"invalid --network field {key!r} in {spec!r}")
    if not name:
        raise OptionError(f"--network {spec!r} needs name=NETWORK")
    return name, endpoint
