"""The ``container`` module: a container with these options should exist (or not), idempotently.

Only the options the caller set are compared, with the image's defaults merged in (env, labels,
exposed ports, volumes, cmd). What ``/containers/{id}/update`` can change (memory, CPUs, restart
policy) is updated in place; networks are connected and disconnected in place; anything else
recreates the container, and the diff says why.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

from ..engine import Engine
from ..errors import NotFound
from ..helpers.config import as_restart, container_config, parse_bytes
from ..helpers.images import pull as pull_image
from ..helpers.session import pick
from .result import ModuleError, Result

STATES = ("started", "present", "stopped", "absent", "healthy")
UPDATABLE = {"memory", "cpus", "restart_policy"}
DEFAULT_COMPARISON = {"env": "strict", "labels": "allow_more_present"}


def _env_dict(items: Iterable[str] | None) -> dict[str, str]:
    return dict(item.partition("=")[::2] for item in items or [])


def _bindings(raw: Mapping[str, Any] | None) -> dict[str, list[tuple[str, str]]]:
    """Port bindings with the engine's normalisation undone: no host IP means 0.0.0.0."""
    out: dict[str, list[tuple[str, str]]] = {}
    for port, binds in (raw or {}).items():
        out[port] = sorted((b.get("HostIp") or "0.0.0.0", str(b.get("HostPort") or "")) for b in binds or [])
    return out


def _network_mode(mode: str | None) -> str:
    return "bridge" if mode in (None, "", "default") else mode


def _same(kind: str, wanted: Any, actual: Any) -> bool:
    if kind == "ignore":
        return True
    if kind == "allow_more_present" and isinstance(wanted, dict):
        return all(actual.get(k) == v for k, v in wanted.items())
    if kind == "allow_more_present" and isinstance(wanted, list | set):
        return set(wanted) <= set(actual)
    return wanted == actual


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
    opts: dict[str, Any],
    desired: dict[str, Any],
    actual: dict[str, Any],
    image: dict[str, Any] | None,
    comparisons: Mapping[str, str],
    result: Result,
) -> tuple[list[str], list[str]]:
    """(options to recreate for, options to update in place), recording each in the diff."""
    config, host = actual["Config"], actual["HostConfig"]
    image_config = (image or {}).get("Config") or {}
    recreate: list[str] = []
    update: list[str] = []

    def check(key: str, wanted: Any, current: Any) -> None:
        kind = comparisons.get(key, DEFAULT_COMPARISON.get(key, "strict"))
        if not _same(kind, wanted, current):
            result.compare(key, current, wanted)
            (update if key in UPDATABLE else recreate).append(key)

    if image is not None and actual["Image"] != image["Id"]:
        result.compare("image", actual["Image"], image["Id"])
        recreate.append("image")
    if opts.get("command") is not None:
        check("command", desired.get("Cmd"), config.get("Cmd"))
    if opts.get("entrypoint") is not None:
        check("entrypoint", desired.get("Entrypoint"), config.get("Entrypoint"))
    if opts.get("env") is not None:
        check(
            "env", {**_env_dict(image_config.get("Env")), **_env_dict(desired.get("Env"))}, _env_dict(config.get("Env"))
        )
    if opts.get("labels") is not None:
        check(
            "labels",
            {**(image_config.get("Labels") or {}), **(desired.get("Labels") or {})},
            config.get("Labels") or {},
        )
    if opts.get("ports") is not None:
        check("ports", _bindings(desired["HostConfig"].get("PortBindings")), _bindings(host.get("PortBindings")))
    if opts.get("volumes") is not None:
        check("volumes", sorted(desired["HostConfig"].get("Binds") or []), sorted(host.get("Binds") or []))
    if opts.get("mounts") is not None:

        def key(m: Mapping[str, Any]) -> tuple[str, str, str, bool]:
            return (m.get("Type", "volume"), m.get("Source", ""), m.get("Target", ""), bool(m.get("ReadOnly")))

        check(
            "mounts",
            sorted(key(m) for m in desired["HostConfig"].get("Mounts") or []),
            sorted(key(m) for m in host.get("Mounts") or []),
        )
    for opt, field in (("user", "User"), ("workdir", "WorkingDir"), ("hostname", "Hostname")):
        if opts.get(opt) is not None:
            check(opt, desired.get(field), config.get(field))
    if opts.get("healthcheck") is not None:
        check("healthcheck", desired.get("Healthcheck"), config.get("Healthcheck"))
    if opts.get("network_mode") is not None:
        check("network_mode", _network_mode(opts["network_mode"]), _network_mode(host.get("NetworkMode")))
    if opts.get("memory") is not None:
        check("memory", parse_bytes(opts["memory"]), host.get("Memory"))
    if opts.get("cpus") is not None:
        check("cpus", int(opts["cpus"] * 1e9), host.get("NanoCpus"))
    if opts.get("restart_policy") is not None:
        wanted = as_restart(opts["restart_policy"]) or {}
        check("restart_policy", wanted["Name"], (host.get("RestartPolicy") or {}).get("Name") or "no")
    return recreate, update


def _healthcheck(spec: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """``{"test": "wget -q localhost", "interval": "1s", "retries": 3}`` -> the API's Healthcheck."""
    if spec is None:
        return None
    from ..helpers.timeparse import parse_duration

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
    entrypoint: str | list[str] | None = None,
    env: Mapping[str, Any] | None = None,
    ports: list[str] | None = None,
    volumes: list[str] | None = None,
    mounts: list[Any] | None = None,
    labels: Mapping[str, Any] | None = None,
    networks: list[str] | None = None,
    network_mode: str | None = None,
    restart_policy: str | None = None,
    memory: int | str | None = None,
    cpus: float | None = None,
    healthcheck: Mapping[str, Any] | None = None,
    user: str | None = None,
    workdir: str | None = None,
    hostname: str | None = None,
    pull: str = "missing",
    recreate: bool = False,
    restart: bool = False,
    comparisons: Mapping[str, str] | None = None,
    healthy_timeout: float = 60,
    check_mode: bool = False,
    diff: bool = False,
    engine: Engine | None = None,
) -> Result:
    """Make the container ``name`` be in ``state`` with these options; report what changed."""
    if state not in STATES:
        raise ModuleError(f"state must be one of {', '.join(STATES)}, not {state!r}")
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
    opts = {
        "command": command,
        "entrypoint": entrypoint,
        "env": env,
        "ports": ports,
        "volumes": volumes,
        "mounts": mounts,
        "labels": labels,
        "network_mode": network_mode,
        "restart_policy": restart_policy,
        "memory": memory,
        "cpus": cpus,
        "healthcheck": healthcheck,
        "user": user,
        "workdir": workdir,
        "hostname": hostname,
    }
    extra = {"Healthcheck": _healthcheck(healthcheck)} if healthcheck else None
    desired = container_config(
        image,
        command,
        env=env,
        volumes=volumes,
        mounts=mounts,
        ports=ports,
        workdir=workdir,
        user=user,
        entrypoint=entrypoint,
        labels=labels,
        network=network_mode or (networks[0] if networks else None),
        memory=memory,
        cpus=cpus,
        hostname=hostname,
        restart=restart_policy,
        extra=extra,
    )

    recreated = False
    if actual is not None:
        redo, update = _differences(opts, desired, actual, image_info, comparisons or {}, result)
        if recreate or redo:
            recreated = True
            result.note(f"recreate ({', '.join(redo) or 'recreate=true'})")
            if not check_mode:
                engine.container_delete(actual["Id"], force=True)
            actual = None
        elif update:
            result.note(f"update {', '.join(update)} in place")
            if not check_mode:
                body: dict[str, Any] = {}
                if memory is not None:
                    body.update(Memory=parse_bytes(memory), MemorySwap=-1)
                if cpus is not None:
                    body["NanoCpus"] = int(cpus * 1e9)
                if restart_policy is not None:
                    body["RestartPolicy"] = as_restart(restart_policy)
                result.warnings += engine.container_update(actual["Id"], body).get("Warnings") or []

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
