"""Several Compose files as one, and ``extends``, as compose merges them: mappings key by key,
the lists that add up (ports, expose, dns, capabilities, ...) joined, volumes and secrets by
their target, everything else replaced by the later file."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..errors import OptionError

Json = dict[str, Any]

# Lists a later file adds to (without repeating an entry), rather than replaces.
_JOINED = {
    "ports", "expose", "external_links", "dns", "dns_search", "dns_opt", "tmpfs", "cap_add",
    "cap_drop", "security_opt", "extra_hosts", "env_file", "group_add", "devices", "label_file",
    "volumes_from", "links", "profiles", "device_cgroup_rules",
}  # fmt: skip
# Written as a list of KEY=VALUE or as a mapping: merged as mappings.
_PAIRS = {"environment", "labels", "annotations", "sysctls", "extra_hosts_map"}


def _pairs(value: Any) -> Json:
    if isinstance(value, Mapping):
        return dict(value)
    out: Json = {}
    for entry in value or []:
        key, sep, text = str(entry).partition("=")
        out[key] = text if sep else None
    return out


def _target(entry: Any) -> str:
    """What a volume, secret or config entry mounts at: the key it is merged by."""
    if isinstance(entry, Mapping):
        return str(entry.get("target") or entry.get("source") or "")
    parts = str(entry).split(":")
    return parts[1] if len(parts) > 1 else parts[0]


def service(base: Mapping[str, Any], override: Mapping[str, Any]) -> Json:
    """``override`` (a later file's, or the extending service) over ``base``."""
    out = dict(base)
    for key, value in override.items():
        old = out.get(key)
        if key in _PAIRS and old is not None and value is not None:
            out[key] = {**_pairs(old), **_pairs(value)}
        elif key in _JOINED and isinstance(old, list) and isinstance(value, list):
            out[key] = old + [v for v in value if v not in old]
        elif (
            key in ("volumes", "secrets", "configs")
            and isinstance(old, list)
            and isinstance(value, list)
        ):
            merged = {_target(v): v for v in old}
            merged.update({_target(v): v for v in value})
            out[key] = list(merged.values())
        elif key in ("command", "entrypoint"):
            out[key] = value
        elif isinstance(old, Mapping) and isinstance(value, Mapping):
            out[key] = deep(old, value)
        else:
            out[key] = value
    return out


def deep(base: Mapping[str, Any], override: Mapping[str, Any]) -> Json:
    out = dict(base)
    for key, value in override.items():
        old = out.get(key)
        out[key] = (
            deep(old, value) if isinstance(old, Mapping) and isinstance(value, Mapping) else value
        )
    return out


def files(base: Mapping[str, Any], override: Mapping[str, Any]) -> Json:
    """A later file over the ones before: services by :func:`service`, the rest key by key."""
    out = dict(base)
    for key, value in override.items():
        old = out.get(key)
        if key == "services" and isinstance(old, Mapping) and isinstance(value, Mapping):
            services = dict(old)
            for name, spec in value.items():
                services[name] = service(services.get(name) or {}, spec or {})
            out[key] = services
        elif isinstance(old, Mapping) and isinstance(value, Mapping):
            out[key] = deep(old, value)
        else:
            out[key] = value
    return out


def extended(
    services: Mapping[str, Any],
    name: str,
    directory: Path,
    read: Callable[[Path], Mapping[str, Any]],
    seen: tuple[str, ...] = (),
) -> tuple[Json, Path]:
    """Service ``name`` with what it ``extends`` under it (from this file or another, read by
    ``read``, any depth); the folder its relative paths are relative to."""
    spec = dict(services.get(name) or {})
    how = spec.pop("extends", None)
    if how is None:
        return spec, directory
    where = f"{name}@{directory}"
    if where in seen:
        raise OptionError(f"services.{name}.extends: a loop ({' -> '.join((*seen, where))})")
    if isinstance(how, str):
        how = {"service": how}
    base_name = str(how.get("service") or "")
    if how.get("file"):
        path = (directory / str(how["file"])).resolve()
        others = read(path).get("services") or {}
        base, base_dir = extended(others, base_name, path.parent, read, (*seen, where))
    else:
        if base_name not in services:
            raise OptionError(f"services.{name}.extends: no service {base_name!r} to extend")
        base, base_dir = extended(services, base_name, directory, read, (*seen, where))
    if base_dir != directory:
        base = _relative_to(base, base_dir, directory)
    return service(base, spec), directory


def _relative_to(spec: Json, base_dir: Path, directory: Path) -> Json:
    """A service from another folder's file with its relative paths made absolute (build
    context, binds, env files), so that they keep meaning what they meant there."""
    out = dict(spec)

    def absolute(path: str) -> str:
        return str((base_dir / path).resolve()) if path.startswith(".") else path

    if isinstance(out.get("build"), str):
        out["build"] = absolute(out["build"])
    elif isinstance(out.get("build"), Mapping) and "context" in out["build"]:
        out["build"] = {**out["build"], "context": absolute(str(out["build"]["context"]))}
    if "env_file" in out:
        files_ = out["env_file"] if isinstance(out["env_file"], list) else [out["env_file"]]
        out["env_file"] = [absolute(f) if isinstance(f, str) else f for f in files_]
    if isinstance(out.get("volumes"), list):
        out["volumes"] = [
            absolute(v.split(":", 1)[0]) + ":" + v.split(":", 1)[1]
            if isinstance(v, str) and ":" in v
            else v
            for v in out["volumes"]
        ]
    return out
