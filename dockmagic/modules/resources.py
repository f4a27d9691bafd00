"""The ``image``, ``network`` and ``volume`` modules."""

from __future__ import annotations

import json
import tarfile
from collections.abc import Mapping
from functools import partial
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
from ..options.resources import (
    NETWORK_OPTIONS,
    VOLUME_OPTIONS,
    ResourceOption,
    by_name,
    given,
    network_body,
    pools_of,
    volume_body,
)
from ..options.resources import ipam_config as ipam_config_of
from .result import ModuleError, Result
from .runner import Plan, begin


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
    plan = begin(
        engine, lambda e: e.image_inspect(ref), state, ("present", "absent"), check_mode, diff
    )
    engine, result, current = plan.engine, plan.result, plan.current
    if state == "absent":
        return plan.absent(
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
        if check_mode:  # whether a pull changes anything is known only by pulling
            plan.change(action)
        else:
            _obtain(engine, source, ref, build, load_path)
            after = engine.image_inspect(ref)
            if not current or after["Id"] != current["Id"]:
                result.compare("id", (current or {}).get("Id"), after["Id"])
                result.note(action)
            current = after
    image_id = (current or {}).get("Id")
    pushed = ref
    if repository:
        pushed = _with_tag(repository, tag)
        tagged = _inspect(engine.image_inspect, pushed)
        if force_tag or not tagged or tagged["Id"] != image_id:
            result.compare("repository", (tagged or {}).get("Id"), image_id)
            plan.change(f"tag {pushed}", partial(tag_image, ref, pushed, engine=engine))
    if push:
        plan.change(f"push {pushed}", partial(push_image, pushed, quiet=True, engine=engine))
    if archive_path:
        archive = Path(archive_path).expanduser()
        if image_id is None or _archived_id(archive) != image_id:
            result.compare("archive", _archived_id(archive), image_id)
            plan.change(f"save {archive}", partial(save_images, ref, archive, engine=engine))
    plan.apply()
    return plan.finish(image=current)


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


def _differences(
    options: tuple[ResourceOption, ...], wanted: Mapping[str, Any], current: Mapping[str, Any]
) -> dict[str, tuple[Any, Any]]:
    """The options asked for that differ from what the engine holds: name -> (have, want). A
    mapping may hold more than was asked for."""
    out = {}
    for option in options:
        if option.name not in wanted or option.path is None:
            continue
        want, have = wanted[option.name], option.current(current)
        if _differs(have, want):
            out[option.name] = (have, want)
    return out


def _differs(have: Any, want: Any) -> bool:
    if isinstance(want, dict):  # a mapping may hold more than was asked for
        return any((have or {}).get(k) != v for k, v in want.items())
    return bool(have != want)


def _pools_view(
    ipam: Mapping[str, Any] | None, wanted: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The engine's IPAM pools, with only the keys the wanted ones give (a gateway the engine
    chose is not a difference when none was asked for)."""
    keys = {k for entry in wanted for k in entry}
    have = [
        {k: v for k, v in c.items() if k in keys and v} for c in (ipam or {}).get("Config") or []
    ]
    return sorted(have, key=lambda c: str(c.get("Subnet")))


def _spelled(args: Mapping[str, Any], options: tuple[ResourceOption, ...]) -> dict[str, str]:
    """Each option's name as the caller wrote it (dockmagic's or community.docker's)."""
    named = by_name(options)
    return {named[k].name: k for k in args if k in named}


def network(
    name: str | None = None,
    state: str = "present",
    *,
    network_name: str | None = None,
    ipam_config: list[Any] | None = None,
    subnets: list[str] | None = None,
    connected: list[str] | None = None,
    containers: list[str] | None = None,
    appends: bool = False,
    incremental: bool = False,
    force: bool = False,
    check_mode: bool = False,
    diff: bool = False,
    engine: Engine | None = None,
    **options: Any,
) -> Result:
    """The network ``name`` should exist with these settings, or not (community.docker's
    ``docker_network`` arguments, or ``network create``'s by their flag names: the table in
    options/resources.py; ``subnets`` is dockmagic's short form of ``ipam_config``). Only what is
    given is compared; a network that differs is recreated, its members reconnected, and the diff
    says so. ``connected`` containers are connected; others are disconnected unless ``appends``."""
    name = name or network_name
    if not name:
        raise ModuleError("network needs a name")
    plan = begin(
        engine, lambda e: e.network_inspect(name), state, ("present", "absent"), check_mode, diff
    )
    engine, result, current = plan.engine, plan.result, plan.current
    if state == "absent":

        def remove(current: dict[str, Any]) -> None:
            for cid in current.get("Containers") or {}:
                engine.network_disconnect(name, cid, force=True)
            engine.network_delete(name)

        return plan.absent(remove, network=None)
    wanted = given(NETWORK_OPTIONS, options)
    spelled = _spelled(options, NETWORK_OPTIONS)
    pools_given = ipam_config if ipam_config is not None else subnets
    pools = ipam_config_of(pools_given) if pools_given is not None else pools_of(wanted)
    members = list((current or {}).get("Containers") or {})
    wanted_members = connected if connected is not None else containers
    if current is not None:
        differs = _differences(NETWORK_OPTIONS, wanted, current)
        if pools is not None and _pools_view(current.get("IPAM"), pools) != pools:
            differs["ipam_config"] = (_pools_view(current.get("IPAM"), pools), pools)
            spelled["ipam_config"] = "subnets" if ipam_config is None else "ipam_config"
        for key, (have, want) in differs.items():
            result.compare(spelled.get(key, key), have, want)
        if differs:
            note = f"recreate ({', '.join(spelled.get(k, k) for k in differs)})"
            note += f", reconnecting {len(members)} container(s)" if members else ""

            def recreate() -> None:
                for cid in members:
                    engine.network_disconnect(name, cid, force=True)
                engine.network_delete(name)

            plan.change(note, recreate)
            wanted_members = [
                *(wanted_members or []),
                *(m for m in members if m not in (wanted_members or [])),
            ]
            current = None
    if current is None:
        if plan.current is None:  # it did not exist (rather than being recreated)
            result.compare("state", "absent", "present")
            result.note("create")
        body = network_body(name, wanted, pools or [])
        plan.then(lambda: engine.network_create(body))
        if not plan.apply():
            return plan.finish(network=None)
        current = engine.network_inspect(name)
    if wanted_members is not None:
        _membership(plan, name, current, wanted_members, appends or incremental)
    plan.apply()
    return plan.finish(network=None if check_mode else engine.network_inspect(name))


def _membership(
    plan: Plan, name: str, current: Mapping[str, Any], wanted: list[str], appends: bool
) -> None:
    """Plan connecting ``wanted`` containers to the network and, unless ``appends``, disconnecting
    the others."""
    engine = plan.engine
    for container in wanted:
        # Asked of the container: a network lists only its running members.
        info = _inspect(engine.container_inspect, container)
        if info is None:
            raise ModuleError(f"cannot connect {container} to {name}: no such container")
        if name not in (info["NetworkSettings"].get("Networks") or {}):
            plan.change(f"connect {container}", partial(engine.network_connect, name, container))
    if not appends:
        for cid, info in (current.get("Containers") or {}).items():
            if info.get("Name") not in wanted and cid not in wanted:
                disconnect = partial(engine.network_disconnect, name, cid, force=True)
                plan.change(f"disconnect {info.get('Name')}", disconnect)


def volume(
    name: str | None = None,
    state: str = "present",
    *,
    volume_name: str | None = None,
    recreate: str = "never",
    check_mode: bool = False,
    diff: bool = False,
    engine: Engine | None = None,
    **options: Any,
) -> Result:
    """The volume ``name`` should exist, or not (community.docker's ``docker_volume`` arguments, or
    ``volume create``'s by their flag names). Only what is given is compared; a volume that
    differs is kept (its data with it) and a warning says so, unless ``recreate`` is
    ``options-changed`` or ``always``: then the diff says the data goes."""
    name = name or volume_name
    if not name:
        raise ModuleError("volume needs a name")
    plan = begin(
        engine, lambda e: e.volume_inspect(name), state, ("present", "absent"), check_mode, diff
    )
    engine, result, current = plan.engine, plan.result, plan.current
    if state == "absent":
        return plan.absent(lambda _: engine.volume_delete(name), volume=None)
    if recreate not in ("never", "always", "options-changed"):
        raise ModuleError(f"recreate must be never, always or options-changed, not {recreate!r}")
    wanted = given(VOLUME_OPTIONS, options)
    spelled = _spelled(options, VOLUME_OPTIONS)
    if current is not None:
        differs = _differences(VOLUME_OPTIONS, wanted, current)
        for key, (have, want) in differs.items():
            result.compare(spelled.get(key, key), have, want)
        named = ", ".join(spelled.get(k, k) for k in differs)
        if recreate == "always" or (differs and recreate == "options-changed"):
            note = f"recreate ({named or 'recreate=always'}): its data is lost"
            plan.change(note, lambda: engine.volume_delete(name))
            current = None
        elif differs:
            result.warnings.append(
                f"volume {name} differs in {named}; recreate=never keeps it and its data"
            )
    if current is None:
        if plan.current is None:  # it did not exist (rather than being recreated)
            result.compare("state", "absent", "present")
            result.note("create")
        made: list[dict[str, Any]] = []
        plan.then(lambda: made.append(engine.volume_create(volume_body(name, wanted))))
        plan.apply()
        current = made[0] if made else None
    return plan.finish(volume=current)
