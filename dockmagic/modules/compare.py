"""Comparing a desired container with what the engine holds, field by field, from the option table.

An option is compared through the API fields it writes (found by applying it to an empty create
body), so a row added to the table is compared without code here. Engine normalisations are
undone per field (default network names, host IPs, ``:rw``), and the image's defaults are merged
into the desired value where the engine merges them (env, labels, exposed ports, volumes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..helpers.engines.labels import unstamped
from ..options import BY_NAME, Body, get_path, inspect_key

Normalise = Callable[[Any, Mapping[str, Any]], Any]  # (value, image Config) -> comparable value


def leaf_keys(body: Any, prefix: str = "") -> list[str]:
    """The dotted paths of the fields an option wrote (maps stop at their key: whole values)."""
    if not isinstance(body, dict) or prefix.endswith(_WHOLE):
        return [prefix]
    out: list[str] = []
    for key, value in body.items():
        out += leaf_keys(value, f"{prefix}.{key}" if prefix else key)
    return out


# Maps compared as one value, not key by key.
_WHOLE = (
    "Labels",
    "ExposedPorts",
    "Volumes",
    "PortBindings",
    "Healthcheck",
    "Tmpfs",
    "Sysctls",
    "StorageOpt",
    "RestartPolicy",
    "LogConfig.Config",
    "EndpointsConfig",
)


def _env(items: Iterable[str] | None, image: Mapping[str, Any]) -> dict[str, str]:
    merged = dict(e.partition("=")[::2] for e in image.get("Env") or [])
    merged.update(dict(e.partition("=")[::2] for e in items or [] if "=" in e))
    return merged


def _bindings(
    raw: Mapping[str, Any] | None, image: Mapping[str, Any]
) -> dict[str, list[tuple[str, str]]]:
    """No host IP means 0.0.0.0; an empty host port means a random one."""
    return {
        port: sorted(
            (b.get("HostIp") or "0.0.0.0", str(b.get("HostPort") or "")) for b in binds or []
        )
        for port, binds in (raw or {}).items()
    }


# Options a bind has without asking: read-write, private propagation; and what Podman adds to
# every bind it reports (``v:/data:nodev,nosuid,rbind,rprivate``), none of which Docker's -v takes.
_IMPLIED_BIND_OPTIONS = {"rw", "rprivate", "rbind", "nodev", "nosuid"}


def _binds(items: Iterable[str] | None, image: Mapping[str, Any]) -> list[str]:
    """``v:/data`` and ``v:/data:rw`` are the same bind (so is Podman's report of it)."""
    out = []
    for bind in items or []:
        parts = bind.split(":")
        if len(parts) == 3:
            opts = [o for o in parts[2].split(",") if o not in _IMPLIED_BIND_OPTIONS]
            parts = parts[:2] + ([",".join(sorted(opts))] if opts else [])
        out.append(":".join(parts))
    return sorted(out)


def _with_image(field: str) -> Normalise:
    return lambda value, image: {**(image.get(field) or {}), **(value or {})}


def _network_mode(mode: Any, image: Mapping[str, Any]) -> str:
    return "bridge" if mode in (None, "", "default") else str(mode)


def _restart(policy: Any, image: Mapping[str, Any]) -> tuple[str, int]:
    policy = policy or {}
    return (policy.get("Name") or "no", int(policy.get("MaximumRetryCount") or 0))


def _mounts(
    items: Iterable[Mapping[str, Any]] | None, image: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Type, source, target, and read-only only when set (so a wanted mount without it matches)."""
    out = []
    for m in items or []:
        mount = {
            "Type": m.get("Type", "volume"),
            "Source": m.get("Source") or "",
            "Target": m.get("Target", ""),
        }
        out.append(mount | ({"ReadOnly": True} if m.get("ReadOnly") else {}))
    return sorted(out, key=lambda m: (m["Target"], m["Type"]))


def _capabilities(items: Iterable[str] | None, image: Mapping[str, Any]) -> list[str]:
    """``NET_ADMIN`` and ``CAP_NET_ADMIN`` are the same capability."""
    return sorted(str(c).upper().removeprefix("CAP_") for c in items or [])


def _or_image(field: str) -> Normalise:
    """Unset (or empty) means the image's value, as the engine fills it in."""
    return lambda value, image: value or image.get(field)


NORMALISE: dict[str, Normalise] = {
    "Env": _env,
    "Labels": lambda value, image: unstamped(_with_image("Labels")(value, image)),
    "ExposedPorts": _with_image("ExposedPorts"),
    "Volumes": _with_image("Volumes"),
    "HostConfig.PortBindings": _bindings,
    "HostConfig.Binds": _binds,
    "HostConfig.NetworkMode": _network_mode,
    "HostConfig.RestartPolicy": _restart,
    "HostConfig.Mounts": _mounts,
    "HostConfig.CapAdd": _capabilities,
    "HostConfig.CapDrop": _capabilities,
    "Cmd": _or_image("Cmd"),
    "Entrypoint": _or_image("Entrypoint"),
    "WorkingDir": _or_image("WorkingDir"),
    "User": _or_image("User"),
    "StopSignal": _or_image("StopSignal"),
    "Healthcheck": _or_image("Healthcheck"),
}


def _covers(wanted: Any, have: Any) -> bool:
    """A wanted item is there: equal, or (mappings) each key it gives has the same value."""
    if isinstance(wanted, dict) and isinstance(have, dict):
        return all(have.get(k) == v for k, v in wanted.items())
    return bool(wanted == have)


def same(how: str, wanted: Any, actual: Any) -> bool:
    if how == "ignore":
        return True
    if how == "allow_more_present" and isinstance(wanted, dict) and isinstance(actual, dict):
        return all(actual.get(k) == v for k, v in wanted.items())
    if how == "allow_more_present" and isinstance(wanted, list) and isinstance(actual, list):
        return all(any(_covers(item, have) for have in actual) for item in wanted)
    return bool(wanted == actual)


def differences(
    given: Mapping[str, Any],
    desired: Body,
    actual: Mapping[str, Any],
    image_config: Mapping[str, Any],
    comparisons: Mapping[str, str],
) -> list[tuple[str, str, Any, Any]]:
    """(option, label, current, wanted) for every field of a given option that differs; the label
    is the option's name, with the field when the option writes several (``ports (ExposedPorts)``)."""
    out = []
    for name, value in given.items():
        option = BY_NAME[name]
        scratch: Body = {}
        option.apply(scratch, value)
        how = comparisons.get(name, comparisons.get("*", option.compare))
        keys = leaf_keys(scratch)
        for key in keys:
            normalise = NORMALISE.get(key, lambda v, image: v)
            wanted = normalise(get_path(desired, key), image_config)
            current = normalise(get_path(dict(actual), inspect_key(key)), image_config)
            if not same(how, wanted, current):
                out.append((name, name if len(keys) == 1 else f"{name} ({key})", current, wanted))
    return out
