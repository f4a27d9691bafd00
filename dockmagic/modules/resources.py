"""The ``image``, ``network`` and ``volume`` modules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..engine import Engine
from ..errors import NotFound
from ..helpers.build import build as build_image
from ..helpers.images import load as load_image
from ..helpers.images import pull as pull_image
from ..helpers.session import pick
from .result import ModuleError, Result


def _inspect(fn: Any, name: str) -> dict[str, Any] | None:
    try:
        return fn(name)
    except NotFound:
        return None


def image(
    name: str,
    state: str = "present",
    *,
    source: str = "pull",
    build: Mapping[str, Any] | None = None,
    load_path: str | None = None,
    force: bool = False,
    check_mode: bool = False,
    diff: bool = False,
    engine: Engine | None = None,
) -> Result:
    """The image ``name`` should be present (pulled, built, loaded, or already local) or absent."""
    engine = pick(engine)
    result = Result()
    current = _inspect(engine.image_inspect, name)
    if state == "absent":
        result.remove(bool(current), check_mode, lambda: engine.image_delete(name, force=force))
        return result.finish(diff, image=None)
    if state != "present":
        raise ModuleError(f"state must be present or absent, not {state!r}")
    if current and not force:
        return result.finish(diff, image=current)
    if source == "local":
        if not current:
            raise ModuleError(f"image {name} is not present and source=local")
        return result.finish(diff, image=current)
    action = {"pull": "pull", "build": "build", "load": "load"}.get(source)
    if action is None:
        raise ModuleError(f"source must be pull, build, load or local, not {source!r}")
    if check_mode:
        result.note(action)
        return result.finish(diff, image=current)
    if source == "pull":
        pull_image(name, quiet=True, engine=engine)
    elif source == "build":
        spec = dict(build or {})
        if "path" not in spec and "dockerfile_text" not in spec:
            raise ModuleError("source=build needs build.path (a folder) or build.dockerfile_text")
        build_image(
            spec.get("path"),
            tag=name,
            dockerfile=spec.get("dockerfile"),
            dockerfile_text=spec.get("dockerfile_text"),
            buildargs=spec.get("args"),
            target=spec.get("target"),
            labels=spec.get("labels"),
            nocache=bool(spec.get("nocache")),
            quiet=True,
            engine=engine,
        )
    else:
        if not load_path:
            raise ModuleError("source=load needs load_path")
        load_image(load_path, quiet=True, engine=engine)
    after = engine.image_inspect(name)
    if not current or after["Id"] != current["Id"]:
        result.compare("id", (current or {}).get("Id"), after["Id"])
        result.note(action)
    return result.finish(diff, image=after)


def _subnets(ipam: Mapping[str, Any] | None) -> list[str]:
    return sorted(c.get("Subnet", "") for c in (ipam or {}).get("Config") or [] if c.get("Subnet"))


def network(
    name: str,
    state: str = "present",
    *,
    driver: str = "bridge",
    options: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    subnets: list[str] | None = None,
    internal: bool | None = None,
    connected: list[str] | None = None,
    appends: bool = False,
    check_mode: bool = False,
    diff: bool = False,
    engine: Engine | None = None,
) -> Result:
    """The network ``name`` should exist with these settings (recreated when they differ) and have
    ``connected`` containers (others disconnected unless ``appends``)."""
    engine = pick(engine)
    result = Result()
    current = _inspect(engine.network_inspect, name)
    if state == "absent":

        def remove() -> None:
            assert current is not None
            for cid in current.get("Containers") or {}:
                engine.network_disconnect(name, cid, force=True)
            engine.network_delete(name)

        result.remove(bool(current), check_mode, remove)
        return result.finish(diff, network=None)
    wanted: dict[str, Any] = {
        "driver": driver,
        "options": dict(options or {}),
        "labels": dict(labels or {}),
        "subnets": sorted(subnets or []),
        "internal": bool(internal),
    }
    if current:
        have: dict[str, Any] = {
            "driver": current.get("Driver"),
            "options": current.get("Options") or {},
            "labels": current.get("Labels") or {},
            "subnets": _subnets(current.get("IPAM")),
            "internal": bool(current.get("Internal")),
        }
        differs = []
        for key, want in wanted.items():
            if key == "subnets" and subnets is None:
                continue  # not asked for: whatever the engine chose is fine
            if key in ("labels", "options"):  # more present than asked for is fine
                same = all(have[key].get(k) == v for k, v in want.items())
            else:
                same = have[key] == want
            if not same:
                differs.append(key)
        for k in differs:
            result.compare(k, have[k], wanted[k])
        if differs:
            result.note(f"recreate ({', '.join(differs)})")
            if not check_mode:
                members = list((current.get("Containers") or {}).keys())
                for cid in members:
                    engine.network_disconnect(name, cid, force=True)
                engine.network_delete(name)
                connected = list(connected or []) + [m for m in members if m not in (connected or [])]
            current = None
    if current is None:
        if "recreate" not in " ".join(result.actions):
            result.compare("state", "absent", "present")
            result.note("create")
        if check_mode:
            return result.finish(diff, network=None)
        ipam = {"Config": [{"Subnet": s} for s in subnets]} if subnets else None
        engine.network_create(
            {
                "Name": name,
                "Driver": driver,
                "Options": wanted["options"],
                "Labels": wanted["labels"],
                "IPAM": ipam,
                "Internal": wanted["internal"],
                "CheckDuplicate": True,
            }
        )
        current = engine.network_inspect(name)
    if connected is not None:
        for c in connected:
            # Asked of the container: a network lists only its running members.
            info = _inspect(engine.container_inspect, c)
            if info is None:
                raise ModuleError(f"cannot connect {c} to {name}: no such container")
            if name not in (info["NetworkSettings"].get("Networks") or {}) or current is None:
                result.note(f"connect {c}")
                if not check_mode:
                    engine.network_connect(name, c)
        if not appends and current is not None:
            for cid, info in (current.get("Containers") or {}).items():
                if info.get("Name") not in connected and cid not in connected:
                    result.note(f"disconnect {info.get('Name')}")
                    if not check_mode:
                        engine.network_disconnect(name, cid, force=True)
    return result.finish(diff, network=None if check_mode else engine.network_inspect(name))


def volume(
    name: str,
    state: str = "present",
    *,
    driver: str = "local",
    options: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    recreate: str = "never",
    check_mode: bool = False,
    diff: bool = False,
    engine: Engine | None = None,
) -> Result:
    """The volume ``name`` should exist (``recreate``: never, always, options-changed) or not."""
    engine = pick(engine)
    result = Result()
    current = _inspect(engine.volume_inspect, name)
    if state == "absent":
        result.remove(bool(current), check_mode, lambda: engine.volume_delete(name))
        return result.finish(diff, volume=None)
    if recreate not in ("never", "always", "options-changed"):
        raise ModuleError(f"recreate must be never, always or options-changed, not {recreate!r}")
    if current:
        have: dict[str, Any] = {
            "driver": current.get("Driver"),
            "options": current.get("Options") or {},
            "labels": current.get("Labels") or {},
        }
        want: dict[str, Any] = {
            "driver": driver,
            "options": dict(options or {}),
            "labels": {**have["labels"], **(labels or {})},
        }
        differs = [k for k in want if have[k] != want[k]]
        for k in differs:
            result.compare(k, have[k], want[k])
        if recreate == "always" or (differs and recreate == "options-changed"):
            result.note(f"recreate ({', '.join(differs) or 'recreate=always'})")
            if not check_mode:
                engine.volume_delete(name)
            current = None
        elif differs:
            result.warnings.append(f"volume {name} differs in {', '.join(differs)}; recreate=never keeps it")
    if current is None:
        if not result.actions:
            result.compare("state", "absent", "present")
            result.note("create")
        if not check_mode:
            current = engine.volume_create(
                {"Name": name, "Driver": driver, "DriverOpts": dict(options or {}), "Labels": dict(labels or {})}
            )
    return result.finish(diff, volume=current)
