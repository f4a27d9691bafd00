"""From docker-run-style options to the Engine API's container config.

Shared by ``run`` and the ``container`` module, so both mean the same thing by each option.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import DockerError

_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


class OptionError(DockerError):
    """An option value that cannot be understood."""


def parse_bytes(value: int | str | None) -> int | None:
    """``512m``, ``1g``, ``1048576`` -> bytes (binary units, as docker's --memory)."""
    if value is None or isinstance(value, int):
        return value
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([bkmgt]?)b?\s*", str(value).lower())
    if not m:
        raise OptionError(f"invalid size {value!r} (write e.g. 512m or 1g)")
    return int(float(m.group(1)) * _UNITS[m.group(2)])


def as_command(command: str | Iterable[str] | None) -> list[str] | None:
    """A command as a list; a string is split like a shell would (no shell is run)."""
    if command is None:
        return None
    return shlex.split(command) if isinstance(command, str) else [str(c) for c in command]


def as_env(env: Mapping[str, Any] | Iterable[str] | None) -> list[str] | None:
    if env is None:
        return None
    if isinstance(env, Mapping):
        return [f"{k}={v}" for k, v in env.items()]
    return [str(e) for e in env]


def as_labels(labels: Mapping[str, Any] | Iterable[str] | None) -> dict[str, str] | None:
    if labels is None:
        return None
    if isinstance(labels, Mapping):
        return {str(k): str(v) for k, v in labels.items()}
    pairs = (item.partition("=") for item in labels)
    return {key: value for key, _, value in pairs}


def parse_port(spec: str) -> tuple[str, tuple[str, str] | None]:
    """``[ip:][host:]container[/proto]`` -> (``80/tcp``, (ip, host port) or None)."""
    spec, _, proto = spec.partition("/")
    ip = ""
    if spec.startswith("["):  # [::1]:8080:80
        ip, _, spec = spec[1:].partition("]:")
    parts = spec.split(":")
    if len(parts) == 3:
        ip, host, container = parts
    elif len(parts) == 2:
        host, container = parts
    elif len(parts) == 1 and not ip:
        return f"{parts[0]}/{proto or 'tcp'}", None
    else:
        raise OptionError(f"invalid port mapping {spec!r} (write e.g. 127.0.0.1:8080:80/tcp)")
    return f"{container}/{proto or 'tcp'}", (ip, host)


def as_ports(ports: Mapping[str, Any] | Iterable[str] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """ExposedPorts and PortBindings from ``["8080:80", "127.0.0.1::53/udp", "443"]`` or
    ``{"80/tcp": 8080}``."""
    exposed: dict[str, Any] = {}
    bindings: dict[str, list[dict[str, str]]] = {}
    items = (
        [(str(k) if "/" in str(k) else f"{k}/tcp", None if v is None else ("", str(v))) for k, v in ports.items()]
        if isinstance(ports, Mapping)
        else [parse_port(p) for p in ports or []]
    )
    for port, binding in items:
        if not re.fullmatch(r"\d+(-\d+)?/(tcp|udp|sctp)", port):
            raise OptionError(f"invalid port {port!r} (write e.g. 8080:80 or 53/udp)")
        exposed[port] = {}
        if binding is not None:
            bindings.setdefault(port, []).append({"HostIp": binding[0], "HostPort": binding[1]})
    return exposed, bindings


def as_mount(spec: str | Mapping[str, Any]) -> dict[str, Any]:
    """``type=bind,source=/a,target=/b,readonly`` (as --mount) or an API Mount dict."""
    if isinstance(spec, Mapping):
        return dict(spec)
    keys = {
        "src": "Source",
        "source": "Source",
        "dst": "Target",
        "destination": "Target",
        "target": "Target",
        "type": "Type",
        "readonly": "ReadOnly",
        "ro": "ReadOnly",
    }
    mount: dict[str, Any] = {"Type": "volume"}
    for field in spec.split(","):
        key, _, value = field.partition("=")
        if key not in keys:
            raise OptionError(f"unsupported --mount field {key!r} in {spec!r}")
        mount[keys[key]] = value in ("", "1", "true") if keys[key] == "ReadOnly" else value
    if "Target" not in mount:
        raise OptionError(f"--mount {spec!r} needs a target")
    return mount


def as_restart(policy: str | None) -> dict[str, Any] | None:
    if not policy:
        return None
    name, _, count = policy.partition(":")
    if name not in ("no", "always", "unless-stopped", "on-failure"):
        raise OptionError(f"invalid restart policy {policy!r}")
    return {"Name": name, "MaximumRetryCount": int(count or 0)}


def container_config(
    image: str,
    command: str | Iterable[str] | None = None,
    *,
    env: Mapping[str, Any] | Iterable[str] | None = None,
    volumes: Mapping[str, str] | Iterable[str] | None = None,
    mounts: Iterable[str | Mapping[str, Any]] | None = None,
    ports: Mapping[str, Any] | Iterable[str] | None = None,
    workdir: str | None = None,
    user: str | None = None,
    entrypoint: str | Iterable[str] | None = None,
    labels: Mapping[str, Any] | Iterable[str] | None = None,
    network: str | None = None,
    memory: int | str | None = None,
    cpus: float | None = None,
    hostname: str | None = None,
    privileged: bool = False,
    restart: str | None = None,
    stdin: bool = False,
    tty: bool = False,
    auto_remove: bool = False,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The POST /containers/create body for these options (unset ones are left out)."""
    exposed, bindings = as_ports(ports)
    binds = [f"{k}:{v}" for k, v in volumes.items()] if isinstance(volumes, Mapping) else list(volumes or [])
    host: dict[str, Any] = {
        "Binds": binds or None,
        "Mounts": [as_mount(m) for m in mounts] if mounts else None,
        "PortBindings": bindings or None,
        "NetworkMode": network,
        "Memory": parse_bytes(memory),
        "NanoCpus": int(cpus * 1e9) if cpus else None,
        "Privileged": privileged or None,
        "RestartPolicy": as_restart(restart),
        "AutoRemove": auto_remove or None,
    }
    config: dict[str, Any] = {
        "Image": image,
        "Cmd": as_command(command),
        "Env": as_env(env),
        "WorkingDir": workdir,
        "User": user,
        "Entrypoint": as_command(entrypoint),
        "Labels": as_labels(labels),
        "ExposedPorts": exposed or None,
        "Hostname": hostname,
        "Tty": tty,
        "OpenStdin": stdin,
        "StdinOnce": stdin,
        "AttachStdin": stdin,
        "AttachStdout": True,
        "AttachStderr": True,
        "HostConfig": {k: v for k, v in host.items() if v is not None},
    }
    config = {k: v for k, v in config.items() if v is not None}
    for key, value in (extra or {}).items():
        if key == "HostConfig":
            config["HostConfig"].update(value)
        else:
            config[key] = value
    return config
