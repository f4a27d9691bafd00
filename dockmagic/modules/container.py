"""The ``container`` module: a container with these options should exist (or not), idempotently.

Only the options the caller set are compared, with the image's defaults merged in (env, labels,
exposed ports, volumes, cmd). What ``/containers/{id}/update`` can change (memory, CPUs, restart
policy) is updated in place; networks are connected and disconnected in place; anything else
recreates the container, and the diff says why.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from ..engine import Engine
from ..errors import NotFound
from ..helpers.containers import update as update_resources
from ..helpers.images import pull as pull_image
from ..helpers.session import pick
from ..options import ALIASES, BY_NAME, canonical, container_config, parse_duration
from .compare import NORMALISE, differences, same
from .result import ModuleError, Result

STATES = ("started", "present", "stopped", "absent", "healthy")


def _ensure_image(engine: Engine, image: str, policy: str, check: bool, result: Result) -> dict[str, Any] | None:
    try:
        info = engine.image_inspect(image)
        if policy != "always":
            return info
    except NotFound:
        if policy == "never":
            raise ModuleError(f"image {image} is not present and pull=never") from None
    if check:
        result.note(f"pull {image}")
        return None
    before = None
    try:
        before = engine.image_inspect(image)["Id"]
    except NotFound:
        pass
    pull_image(image, quiet=True, engine=engine)
    info = engine.image_inspect(image)
    if info["Id"] != before:
        result.note(f"pulled {image}")
    return info


def _differences(
    given: dict[str, Any],
    command: Any,
    desired: dict[str, Any],
    actual: dict[str, Any],
    image: dict[str, Any] | None,
    comparisons: Mapping[str, str],
    result: Result,
) -> tuple[list[str], list[str]]:
    """(options to recreate for, options to update in place), recording each in the diff."""
    image_config = (image or {}).get("Config") or {}
    recreate: list[str] = []
    update: list[str] = []
    if image is not None and actual["Image"] != image["Id"]:
        result.compare("image", actual["Image"], image["Id"])
        recreate.append("image")
    if command is not None:
        wanted, current = (NORMALISE["Cmd"](c, image_config) for c in (desired.get("Cmd"), actual["Config"].get("Cmd")))
        if not same(comparisons.get("command", "strict"), wanted, current):
            result.compare("command", current, wanted)
            recreate.append("command")
    compared = {k: v for k, v in given.items() if k != "network"}  # networks are connected in place
    if "network" in given:
        compared["network"] = given["network"][:1]  # the first one is the network mode
    for name, label, current, wanted in differences(compared, desired, actual, image_config, comparisons):
        if "NetworkingConfig." in label:
            continue
        result.compare(label, current, wanted)
        target = update if BY_NAME[name].updatable else recreate
        if name not in target:
            target.append(name)
    return recreate, update


def _healthcheck(spec: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """``{"test": "wget -q localhost", "interval": "1s", "retries": 3}`` -> the API's Healthcheck."""
    if spec is None:
        return None
    test = spec["test"]
    out: dict[str, Any] = {"Test": ["CMD-SHELL", test] if isinstance(test, str) else list(test)}
    for key, api in (("interval", "Interval"), ("timeout", "Timeout"), ("start_period", "StartPeriod")):
        if key in spec:
            out[api] = int(parse_duration(spec[key]) * 1e9)
    if "retries" in spec:
        out["Retries"] = int(spec["retries"])
    return out


def container(
    name: str,
    image: str | None = None,
    state: str = "started",
    *,
    command: str | list[str] | None = None,
    networks: list[str] | None = None,
    healthcheck: Mapping[str, Any] | None = None,
    pull: str = "missing",
    recreate: bool = False,
    restart: bool = False,
    comparisons: Mapping[str, str] | None = None,
    healthy_timeout: float = 60,
    check_mode: bool = False,
    diff: bool = False,
    engine: Engine | None = None,
    **options: Any,
) -> Result:
    """Make the container ``name`` be in ``state`` with these options; report what changed.

    ``options`` are the rows of the option table by name (``env``, ``ports``, ``volumes``,
    ``memory``, ``restart_policy``, ``network_mode``, ...). Only what is given is compared; what
    ``docker update`` can change is updated in place, anything else recreates the container."""
    if state not in STATES:
        raise ModuleError(f"state must be one of {', '.join(STATES)}, not {state!r}")
    given = canonical(options)
    spelled = {ALIASES.get(k, k): k for k in options}  # report options as the caller named them
    if isinstance(given.get("network"), str):
        given["network"] = [given["network"]]
    # a new container starts on the first of `networks` (the rest are connected after), which is
    # not compared: membership is what `networks` asks for
    first: dict[str, Any] = {"network": networks[:1]} if networks and "network" not in given else {}
    engine = pick(engine)
    result = Result()
    try:
        actual: dict[str, Any] | None = engine.container_inspect(name)
    except NotFound:
        actual = None

    if state == "absent":
        cid = actual["Id"] if actual else ""
        result.remove(actual is not None, check_mode, lambda: engine.container_delete(cid, force=True, v=True))
        return result.finish(diff, container={})

    image = image or (actual["Config"]["Image"] if actual else None)
    if not image:
        raise ModuleError(f"container {name} does not exist and no image was given")
    image_info = _ensure_image(engine, image, pull, check_mode, result)
    extra = {"Healthcheck": _healthcheck(healthcheck)} if healthcheck else None
    desired = container_config(image, command, extra=extra, **given, **first)
    if healthcheck:
        given["health_cmd"] = desired["Healthcheck"]["Test"]  # compared through the Healthcheck field

    recreated = False
    if actual is not None:
        redo, update = _differences(given, command, desired, actual, image_info, comparisons or {}, result)
        if recreate or redo:
            recreated = True
            result.note(f"recreate ({', '.join(spelled.get(r, r) for r in redo) or 'recreate=true'})")
            if not check_mode:
                engine.container_delete(actual["Id"], force=True)
            actual = None
        elif update:
            result.note(f"update {', '.join(spelled.get(u, u) for u in update)} in place")
            if not check_mode:
                update_resources(actual["Id"], engine=engine, **{k: given[k] for k in update})

    if actual is None:
        if not recreated:
            result.compare("state", "absent", state)
            result.note("create")
        if check_mode:
            return result.finish(diff, container={"Name": f"/{name}", "Config": desired})
        created = engine.container_create(desired, name=name)
        result.warnings += created.get("Warnings") or []
        actual = engine.container_inspect(created["Id"])
    assert actual is not None

    _networks(engine, actual, networks, check_mode, result)
    running = actual["State"]["Running"]
    if state in ("started", "healthy") and not running:
        if "create" not in result.actions and not recreated:
            result.compare("state", actual["State"]["Status"], "running")
        result.note("start")
        if not check_mode:
            engine.container_start(actual["Id"])
    elif state == "stopped" and running:
        result.compare("state", "running", "stopped")
        result.note("stop")
        if not check_mode:
            engine.container_stop(actual["Id"])
    elif restart and running and not result.changed:
        result.note("restart")
        if not check_mode:
            engine.container_restart(actual["Id"])
    if state == "healthy" and not check_mode:
        _wait_healthy(engine, actual["Id"], healthy_timeout)
    facts = actual if check_mode else engine.container_inspect(actual["Id"])
    return result.finish(diff, container=facts)


def _networks(engine: Engine, actual: dict[str, Any], networks: list[str] | None, check: bool, result: Result) -> None:
    """Connect and disconnect in place; only when ``networks`` was given."""
    if networks is None:
        return
    current = set((actual["NetworkSettings"].get("Networks") or {}).keys())
    wanted = set(networks)
    for net in sorted(wanted - current):
        result.compare("networks", sorted(current), sorted(wanted))
        result.note(f"connect {net}")
        if not check:
            engine.network_connect(net, actual["Id"])
    for net in sorted(current - wanted):
        result.compare("networks", sorted(current), sorted(wanted))
        result.note(f"disconnect {net}")
        if not check:
            engine.network_disconnect(net, actual["Id"], force=True)


def _wait_healthy(engine: Engine, cid: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = engine.container_inspect(cid)["State"]
        health = (state.get("Health") or {}).get("Status")
        if health == "healthy":
            return
        if health is None:
            raise ModuleError("state=healthy needs a healthcheck (in the image or the healthcheck option)")
        if not state["Running"]:
            raise ModuleError(f"the container stopped (exit code {state.get('ExitCode')}) before it was healthy")
        time.sleep(0.2)
    raise ModuleError(f"the container was not healthy after {timeout}s")
