"""community.docker's spellings, accepted by the modules: a task written for Ansible runs here as it is.

Option names and aliases come from the option table (its ``ansible`` column); this module adds the
module-level arguments and the value forms that differ from the CLI's (``etc_hosts`` as a mapping,
``restart_retries`` beside ``restart_policy``, ``published_ports: [all]``, ...). Arguments are checked
before any request: an unknown one, or a value dockmagic cannot honour, is one line naming it.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from typing import Any

from ..options import ALIASES, BY_NAME, OPTIONS
from ..options.values import extra_hosts
from .result import ModuleError

# Play module keys, as community.docker names its modules.
FQCN = {
    "container": "container",
    "image": "image",
    "network": "network",
    "volume": "volume",
    "copy_into": "copy_into",
    "exec": "exec",
    "prune": "prune",
    "service": "service",
    "docker_container": "container",
    "docker_image": "image",
    "docker_network": "network",
    "docker_volume": "volume",
    "docker_container_copy_into": "copy_into",
    "docker_container_exec": "exec",
    "docker_prune": "prune",
    "docker_swarm_service": "service",
}
FQCN |= {f"community.docker.{k}": v for k, v in list(FQCN.items()) if k.startswith("docker_")}

# community.docker name -> option table name
TABLE_NAMES: dict[str, str] = {a: o.name for o in OPTIONS for a in o.ansible} | ALIASES

# Arguments of the container module itself (not container options).
MODULE_ARGS = {
    "name",
    "image",
    "state",
    "command",
    "networks",
    "healthcheck",
    "pull",
    "recreate",
    "restart",
    "comparisons",
    "healthy_timeout",
    "keep_volumes",
    "paused",
    "force_kill",
    "kill_signal",
    "check_mode",
    "diff",
    "engine",
    "detach",
}
# Table options whose name is also a module argument travel under their alias.
_UNAMBIGUOUS = {"restart": "restart_policy"}
RENAMED = {"healthy_wait_timeout": "healthy_timeout", "forcekill": "force_kill"}

# Arguments whose community.docker default is what dockmagic always does; another value is refused.
_ONLY_DEFAULT: dict[str, tuple[Any, ...]] = {
    "cleanup": (False,),
    "output_logs": (False,),
    "command_handling": ("correct",),
    "container_default_behavior": ("no_defaults",),
    "image_comparison": ("desired-image",),
    "image_label_mismatch": ("ignore",),
    "image_name_mismatch": ("recreate",),
    "networks_cli_compatible": (True,),
    "pull_check_mode_behavior": ("image_not_present",),
    "default_host_ip": ("", "0.0.0.0"),
    "removal_wait_timeout": (),  # any value: removal here waits until the engine is done
    "api_version": ("auto",),
    "validate_certs": (),
    "timeout": (),
}


def _published(value: Any) -> Any:
    return [p for p in value if str(p) != "all"] if isinstance(value, list) else value


VALUE_FORMS: dict[str, Callable[[Any], Any]] = {"add_host": extra_hosts, "ports": _published}


def _suggest(name: str, known: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def container_args(args: Mapping[str, Any]) -> dict[str, Any]:
    """A ``container`` task's arguments, community.docker's or dockmagic's, as ``container()`` takes
    them: table options by their table name, module arguments by theirs."""
    out: dict[str, Any] = {}
    for given, value in args.items():
        name = RENAMED.get(given, given)
        if name in _ONLY_DEFAULT:
            allowed = _ONLY_DEFAULT[name]
            if allowed and value not in allowed:
                raise ModuleError(
                    f"{given}={value!r} is not supported by dockmagic (only {allowed[0]!r})"
                )
            continue
        if name in MODULE_ARGS or name == "restart_retries":
            out[name] = value
            continue
        table = TABLE_NAMES.get(name, name)
        if table not in BY_NAME:
            known = (
                set(TABLE_NAMES) | set(BY_NAME) | MODULE_ARGS | set(RENAMED) | set(_ONLY_DEFAULT)
            )
            raise ModuleError(f"unknown option {given!r}{_suggest(given, known)}")
        out[_UNAMBIGUOUS.get(table, table)] = VALUE_FORMS.get(table, lambda v: v)(value)
    if "published_ports" in args and "all" in map(str, args["published_ports"] or []):
        out["publish_all"] = True
    retries = out.pop("restart_retries", None)
    if retries is not None:
        policy = out.get("restart_policy")
        if policy not in ("on-failure", None):
            raise ModuleError(f"restart_retries needs restart_policy on-failure, not {policy!r}")
        out["restart_policy"] = f"on-failure:{int(retries)}"
    if "comparisons" in out:
        out["comparisons"] = {
            key if key == "*" or key in MODULE_ARGS else TABLE_NAMES.get(key, key): how
            for key, how in (out["comparisons"] or {}).items()
        }
    return out
