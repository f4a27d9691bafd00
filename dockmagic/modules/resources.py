"""The ``image``, ``network`` and ``volume`` modules."""

from __future__ import annotations

import json
import tarfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..engine import Engine
from ..errors import NotFound
from ..helpers.images.build import build as build_image
from ..helpers.images.local import load as load_image
from ..helpers.images.local import save as save_images
from ..helpers.images.local import tag as tag_image
from ..helpers.images.registry import pull as pull_image
from ..helpers.images.registry import push as push_image
from ..options.values import as_labels
from .result import ModuleError, Result
from .runner import begin


def _inspect(fn: Any, name: str) -> dict[str, Any] | None:
    try:
        return fn(name)
    except NotFound:
        return None


def _with_tag(name: str, tag: str | None) -> str:
    """``name`` with ``tag`` unless it names one already (a digest or ``:tag`` after the last /)."""
    if "@" in name or ":" in name.rsplit("/", 1)[-1]:
        return name
    return f"{name}:{tag or 'latest'}"


def _archived_id(path: Path) -> str | None:
    """The image id a ``docker save`` archive holds (its manifest's config digest), if readable."""
    try:
        with tarfile.open(path) as tar:
            member = tar.extractfile("manifest.json")
            manifest = json.loads(member.read()) if member else []
    except (OSError, tarfile.TarError, KeyError, ValueError):
        return None
    config = str((manifest[0] if manifest else {}).get("Config", ""))
    digest = config.removeprefix("blobs/sha256/").removesuffix(".json")
    return f"sha256:{digest}" if digest else None


def image(
    name: str,
    state: str = "present",
    *,
    tag: str | None = None,
    source: str | None = None,
    build: Mapping[str, Any] | None = None,
    load_path: str | None = None,
    repository: str | None = None,
    push: bool = False,
    archive_path: str | None = None,
    force: bool = False,
    force_source: bool = False,
    force_absent: bool = False,
    force_tag: bool = False,
    check_mode: bool = False,
    diff: bool = False,
    engine: Engine | None = None,
) -> Result:
    """The image ``name`` should be present (pulled, built, loaded, or already local) or absent, as
    community.docker's ``docker_image``: also tagged as ``repository``, pushed, saved to ``archive_path``."""
    ref = _with_tag(name, tag)
    run = begin(
        engine, lambda e: e.image_inspect(ref), state, ("present", "absent"), check_mode, diff
    )
    engine, result, current = run.engine, run.result, run.current
    if state == "absent":
        return run.absent(
            lambda _: engine.image_delete(ref, force=force or force_absent), image=None
        )
    source = source or (
        "build" if build else "load" if load_path else "pull" if not current else "local"
    )
    action = {"pull": "pull", "build": "build", "load": "load", "local": None}.get(source, "?")
    if action == "?":
        raise ModuleError(f"source must be pull, build, load or local, not {source!r}")
    if action is None and not current:
        raise ModuleError(f"image {ref} is not present and source=local")
    if action and (not current or force or force_source):
        if check_mode:
            result.note(action)
        else:
            _obtain(engine, source, ref, build, load_path)
            after = engine.image_inspect(ref)
            if not current or after["Id"] != current["Id"]:
                result.compare("id", (current or {}).get("Id"), after["Id"])
                result.note(action)
            current = after
    image_id = (current or {}).get("Id")
    if repository:
        target = _with_tag(repository, tag)
        tagged = _inspect(engine.image_inspect, target)
        if force_tag or not tagged or tagged["Id"] != image_id:
            result.compare("repository", (tagged or {}).get("Id"), image_id)
            result.note(f"tag {target}")
            if not check_mode:
                tag_image(ref, target, engine=engine)
        if push:
            result.note(f"push {target}")
            if not check_mode:
                push_image(target, quiet=True, engine=engine)
    elif push:
        result.note(f"push {ref}")
        if not check_mode:
            push_image(ref, quiet=True, engine=engine)
    if archive_path:
        archive = Path(archive_path).expanduser()
        if image_id is None or _archived_id(archive) != image_id:
            result.compare("archive", _archived_id(archive), image_id)
            result.note(f"save {archive}")
            if not check_mode:
                save_images(ref, archive, engine=engine)
    return run.finish(image=current)


def _obtain(
    engine: Engine, source: str, ref: str, build: Mapping[str, Any] | None, load_path: str | None
) -> None:
    if source == "pull":
        pull_image(ref, quiet=True, engine=engine)
    elif source == "build":
        spec = dict(build or {})
        if "path" not in spec and "dockerfile_text" not in spec:
            raise ModuleError("source=build needs build.path (a folder) or build.dockerfile_text")
        build_image(
            spec.get("path"),
            tag=ref,
            dockerfile=spec.get("dockerfile"),
            dockerfile_text=spec.get("dockerfile_text"),
            buildargs=spec.get("args"),
            target=spec.get("target"),
            labels=spec.get("labels"),
            nocache=bool(spec.get("nocache")),
            pull=bool(spec.get("pull")),
            quiet=True,
            engine=engine,
        )
    else:
        if not load_path:
            raise ModuleError("source=load needs load_path")
        load_image(load_path, quiet=True, engine=engine)


def _given_differences(wanted: Mapping[str, Any], have: Mapping[str, Any]) -> list[str]:
    """The settings asked for (None: not asked) that differ; mappings may hold more than asked."""
    out = []
    for key, want in wanted.items():
        if want is None:
            continue
        current = have.get(key)
        if isinstance(want, dict):
            differs = any((current or {}).get(k) != v for k, v in want.items())
        else:
            differs = current != want
        if differs:
            out.append(key)
    return out


def _ipam_config(items: list[Any] | None) -> list[dict[str, Any]] | None:
    """community.docker's ``ipam_config`` ({subnet, gateway, iprange, aux_addresses}) as the API's."""
    if items is None:
        return None
    keys = {
        "subnet": "Subnet",
        "gateway": "Gateway",
        "iprange": "IPRange",
        "aux_addresses": "AuxiliaryAddresses",
    }
    out = []
    for item in items:
        entry = {"subnet": item} if isinstance(item, str) else dict(item)
        unknown = set(entry) - set(keys)
        if unknown:
            raise ModuleError(
                f"unknown ipam_config key(s) {', '.join(sorted(unknown))} (subnet, gateway, iprange, aux_addresses)"
            )
        out.append({keys[k]: v for k, v in entry.items() if v})
    return sorted(out, key=lambda c: str(c.get("Subnet")))


def _ipam_view(
    ipam: Mapping[str, Any] | None, wanted: list[dict[str, Any]] | None
) -> list[dict[str, Any]]:
    """The engine's IPAM config, with only the keys the wanted entries give (a gateway the engine
    chose is not a difference when none was asked for)."""
    keys = {k for entry in wanted or [] for k in entry}
    have = [
        {k: v for k, v in c.items() if k in keys and v} for c in (ipam or {}).get("Config") or []
    ]
    return sorted(have, key=lambda c: str(c.get("Subnet")))


def network(
    name: str | None = None,
    state: str = "present",
    *,
    network_name: str | None = None,
    driver: str = "bridge",
    driver_options: Mapping[str, Any] | None = None,
    options: Mapping[str, Any] | None = None,
    labels: Mapping[str, Any] | None = None,
    ipam_config: list[Any] | None = None,
    subnets: list[str] | None = None,
    ipam_driver: str | None = None,
    ipam_driver_options: Mapping[str, Any] | None = None,
    internal: bool | None = None,
    attachable: bool | None = None,
    enable_ipv6: bool | None = None,
    scope: str | None = None,
    connected: list[str] | None = None,
    containers: list[str] | None = None,
    appends: bool = False,
    incremental: bool = False,
    force: bool = False,
    check_mode: bool = False,
    diff: bool = False,
    engine: Engine | None = None,
) -> Result:
    """The network ``name`` should exist with these settings, or not (community.docker's
    ``docker_network`` arguments; ``options``/``subnets`` are dockmagic's short forms). Only what is
    given is compared; a network that differs is recreated, its members reconnected, and the diff
    says so. ``connected`` containers are connected; others are disconnected unless ``appends``."""
    name = name or network_name
    if not name:
        raise ModuleError("network needs a name")
    found = name
    run = begin(
        engine, lambda e: e.network_inspect(found), state, ("present", "absent"), check_mode, diff
    )
    engine, result, current = run.engine, run.result, run.current
    connected = connected if connected is not None else containers
    appends = appends or incremental
    if state == "absent":

        def remove(current: dict[str, Any]) -> None:
            for cid in current.get("Containers") or {}:
                engine.network_disconnect(found, cid, force=True)
            engine.network_delete(found)

        return run.absent(remove, network=None)
    ipam = _ipam_config(ipam_config if ipam_config is not None else subnets)
    # report settings as the caller named them (dockmagic's short forms or community.docker's)
    spelled = {"ipam_config": "subnets"} if ipam_config is None and subnets is not None else {}
    spelled |= (
        {"driver_options": "options"} if driver_options is None and options is not None else {}
    )
    wanted: dict[str, Any] = {
        "driver": driver,
        "driver_options": as_labels(driver_options if driver_options is not None else options),
        "labels": as_labels(labels),
        "ipam_config": ipam,
        "ipam_driver": ipam_driver,
        "ipam_driver_options": as_labels(ipam_driver_options),
        "internal": internal,
        "attachable": attachable,
        "enable_ipv6": enable_ipv6,
        "scope": scope,
    }
    if current:
        have: dict[str, Any] = {
            "driver": current.get("Driver"),
            "driver_options": current.get("Options") or {},
            "labels": current.get("Labels") or {},
            "ipam_config": _ipam_view(current.get("IPAM"), ipam),
            "ipam_driver": (current.get("IPAM") or {}).get("Driver"),
            "ipam_driver_options": (current.get("IPAM") or {}).get("Options") or {},
            "internal": bool(current.get("Internal")),
            "attachable": bool(current.get("Attachable")),
            "enable_ipv6": bool(current.get("EnableIPv6")),
            "scope": current.get("Scope"),
        }
        differs = _given_differences(wanted, have)
        for k in differs:
            result.compare(spelled.get(k, k), have[k], wanted[k])
        if differs:
            members = list((current.get("Containers") or {}).keys())
            note = f"recreate ({', '.join(spelled.get(k, k) for k in differs)})" + (
                f", reconnecting {len(members)} container(s)" if members else ""
            )
            result.note(note)
            if not check_mode:
                for cid in members:
                    engine.network_disconnect(name, cid, force=True)
                engine.network_delete(name)
                connected = list(connected or []) + [
                    m for m in members if m not in (connected or [])
                ]
            current = None
    if current is None:
        if run.current is None:  # it did not exist (rather than being recreated)
            result.compare("state", "absent", "present")
            result.note("create")
        if check_mode:
            return run.finish(network=None)
        body = {
            "Name": name,
            "Driver": driver,
            "Options": wanted["driver_options"] or {},
            "Labels": wanted["labels"] or {},
            "IPAM": {
                "Driver": ipam_driver or "default",
                "Config": ipam or [],
                "Options": wanted["ipam_driver_options"] or {},
            },
            "Internal": bool(internal),
            "Attachable": bool(attachable),
            "EnableIPv6": bool(enable_ipv6),
            "CheckDuplicate": True,
        }
        engine.network_create({**body, **({"Scope": scope} if scope else {})})
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
    return run.finish(network=None if check_mode else engine.network_inspect(name))


def volume(
    name: str | None = None,
    state: str = "present",
    *,
    volume_name: str | None = None,
    driver: str | None = None,
    driver_options: Mapping[str, Any] | None = None,
    options: Mapping[str, Any] | None = None,
    labels: Mapping[str, Any] | None = None,
    recreate: str = "never",
    check_mode: bool = False,
    diff: bool = False,
    engine: Engine | None = None,
) -> Result:
    """The volume ``name`` should exist, or not (community.docker's ``docker_volume`` arguments).
    Only what is given is compared; a volume that differs is kept (its data with it) and a warning
    says so, unless ``recreate`` is ``options-changed`` or ``always``: then the diff says the data goes."""
    name = name or volume_name
    if not name:
        raise ModuleError("volume needs a name")
    found = name
    run = begin(
        engine, lambda e: e.volume_inspect(found), state, ("present", "absent"), check_mode, diff
    )
    engine, result, current = run.engine, run.result, run.current
    if state == "absent":
        return run.absent(lambda _: engine.volume_delete(found), volume=None)
    if recreate not in ("never", "always", "options-changed"):
        raise ModuleError(f"recreate must be never, always or options-changed, not {recreate!r}")
    want: dict[str, Any] = {
        "driver": driver,
        "driver_options": as_labels(driver_options if driver_options is not None else options),
        "labels": as_labels(labels),
    }
    if current:
        have: dict[str, Any] = {
            "driver": current.get("Driver"),
            "driver_options": current.get("Options") or {},
            "labels": current.get("Labels") or {},
        }
        differs = _given_differences(want, have)
        for k in differs:
            result.compare(k, have[k], want[k])
        if recreate == "always" or (differs and recreate == "options-changed"):
            result.note(f"recreate ({', '.join(differs) or 'recreate=always'}): its data is lost")
            if not check_mode:
                engine.volume_delete(name)
            current = None
        elif differs:
            result.warnings.append(
                f"volume {name} differs in {', '.join(differs)}; recreate=never keeps it and its data"
            )
    if current is None:
        if run.current is None:  # it did not exist (rather than being recreated)
            result.compare("state", "absent", "present")
            result.note("create")
        if not check_mode:
            current = engine.volume_create(
                {
                    "Name": name,
                    "Driver": driver or "local",
                    "DriverOpts": want["driver_options"] or {},
                    "Labels": want["labels"] or {},
                }
            )
    return run.finish(volume=current)
