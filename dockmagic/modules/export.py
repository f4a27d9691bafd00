"""A play written out as an Ansible playbook with community.docker modules, so an experiment can
graduate to real automation. Options with no counterpart are named in comments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..options import ALIASES, BY_NAME
from ..options.values import as_labels, network_specs
from .community import MODULE_ARGS, container_args
from .play import CONTROL, module_of, parse_tasks

Converter = Callable[[dict[str, Any]], tuple[dict[str, Any], list[str]]]


def _rename(mapping: dict[str, str], drop: tuple[str, ...] = ()) -> Converter:
    """Options renamed by ``mapping``; those in ``drop`` have no counterpart."""

    def convert(args: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        out, missing = {}, []
        for key, value in args.items():
            if key in drop:
                missing.append(key)
            else:
                out[mapping.get(key, key)] = value
        return out, missing

    return convert


def _ansible_value(value: Any) -> Any:
    """Values in the types Ansible wants: strings in env and labels (true -> "true", 8080 -> "8080")."""
    if isinstance(value, dict):
        return as_labels({k: "" if v is None else v for k, v in value.items()})
    return value


def _container(args: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Option table names as community.docker's (its first name for each row); module arguments kept."""
    out: dict[str, Any] = {}
    missing: list[str] = []
    for key, value in container_args(args).items():
        if key in MODULE_ARGS:
            out[_MODULE_RENAMES.get(key, key)] = value
            continue
        option = BY_NAME[ALIASES.get(key, key)]
        if not option.ansible:
            missing.append(key)
            continue
        out[option.ansible[0]] = _ansible_value(value) if option.name in ("env", "labels") else value
        if option.name == "add_host" and not isinstance(value, dict):  # etc_hosts is a mapping
            out["etc_hosts"] = dict(str(h).rsplit(":", 1) for h in network_specs(value))
    if "networks" in out:
        out["networks"] = [n if isinstance(n, dict) else {"name": n} for n in network_specs(out["networks"])]
    if "comparisons" in out:
        out["comparisons"] = {
            k if k == "*" or k in MODULE_ARGS else (BY_NAME[k].ansible or (k,))[0]: how
            for k, how in out["comparisons"].items()
        }
    policy = str(out.get("restart_policy") or "")
    if ":" in policy:
        out["restart_policy"], out["restart_retries"] = policy.split(":")[0], int(policy.split(":")[1])
    return out, missing


_MODULE_RENAMES = {"healthy_timeout": "healthy_wait_timeout"}


def _network(args: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    out, missing = _rename({"options": "driver_options"})(args)
    if "subnets" in out:
        out["ipam_config"] = [{"subnet": s} for s in out.pop("subnets")]
    return out, missing


def _copy(args: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    out, missing = _rename({"path": "container_path", "src": "path"})(args)
    if "owner" in out:
        uid, _, gid = str(out.pop("owner")).partition(":")
        out["owner_id"], out["group_id"] = int(uid), int(gid or uid)
    return out, missing


def _prune(args: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    out, missing = _rename({})(args)
    filters = out.pop("filters", None)
    if filters:
        for kind in ("containers", "images", "networks", "volumes"):
            if out.get(kind):
                out[f"{kind}_filters"] = filters
    return out, missing


TARGETS: dict[str, tuple[str, Converter]] = {
    "container": ("community.docker.docker_container", _container),
    "image": ("community.docker.docker_image", _rename({"force": "force_source"})),
    "network": ("community.docker.docker_network", _network),
    "volume": ("community.docker.docker_volume", _rename({"name": "volume_name", "options": "driver_options"})),
    "copy_into": ("community.docker.docker_container_copy_into", _copy),
    "exec": ("community.docker.docker_container_exec", _rename({}, ("creates", "removes"))),
    "prune": ("community.docker.docker_prune", _prune),
}


def to_playbook(source: str | list[dict[str, Any]], name: str = "dockmagic play") -> str:
    """The play as Ansible playbook YAML for localhost."""
    import yaml

    tasks, notes = [], []
    for task in parse_tasks(source):
        module, args = module_of(task)
        target, convert = TARGETS[module]
        converted, missing = convert(dict(args or {}))
        entry = {k: task[k] for k in ("name",) if k in task}
        entry[target] = converted
        entry.update({k: task[k] for k in CONTROL - {"name"} if k in task})
        tasks.append(entry)
        notes += [
            f"task {task.get('name', module)!r}: dockmagic option {m!r} has no counterpart in {target}" for m in missing
        ]
    playbook = [{"name": name, "hosts": "localhost", "gather_facts": False, "tasks": tasks}]
    header = "".join(f"# {n}\n" for n in notes)
    return header + yaml.safe_dump(playbook, sort_keys=False, allow_unicode=True)
