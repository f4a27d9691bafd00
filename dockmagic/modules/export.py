"""A play written out as an Ansible playbook with community.docker modules, so an experiment can
graduate to real automation. Options with no counterpart are named in comments."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ..options import ALIASES, BY_NAME
from ..options.swarm.service import SERVICE_BY_NAME, as_attachment, as_reference, as_service_port
from ..options.values import as_extra_host, as_labels, as_mount, extra_hosts_mapping, network_specs
from .community import MODULE_ARGS, container_args
from .play import CONTROL, module_of, parse_tasks
from .service import NESTED as SERVICE_NESTED
from .service import RENAMED as SERVICE_RENAMED

Converter = Callable[[dict[str, Any]], tuple[dict[str, Any], list[str]]]


class NoCounterpart(Exception):
    """A task community.docker cannot express: written as a comment."""


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
        out[option.ansible[0]] = (
            _ansible_value(value) if option.name in ("env", "labels") else value
        )
        if option.name == "add_host" and not isinstance(value, dict):  # etc_hosts is a mapping
            out["etc_hosts"] = extra_hosts_mapping(value)
    if "networks" in out:
        out["networks"] = [
            n if isinstance(n, dict) else {"name": n} for n in network_specs(out["networks"])
        ]
    if "comparisons" in out:
        out["comparisons"] = {
            k if k == "*" or k in MODULE_ARGS else (BY_NAME[k].ansible or (k,))[0]: how
            for k, how in out["comparisons"].items()
        }
    policy = str(out.get("restart_policy") or "")
    if ":" in policy:
        out["restart_policy"], out["restart_retries"] = (
            policy.split(":")[0],
            int(policy.split(":")[1]),
        )
    return out, missing


_MODULE_RENAMES = {"healthy_timeout": "healthy_wait_timeout"}


def _network(args: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    out, missing = _rename({"options": "driver_options"})(args)
    if "subnets" in out:
        out["ipam_config"] = [{"subnet": s} for s in out.pop("subnets")]
    return out, missing


def _copy(args: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    if "container_path" in args:  # already community.docker's spelling
        return dict(args), []
    out, missing = _rename({"path": "container_path", "src": "path"})(args)
    if "owner" in out:
        uid, _, gid = str(out.pop("owner")).partition(":")
        out["owner_id"], out["group_id"] = int(uid), int(gid or uid)
    # an octal string Ansible reads as octal; written even when dockmagic's default was used
    mode = out.get("mode", 0o644)
    out["mode"] = f"{int(mode, 8) if isinstance(mode, str) else mode:04o}"
    out["mode_parse"] = "modern"
    return out, missing


def _image(args: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    out, missing = _rename({"force": "force_source"})(args)
    build = out.get("build") or {}
    if "dockerfile_text" in build:
        raise NoCounterpart(
            "build.dockerfile_text: docker_image builds only from a folder (build.path)"
        )
    if build or out.get("load_path"):
        out.setdefault("source", "build" if build else "load")
    return out, missing


def _prune(args: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    out, missing = _rename({})(args)
    filters = out.pop("filters", None)
    if filters:
        for kind in ("containers", "images", "networks", "volumes"):
            if out.get(kind):
                out[f"{kind}_filters"] = filters
    return out, missing


# the service table's names that docker_swarm_service spells the same (the rest: service._NESTED, _RENAMED)
_SERVICE_SAME = {
    "replicas", "mode", "labels", "container_labels", "env", "hostname", "user", "stop_signal",
    "stop_grace_period", "tty", "read_only", "init", "dns", "dns_search", "groups", "cap_add", "cap_drop",
    "endpoint_mode", "constraints",
}  # fmt: skip


def _service(args: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The service module's arguments (community.docker's already, or the table's names) as
    docker_swarm_service's: nested where it nests them, ports and mounts as mappings."""
    out: dict[str, Any] = {}
    missing: list[str] = []
    nested = {name: pair for pair, name in SERVICE_NESTED.items()}
    renamed = {table: community for community, table in SERVICE_RENAMED.items()}
    for key, value in args.items():
        if key in ("name", "image", "state", "args", "force_update") or key not in SERVICE_BY_NAME:
            out[key] = value  # community.docker's own spelling (or a module argument): as it is
        elif key in nested:
            outer, sub = nested[key]
            out.setdefault(outer, {})[sub] = _nested_value(sub, value)
        elif key in renamed or key in _SERVICE_SAME:
            out[renamed.get(key, key)] = (
                _ansible_value(value) if key in ("env", "labels", "container_labels") else value
            )
        elif key in _SERVICE_CONVERTED:
            out[key] = _SERVICE_CONVERTED[key](value)
        else:
            missing.append(key)
    if "constraints" in out:  # docker_swarm_service's placement holds them
        out.setdefault("placement", {})["constraints"] = out.pop("constraints")
    return out, missing


def _nested_value(sub: str, value: Any) -> Any:
    if sub == "preferences":  # "spread=node.labels.zone" -> {spread: node.labels.zone}
        return [{"spread": str(p).partition("=")[2]} if isinstance(p, str) else p for p in value]
    if sub == "options":  # log options
        return as_labels(value)
    if sub == "test" and isinstance(value, str):
        return ["CMD-SHELL", value]
    return value


def _listed(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _port(spec: Any) -> dict[str, Any]:
    port = as_service_port(spec)
    out = {
        "target_port": port["TargetPort"],
        "protocol": port["Protocol"],
        "mode": port["PublishMode"],
    }
    return {**out, "published_port": port["PublishedPort"]} if "PublishedPort" in port else out


def _reference(kind: str) -> Callable[[Any], list[dict[str, Any]]]:
    def convert(value: Any) -> list[dict[str, Any]]:
        out = []
        for item in _listed(value):
            ref = as_reference(item, kind)
            file = ref["File"]
            out.append(
                {f"{kind}_name": ref[f"{kind.capitalize()}Name"], "filename": file["Name"], "uid": file["UID"],
                 "gid": file["GID"], "mode": file["Mode"]}
            )  # fmt: skip
        return out

    return convert


def _mount(spec: Any) -> dict[str, Any]:
    mount = as_mount(spec)
    out = {"target": mount["Target"], "type": mount.get("Type", "volume")}
    if mount.get("Source"):
        out["source"] = mount["Source"]
    if mount.get("ReadOnly"):
        out["readonly"] = True
    return out


def _network_of(spec: Any) -> dict[str, Any]:
    attachment = as_attachment(spec)
    out: dict[str, Any] = {"name": attachment["Target"]}
    if attachment.get("Aliases"):
        out["aliases"] = attachment["Aliases"]
    return out


def _host_pair(spec: str) -> tuple[str, str]:
    name, _, address = as_extra_host(spec).partition(
        ":"
    )  # a name has no colon; an IPv6 address does
    return name, address


_SERVICE_CONVERTED: dict[str, Callable[[Any], Any]] = {
    "publish": lambda value: [_port(p) for p in _listed(value)],
    "mounts": lambda value: [_mount(m) for m in _listed(value)],
    "secrets": _reference("secret"),
    "configs": _reference("config"),
    "networks": lambda value: [_network_of(n) for n in _listed(value)],
    "hosts": lambda value: (
        value if isinstance(value, Mapping) else dict(_host_pair(h) for h in value)
    ),
    "sysctl": as_labels,
}


TARGETS: dict[str, tuple[str, Converter]] = {
    "container": ("community.docker.docker_container", _container),
    "image": ("community.docker.docker_image", _image),
    "network": ("community.docker.docker_network", _network),
    "volume": (
        "community.docker.docker_volume",
        _rename({"name": "volume_name", "options": "driver_options"}),
    ),
    "copy_into": ("community.docker.docker_container_copy_into", _copy),
    "exec": ("community.docker.docker_container_exec", _rename({}, ("creates", "removes"))),
    "prune": ("community.docker.docker_prune", _prune),
    "service": ("community.docker.docker_swarm_service", _service),
}


def to_playbook(
    source: str | list[dict[str, Any]],
    name: str = "dockmagic play",
    vars: Mapping[str, Any] | None = None,
) -> str:
    """The play as an Ansible playbook for localhost that ``ansible-playbook`` runs unchanged: ``vars``
    for the play's templates, values in the types Ansible wants; what has no counterpart is a comment,
    and the header lists it."""
    import yaml

    tasks: list[dict[str, Any]] = []
    notes: list[str] = []
    commented: list[str] = []
    for task in parse_tasks(source):
        module, args = module_of(task)
        target, convert = TARGETS[module]
        title = task.get("name", module)
        entry = {k: task[k] for k in ("name",) if k in task}
        try:
            converted, missing = convert(dict(args or {}))
        except NoCounterpart as exc:
            notes.append(f"task {title!r} is left out (written below as a comment): {exc}")
            body = yaml.safe_dump([{**entry, target: args}], sort_keys=False, allow_unicode=True)
            commented.append("".join(f"# {line}\n" for line in body.splitlines()))
            continue
        entry[target] = converted
        entry.update({k: task[k] for k in CONTROL - {"name"} if k in task})
        tasks.append(entry)
        notes += [
            f"task {title!r}: dockmagic option {m!r} has no counterpart in {target}"
            for m in missing
        ]
    play: dict[str, Any] = {"name": name, "hosts": "localhost", "gather_facts": False}
    used = sorted(set(re.findall(r"{{\s*([A-Za-z_]\w*)", yaml.safe_dump(tasks))) - {"item"})
    plain = (
        str,
        int,
        float,
        bool,
        list,
        dict,
    )  # what YAML can carry; other notebook objects stay out
    given = {k: v for k, v in (vars or {}).items() if k in used and isinstance(v, plain)}
    if given:
        play["vars"] = given
    unset = [v for v in used if v not in given and not _registered(v, tasks)]
    if unset:
        notes.append(f"variables to pass with -e: {', '.join(unset)}")
    play["tasks"] = tasks
    header = "".join(f"# {n}\n" for n in notes)
    body = yaml.safe_dump([play], sort_keys=False, allow_unicode=True)
    return (
        header
        + body
        + (
            "# tasks with no community.docker counterpart:\n" + "".join(commented)
            if commented
            else ""
        )
    )


def _registered(name: str, tasks: list[dict[str, Any]]) -> bool:
    return any(t.get("register") == name for t in tasks)
