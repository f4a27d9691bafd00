"""The ``service`` module: a swarm service that should exist with these settings, or not.

It takes community.docker's ``docker_swarm_service`` arguments (``limits: {memory}``, ``publish:
[{published_port, target_port}]``, ``placement: {constraints}``, ...) and the service option table's
own names (``limit_memory``, ``publish: ["8080:80"]``). Each given option is compared through the
fields of the ServiceSpec it writes; a service that differs is updated in place, as Swarm does
(its tasks replaced by its update policy), never removed and made again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

from ..engine import Engine
from ..errors import NotFound
from ..helpers.engines.labels import unstamped
from ..helpers.swarm.services import converge, resolved
from ..options.swarm.service import SERVICE_BY_NAME, check_api, service_spec
from ..options.table import get_path
from .result import ModuleError
from .runner import Result, begin

# community.docker's nested arguments: (its key, its sub-key) -> the service table's option
NESTED = {
    ("limits", "cpus"): "limit_cpu",
    ("limits", "memory"): "limit_memory",
    ("reservations", "cpus"): "reserve_cpu",
    ("reservations", "memory"): "reserve_memory",
    ("placement", "constraints"): "constraints",
    ("placement", "preferences"): "placement_prefs",
    ("placement", "replicas_max_per_node"): "max_replicas",
    ("restart_config", "condition"): "restart_condition",
    ("restart_config", "delay"): "restart_delay",
    ("restart_config", "max_attempts"): "restart_max_attempts",
    ("restart_config", "window"): "restart_window",
    ("logging", "driver"): "log_driver",
    ("logging", "options"): "log_opt",
    ("healthcheck", "test"): "health_cmd",
    ("healthcheck", "interval"): "health_interval",
    ("healthcheck", "timeout"): "health_timeout",
    ("healthcheck", "retries"): "health_retries",
    ("healthcheck", "start_period"): "health_start_period",
    **{
        (f"{policy}_config", key): f"{policy}_{key}"
        for policy in ("update", "rollback")
        for key in (
            "parallelism",
            "delay",
            "failure_action",
            "monitor",
            "max_failure_ratio",
            "order",
        )
    },
}
# community.docker's flat arguments under another name
RENAMED = {
    "command": "entrypoint",
    "env_files": "env_file",
    "working_dir": "workdir",
    "dns_options": "dns_option",
    "sysctls": "sysctl",
}


def _pairs(value: Any) -> Any:
    """A mapping (hosts, sysctls, log options) as the ``KEY=VALUE`` items the table reads."""
    return [f"{k}={v}" for k, v in value.items()] if isinstance(value, Mapping) else value


def table_options(args: Mapping[str, Any]) -> dict[str, Any]:
    """community.docker's arguments (and the table's own names) as service table options."""
    out: dict[str, Any] = {}
    for key, value in args.items():
        if value is None:
            continue
        nested = [(sub, name) for (outer, sub), name in NESTED.items() if outer == key]
        if nested:
            if not isinstance(value, Mapping):
                raise ModuleError(f"{key} takes a mapping ({', '.join(sub for sub, _ in nested)})")
            unknown = set(value) - {sub for sub, _ in nested}
            if unknown:
                raise ModuleError(f"unknown {key} key {sorted(unknown)[0]!r}")
            out.update({name: value[sub] for sub, name in nested if value.get(sub) is not None})
            continue
        name = RENAMED.get(key, key)
        if name not in SERVICE_BY_NAME:
            raise ModuleError(f"unknown option {key!r} for service")
        out[name] = value
    if isinstance(out.get("hosts"), Mapping):
        out["hosts"] = [f"{host}:{ip}" for host, ip in out["hosts"].items()]
    for name in ("sysctl", "log_opt"):
        out[name] = _pairs(out.get(name))
    prefs = out.get("placement_prefs")
    if prefs:  # [{spread: node.labels.zone}] -> ["spread=node.labels.zone"]
        out["placement_prefs"] = [
            f"spread={p['spread']}" if isinstance(p, Mapping) else str(p) for p in prefs
        ]
    return {k: v for k, v in out.items() if v is not None}


def _empty(value: Any) -> bool:
    return value in (None, False, 0, "", [], {})


def _same(wanted: Any, have: Any) -> bool:
    """Equal, with an empty value equal to an absent one (the engine drops some, the CLI sends some)."""
    if _empty(wanted) and _empty(have):
        return True
    if isinstance(wanted, Mapping) and isinstance(have, Mapping):
        return all(_same(wanted.get(k), have.get(k)) for k in {*wanted, *have})
    if isinstance(wanted, list) and isinstance(have, list):
        return len(wanted) == len(have) and all(
            _same(w, h) for w, h in zip(wanted, have, strict=True)
        )
    return bool(wanted == have)


def _comparable(spec: Mapping[str, Any]) -> dict[str, Any]:
    """A spec as compared: the session's labels left out, an image without its pinned digest."""
    out = dict(spec)
    out["Labels"] = unstamped(spec.get("Labels"))
    task = dict(spec.get("TaskTemplate") or {})
    container = dict(task.get("ContainerSpec") or {})
    container["Image"] = str(container.get("Image", "")).partition("@")[0]
    task["ContainerSpec"] = container
    out["TaskTemplate"] = task
    return out


def _networks_by_id(engine: Engine, spec: dict[str, Any]) -> None:
    """Networks named by name get their IDs: the engine keeps IDs, so that is what is compared."""
    for attachment in spec.get("TaskTemplate", {}).get("Networks") or []:
        try:
            attachment["Target"] = engine.network_inspect(attachment["Target"])["Id"]
        except NotFound:
            raise ModuleError(f"network {attachment['Target']} not found") from None


def service(
    name: str,
    image: str | None = None,
    state: str = "present",
    *,
    args: str | Iterable[str] | None = None,
    force_update: bool = False,
    detach: bool = False,
    check_mode: bool = False,
    diff: bool = False,
    engine: Engine | None = None,
    **options: Any,
) -> Result:
    """The service ``name`` should run ``image`` (with ``args``) as these options say, or be
    absent. Only what is given is compared (and the image and args); a difference updates the
    service in place and, unless ``detach``, waits for its tasks."""
    plan = begin(
        engine, lambda e: e.service_inspect(name), state, ("present", "absent"), check_mode, diff
    )
    engine, result, current = plan.engine, plan.result, plan.current
    if state == "absent":
        return plan.absent(lambda found: engine.service_delete(found["ID"]), service=None)
    if not image:
        image = str(
            get_path(current or {}, "Spec.TaskTemplate.ContainerSpec.Image") or ""
        ).partition("@")[0]
        if not image:
            raise ModuleError(f"service {name} does not exist: give its image")
    given = table_options(options)
    check_api(given, engine.api_version)
    wanted = resolved(engine, service_spec(image, args, name=name, **given))
    _networks_by_id(engine, wanted)
    done: list[str] = []  # the service's ID, once created or updated
    if current is None:
        result.compare("state", "absent", "present")
        plan.change("create", lambda: done.append(engine.service_create(wanted)["ID"]))
    else:
        have, want = _comparable(current["Spec"]), _comparable(wanted)
        paths = {"TaskTemplate.ContainerSpec.Image"} | (
            {"TaskTemplate.ContainerSpec.Args"} if args is not None else set()
        )
        paths |= {path for option in given for path in SERVICE_BY_NAME[option].paths}
        for path in sorted(paths):
            before, after = get_path(have, path), get_path(want, path)
            if not _same(after, before):
                result.compare(path, before, after)
        if force_update:
            result.compare("TaskTemplate.ForceUpdate", "", "forced")
        if result.diff:
            plan.change("update", partial(_update, engine, current, wanted, have, force_update))
            done.append(current["ID"])
    if plan.apply() and done:
        if not detach:
            converge(done[0], quiet=True, engine=engine)
        current = engine.service_inspect(done[0])
    return plan.finish(service=current)


def _update(
    engine: Engine,
    current: dict[str, Any],
    wanted: dict[str, Any],
    have: dict[str, Any],
    force: bool,
) -> None:
    """Update the service to ``wanted``, keeping the labels a session put on it."""
    kept = {
        k: v for k, v in (current["Spec"].get("Labels") or {}).items() if k not in have["Labels"]
    }
    wanted["Labels"] = {**(wanted.get("Labels") or {}), **kept}
    if force:
        wanted["TaskTemplate"]["ForceUpdate"] = (
            int(get_path(current, "Spec.TaskTemplate.ForceUpdate") or 0) + 1
        )
    engine.service_update(current["ID"], current["Version"]["Index"], wanted)
