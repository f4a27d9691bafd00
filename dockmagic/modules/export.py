"""A play written out as an Ansible playbook with community.docker modules, so an experiment can
graduate to real automation. Options with no counterpart are named in comments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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


def _container(args: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    out, missing = _rename({"ports": "published_ports", "workdir": "working_dir"}, ("healthy_timeout",))(args)
    if "networks" in out:
        out["networks"] = [{"name": n} for n in out["networks"]]
    policy = str(out.get("restart_policy") or "")
    if ":" in policy:
        out["restart_policy"], out["restart_retries"] = policy.split(":")[0], int(policy.split(":")[1])
    return out, missing


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
