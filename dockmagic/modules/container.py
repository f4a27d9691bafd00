"""The ``container`` module: a container with these options should exist (or not), idempotently.

Only the options the caller set are compared, with the image's defaults merged in (env, labels,
exposed ports, volumes, cmd). What ``/containers/{id}/update`` can change (memory, CPUs, restart
policy) is updated in place; networks are connected and disconnected in place; anything else
recreates the container, and the diff says why.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from ..engine import Engine
from ..errors import APIError, NotFound
from ..helpers.containers.lifecycle import update as update_resources
from ..helpers.images.registry import pull as pull_image
from ..options import ALIASES, BY_NAME, canonical, check_values, container_config
from ..options.values import as_list, network_specs, parse_network
from ..options.values import healthcheck as healthcheck_body
from .community import container_args
from .compare import NORMALISE, differences, same
from .result import ModuleError, Result
from .runner import Plan, begin

STATES = ("started", "present", "stopped", "absent", "healthy")


def _ensure_image(
    engine: Engine, image: str, policy: str, check: bool, result: Result
) -> dict[str, Any] | None:
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
    try:
        pull_image(image, quiet=True, engine=engine)
    except APIError as exc:  # the engine's reason, without the HTTP status a play has no use for
        raise ModuleError(f"cannot pull {image}: {exc.message}") from None
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
        wanted, current = (
            NORMALISE["Cmd"](c, image_config)
            for c in (desired.get("Cmd"), actual["Config"].get("Cmd"))
        )
        if not same(comparisons.get("command", "strict"), wanted, current):
            result.compare("command", current, wanted)
            recreate.append("command")
    compared = {k: v for k, v in given.items() if k != "network"}  # networks are connected in place
    if "network" in given:
        compared["network"] = given["network"][:1]  # the first one is the network mode
    for name, label, current, wanted in differences(
        compared, desired, actual, image_config, comparisons
    ):
        if "NetworkingConfig." in label:
            continue
        result.compare(label, current, wanted)
        target = update if BY_NAME[name].updatable else recreate
        if name not in target:
            target.append(name)
    return recreate, update


def _spelled_out(host: dict[str, Any], given: Mapping[str, Any]) -> None:
    """Values written as community.docker writes them, so that each tool finds the other's container
    as it wants it: a published port's address (default_host_ip), a bind's ``rw``, capabilities as
    given (the CLI adds ``CAP_``; dockmagic compares either spelling as the same)."""
    for option, field in (("cap_add", "CapAdd"), ("cap_drop", "CapDrop")):
        if option in given:
            host[field] = as_list(given[option])
    for bindings in (host.get("PortBindings") or {}).values():
        for binding in bindings:
            binding["HostIp"] = binding.get("HostIp") or "0.0.0.0"
    if host.get("Binds"):
        host["Binds"] = [b if b.count(":") >= 2 else f"{b}:rw" for b in host["Binds"]]


def container(name: str, image: str | None = None, state: str = "started", **args: Any) -> Result:
    """Make the container ``name`` be in ``state`` with these options; report what changed.

    Options are community.docker's ``docker_container`` arguments (``published_ports``,
    ``restart_policy``/``restart_retries``, ``networks`` as ``{name, aliases, ipv4_address}``,
    ``mounts`` as ``{source, target, read_only}``, ``comparisons``, ...) or the option table's own
    names (``ports``, ``memory``, ``workdir``, ...). Only what is given is compared; what ``docker
    update`` can change is updated in place, anything else recreates the container."""
    return _apply(**container_args({"name": name, "image": image, "state": state, **args}))


def _apply(
    name: str,
    image: str | None = None,
    state: str = "started",
    *,
    command: str | list[str] | None = None,
    networks: list[Any] | None = None,
    healthcheck: Mapping[str, Any] | None = None,
    pull: str | bool = "missing",
    recreate: bool = False,
    restart: bool = False,
    comparisons: Mapping[str, str] | None = None,
    healthy_timeout: float = 60,
    keep_volumes: bool = True,
    paused: bool | None = None,
    force_kill: bool = False,
    kill_signal: str | None = None,
    detach: bool = True,
    check_mode: bool = False,
    diff: bool = False,
    engine: Engine | None = None,
    **options: Any,
) -> Result:
    # community.docker: true means always, false and not_present mean missing
    policy = (
        "always" if pull is True else "missing" if pull in (False, "not_present") else str(pull)
    )
    given = canonical(options)
    spelled = {ALIASES.get(k, k): k for k in options}  # report options as the caller named them
    check_values(given, spelled)  # before any request
    if isinstance(given.get("network"), str):
        given["network"] = [given["network"]]
    wanted_networks = (
        [parse_network(n) for n in network_specs(networks)] if networks is not None else None
    )
    # a new container starts on the first of `networks` (the rest are connected after), which is
    # not compared: membership is what `networks` asks for
    first: dict[str, Any] = (
        {"network": network_specs(networks)[:1]} if networks and "network" not in given else {}
    )
    plan = begin(engine, lambda e: e.container_inspect(name), state, STATES, check_mode, diff)
    engine, result, actual = plan.engine, plan.result, plan.current
    if state == "absent":
        return plan.absent(
            lambda c: engine.container_delete(c["Id"], force=True, v=not keep_volumes), container={}
        )

    image = image or (actual["Config"]["Image"] if actual else None)
    if not image:
        raise ModuleError(f"container {name} does not exist and no image was given")
    image_info = _ensure_image(engine, image, policy, check_mode, result)
    extra = {"Healthcheck": healthcheck_body(healthcheck)} if healthcheck else None
    desired = container_config(image, command, extra=extra, **given, **first)
    if healthcheck and "Test" in desired["Healthcheck"]:  # compared through the Healthcheck field
        given["health_cmd"] = desired["Healthcheck"]["Test"]
    _spelled_out(desired["HostConfig"], given)

    want = _Wanted(name, state, desired, given, spelled, comparisons or {}, command, keep_volumes)
    recreated = actual is not None and _replace_or_update(plan, want, actual, image_info, recreate)
    if actual is None or recreated:
        if not recreated:
            result.compare("state", "absent", state)
            result.note("create")
        actual = _create(plan, want)
        if actual is None:  # check mode: what would be made
            return plan.finish(container={"Name": f"/{name}", "Config": desired})
    plan.apply()
    how = want.comparisons.get("networks", want.comparisons.get("*", "allow_more_present"))
    _networks(plan, actual, wanted_networks, how)
    _state(plan, actual, state, recreated, restart, force_kill, kill_signal)
    if paused is not None and state in ("started", "healthy"):
        _pause(plan, actual, paused)
    if not plan.apply():
        return plan.finish(container=actual)
    if state == "healthy":
        _wait_healthy(engine, actual["Id"], healthy_timeout)
    if not detach and state == "started":
        _wait_exit(engine, actual["Id"])
    return plan.finish(container=engine.container_inspect(actual["Id"]))


def _wait_exit(engine: Engine, cid: str) -> None:
    """``detach: false``, as community.docker: the task lasts until the container exits, and
    fails if it exits with another code than 0."""
    code = engine.container_wait(cid).get("StatusCode")
    if code:
        raise ModuleError(f"the container exited with code {code}")


@dataclass
class _Wanted:
    """What a container task asks for, resolved: the create body and the options as given."""

    name: str
    state: str
    desired: dict[str, Any]  # the create body
    given: dict[str, Any]  # the options by their table name
    spelled: dict[str, str]  # table name -> the name the caller used
    comparisons: Mapping[str, str]
    command: str | list[str] | None
    keep_volumes: bool


def _replace_or_update(
    plan: Plan,
    want: _Wanted,
    actual: dict[str, Any],
    image: dict[str, Any] | None,
    recreate: bool,
) -> bool:
    """Plan replacing the container (whether it is replaced) or changing it in place."""
    redo, update = _differences(
        want.given, want.command, want.desired, actual, image, want.comparisons, plan.result
    )
    cid, engine = actual["Id"], plan.engine
    podman = bool(update) and engine.podman_version() is not None  # it has no update in place
    if recreate or redo or podman:
        reasons = redo + (update if podman else [])
        why = ", ".join(want.spelled.get(r, r) for r in reasons) or "recreate=true"
        if podman:
            why += "; Podman cannot update in place"
        remove = partial(engine.container_delete, cid, force=True, v=not want.keep_volumes)
        plan.change(f"recreate ({why})", remove)
        return True
    if update:
        changes = {k: want.given[k] for k in update}
        named = ", ".join(want.spelled.get(u, u) for u in update)
        plan.change(
            f"update {named} in place", partial(update_resources, cid, engine=engine, **changes)
        )
    return False


def _create(plan: Plan, want: _Wanted) -> dict[str, Any] | None:
    """Carry out what is planned, then create the container; as inspected (None in check mode)."""
    made: list[dict[str, Any]] = []
    plan.then(lambda: made.append(plan.engine.container_create(want.desired, name=want.name)))
    if not plan.apply():
        return None
    plan.result.warnings += made[0].get("Warnings") or []
    return plan.engine.container_inspect(made[0]["Id"])


def _state(
    plan: Plan,
    actual: dict[str, Any],
    state: str,
    recreated: bool,
    restart: bool,
    force_kill: bool,
    kill_signal: str | None,
) -> None:
    """Plan starting, stopping (or killing) or restarting the container, as ``state`` asks."""
    engine, result = plan.engine, plan.result
    cid, running = actual["Id"], actual["State"]["Running"]
    if state in ("started", "healthy") and not running:
        if "create" not in result.actions and not recreated:
            result.compare("state", actual["State"]["Status"], "running")
        plan.change("start", partial(engine.container_start, cid))
    elif state == "stopped" and running:
        result.compare("state", "running", "stopped")
        if force_kill:
            plan.change("kill", partial(engine.container_kill, cid, signal=kill_signal or "KILL"))
        else:
            plan.change("stop", partial(engine.container_stop, cid))
    elif restart and running and not result.changed:
        plan.change("restart", partial(engine.container_restart, cid))


def _networks(
    plan: Plan, actual: dict[str, Any], wanted: list[tuple[str, dict[str, Any]]] | None, how: str
) -> None:
    """Connect, reconnect (other aliases or addresses) and, with ``comparisons: {networks: strict}``,
    disconnect, in place; only when ``networks`` was given. As community.docker, aliases the engine
    added itself (the short id) do not count."""
    if wanted is None:
        return
    engine, cid = plan.engine, actual["Id"]
    current = actual["NetworkSettings"].get("Networks") or {}
    for net, endpoint in wanted:
        have = current.get(net)
        if have is not None and _endpoint_matches(endpoint, have):
            continue
        plan.result.compare(f"networks ({net})", _endpoint_view(have), _endpoint_view(endpoint))
        if have is not None:
            plan.change(
                f"reconnect {net}", partial(engine.network_disconnect, net, cid, force=True)
            )
            plan.then(partial(engine.network_connect, net, cid, endpoint or None))
        else:
            plan.change(
                f"connect {net}", partial(engine.network_connect, net, cid, endpoint or None)
            )
    if how != "strict":
        return
    names = {net for net, _ in wanted}
    for net in sorted(set(current) - names):
        plan.result.compare(f"networks ({net})", "connected", "absent")
        plan.change(f"disconnect {net}", partial(engine.network_disconnect, net, cid, force=True))


def _endpoint_view(endpoint: Mapping[str, Any] | None) -> Any:
    if endpoint is None:
        return "absent"
    ipam = endpoint.get("IPAMConfig") or {}
    view = {
        "aliases": sorted(endpoint.get("Aliases") or []),
        **{k: v for k, v in ipam.items() if v},
    }
    return {k: v for k, v in view.items() if v} or "connected"


def _endpoint_matches(wanted: Mapping[str, Any], have: Mapping[str, Any]) -> bool:
    """Wanted aliases present (more allowed), wanted addresses the same."""
    if not set(wanted.get("Aliases") or []) <= set(have.get("Aliases") or []):
        return False
    ipam, held = wanted.get("IPAMConfig") or {}, have.get("IPAMConfig") or {}
    if any(value and held.get(key) != value for key, value in ipam.items()):
        return False
    return set(wanted.get("Links") or []) <= set(have.get("Links") or [])


def _pause(plan: Plan, actual: dict[str, Any], paused: bool) -> None:
    if bool(actual["State"].get("Paused")) == paused:
        return
    plan.result.compare("paused", not paused, paused)
    act = plan.engine.container_pause if paused else plan.engine.container_unpause
    plan.change("pause" if paused else "unpause", partial(act, actual["Id"]))


def _wait_healthy(engine: Engine, cid: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = engine.container_inspect(cid)["State"]
        health = (state.get("Health") or {}).get("Status")
        if health == "healthy":
            return
        if health is None:
            raise ModuleError(
                "state=healthy needs a healthcheck (in the image or the healthcheck option)"
            )
        if not state["Running"]:
            raise ModuleError(
                f"the container stopped (exit code {state.get('ExitCode')}) before it was healthy"
            )
        time.sleep(0.2)
    raise ModuleError(f"the container was not healthy after {timeout}s")
