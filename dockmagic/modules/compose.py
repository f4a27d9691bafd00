"""A Compose project as a play (``%%docker_compose --export``): its networks, volumes, images
and containers as ``network``, ``volume``, ``image`` and ``container`` tasks in community.docker's
arguments, for an Ansible playbook.

The project is read by the same model and converted by the same code as ``%docker compose up``
(compose/convert.py makes each container's create body); this module only says each field of
that body the way community.docker's ``docker_container`` takes it. So what the playbook makes
is what ``up`` makes, with compose's names and labels (the config hash too), and
``docker compose up -d`` after the playbook finds its project current. A field
community.docker cannot set is refused by name, never dropped.

Where a playbook cannot be compose: a job another service waits to complete is run when the
playbook makes it (compose's ``up`` runs it each time); a service that shares another's
container (``network_mode: service:app``, ``volumes_from``) names that container, where compose
hashes its ID, so compose's next ``up`` recreates it once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ..compose.containers import container_labels, container_name, links, scale
from ..compose.convert import container_body, image_of
from ..compose.model import Json, Project
from ..compose.ordering import dependencies
from ..compose.project import network_labels, volume_labels
from ..engine import Engine
from ..errors import NotFound
from .result import ModuleError


def compose_tasks(
    project: Project, *, down: bool = False, volumes: bool = False, engine: Engine | None = None
) -> list[Json]:
    """The play for ``project``: ``up`` (networks, volumes, images to build, then each service's
    containers after those it depends on), or ``down`` (containers, then networks; volumes too
    with ``volumes``). ``engine``: where to look up the images' IDs (compose's image label)."""
    order = _in_dependency_order(project)
    declared_networks = project.model.get("networks") or {}
    declared_volumes = project.model.get("volumes") or {}
    if down:
        gone = {"state": "absent", "keep_volumes": not volumes}  # -v: anonymous volumes too
        tasks = [
            {"name": f"remove {name}", "container": {"name": name, **gone}}
            for service in reversed(order)
            for name in _names(project, service)
        ]
        tasks += [
            {"name": f"remove network {key}", "network": {"name": spec["name"], "state": "absent"}}
            for key, spec in declared_networks.items()
            if not spec.get("external")
        ]
        if volumes:
            tasks += [
                {
                    "name": f"remove volume {key}",
                    "volume": {"name": spec["name"], "state": "absent"},
                }
                for key, spec in declared_volumes.items()
                if not spec.get("external")
            ]
        return tasks
    tasks = [
        _network(project, key, spec)
        for key, spec in declared_networks.items()
        if not spec.get("external")
    ]
    tasks += [
        _volume(project, key, spec)
        for key, spec in declared_volumes.items()
        if not spec.get("external")
    ]
    tasks += [_build(project, s) for s in order if project.services[s].get("build")]
    for service in order:
        image = _image_id(engine, project, service)  # asked once, for all its replicas
        for number in range(1, scale(project, service) + 1):
            tasks += _service_tasks(project, service, number, image)
    return tasks


def _service_tasks(project: Project, service: str, number: int, image: str | None) -> list[Json]:
    """Container ``number`` of ``service``: started (healthy, if another service waits for
    that). A job another service waits to complete runs to its end when it is made, and only
    then, as ``up`` runs it: made stopped, then run once if that task changed it."""
    args = _container(project, service, number, image)
    awaited = _awaited(project, service)
    title = f"service {service} {number}"
    if "service_completed_successfully" in awaited:
        done = re.sub(r"\W", "_", f"made_{service}_{number}")
        run = {"name": args["name"], "state": "started", "detach": False}
        return [
            {"name": title, "container": {**args, "state": "present"}, "register": done},
            {"name": f"run {service} {number}", "container": run, "when": f"{done}.changed"},
        ]
    if "service_healthy" in awaited:
        args["state"] = "healthy"
    return [{"name": title, "container": args}]


def _in_dependency_order(project: Project) -> list[str]:
    graph = dependencies(project.services)
    done: list[str] = []

    def visit(name: str) -> None:
        if name not in done:
            for needed in sorted(graph[name]):
                visit(needed)
            done.append(name)

    for name in project.services:
        visit(name)  # the model has no cycles: it refuses them as it loads
    return done


def _names(project: Project, service: str) -> list[str]:
    return [container_name(project, service, n) for n in range(1, scale(project, service) + 1)]


def _awaited(project: Project, service: str) -> set[str]:
    """The conditions other services wait for ``service`` to meet."""
    return {
        (how or {}).get("condition") or "service_started"
        for spec in project.services.values()
        for name, how in (spec.get("depends_on") or {}).items()
        if name == service
    }


def _network(project: Project, key: str, spec: Json) -> Json:
    ipam = spec.get("ipam") or {}
    args: Json = {
        "name": spec["name"],
        "driver": spec.get("driver") or "bridge",
        "labels": {**(spec.get("labels") or {}), **network_labels(project, key, spec)},
    }
    if spec.get("driver_opts"):
        args["driver_options"] = dict(spec["driver_opts"])
    fields = ("subnet", "gateway", "ip_range", "aux_addresses")
    if ipam.get("config"):
        args["ipam_config"] = [
            {("iprange" if k == "ip_range" else k): v for k, v in pool.items() if k in fields}
            for pool in ipam["config"]
        ]
    if ipam.get("driver"):
        args["ipam_driver"] = ipam["driver"]
    for flag in ("internal", "attachable", "enable_ipv6"):
        if spec.get(flag):
            args[flag] = True
    return {"name": f"network {key}", "network": args}


def _volume(project: Project, key: str, spec: Json) -> Json:
    args: Json = {
        "name": spec["name"],
        "labels": {**(spec.get("labels") or {}), **volume_labels(project, key, spec)},
    }
    if spec.get("driver"):
        args["driver"] = spec["driver"]
    if spec.get("driver_opts"):
        args["driver_options"] = dict(spec["driver_opts"])
    return {"name": f"volume {key}", "volume": args}


def _build(project: Project, service: str) -> Json:
    build = project.services[service]["build"]
    unsupported = sorted(set(build) - {"context", "dockerfile", "args", "target", "labels"})
    if unsupported:
        raise ModuleError(
            f"services.{service}.build.{unsupported[0]}: docker_image has no such option"
        )
    args: Json = {"path": build["context"]}
    for key in ("dockerfile", "args", "target", "labels"):
        if build.get(key):
            args[key] = build[key]
    return {
        "name": f"build {service}",
        "image": {"name": image_of(project, service), "source": "build", "build": args},
    }


def _container(project: Project, service: str, number: int, image: str | None) -> Json:
    """Container ``number``'s task arguments; ``image``: the ID of the image it runs, if known."""
    spec = project.services[service]
    for key in ("post_start", "pre_stop"):
        if spec.get(key):
            raise ModuleError(f"services.{service}.{key}: docker_container runs no hooks")
    for kind in ("secrets", "configs"):
        declared = project.model.get(kind) or {}
        for ref in spec.get(kind) or []:
            if not declared.get(ref["source"], {}).get("file"):
                raise ModuleError(
                    f"services.{service}.{kind}.{ref['source']}: only file-backed {kind} can be "
                    "exported (up writes the others into the container as it starts)"
                )
    # Containers of other services are named, not known by ID: the playbook makes them first.
    ids = {other: container_name(project, other) for other in project.services}
    name = container_name(project, service, number)
    labels = container_labels(project, service, number, ids, image)
    body, extra = container_body(
        project,
        service,
        ids,
        labels,
        name,
        links=links(project, service, number, lambda other: _names(project, other)),
    )
    return _as_module_args(service, name, body, extra)


def _image_id(engine: Engine | None, project: Project, service: str) -> str | None:
    """The ID of the image the service runs, if it is on ``engine`` (a build's is not yet)."""
    if engine is None or project.services[service].get("build"):
        return None
    try:
        return str(engine.image_inspect(image_of(project, service))["Id"])
    except NotFound:
        return None


# -- the create body in community.docker's words -----------------------------------------------

Field = Callable[[Any], Json]


def _same(option: str) -> Field:
    return lambda value: {option: value}


def _text(option: str) -> Field:
    return lambda value: {option: str(value)}


def _duration(nanos: int) -> str:
    """A duration in the largest whole unit docker_container reads (it takes no fractions)."""
    for unit, size in (("s", 10**9), ("ms", 10**6), ("us", 10**3)):
        if nanos % size == 0:
            return f"{nanos // size}{unit}"
    return f"{nanos / 1000:.0f}us"


def _healthcheck(check: Mapping[str, Any]) -> Json:
    out: Json = {"test": check.get("Test") or []}
    for field, key in (
        ("Interval", "interval"),
        ("Timeout", "timeout"),
        ("StartPeriod", "start_period"),
        ("StartInterval", "start_interval"),
    ):
        if check.get(field):
            out[key] = _duration(check[field])
    if check.get("Retries"):
        out["retries"] = check["Retries"]
    return {"healthcheck": out}


def _ports(bindings: Mapping[str, list[Json]]) -> Json:
    published = []
    for port, hosts in bindings.items():
        for host in hosts:
            ip, number = host.get("HostIp") or "", host.get("HostPort") or ""
            prefix = f"{ip}:{number}:" if ip else f"{number}:" if number else ""
            published.append(f"{prefix}{port}")
    return {"published_ports": published} if published else {}


def _mount(mount: Mapping[str, Any]) -> Json:
    out: Json = {"type": mount["Type"], "target": mount["Target"]}
    if mount.get("Source"):
        out["source"] = mount["Source"]
    if mount.get("ReadOnly"):
        out["read_only"] = True
    if (mount.get("BindOptions") or {}).get("Propagation"):
        out["propagation"] = mount["BindOptions"]["Propagation"]
    if (mount.get("VolumeOptions") or {}).get("NoCopy"):
        out["no_copy"] = True
    if (mount.get("TmpfsOptions") or {}).get("SizeBytes"):
        out["tmpfs_size"] = str(mount["TmpfsOptions"]["SizeBytes"])
    return out


def _restart(policy: Mapping[str, Any]) -> Json:
    if not policy.get("Name"):
        return {}
    out: Json = {"restart_policy": policy["Name"]}
    if policy.get("MaximumRetryCount"):
        out["restart_retries"] = policy["MaximumRetryCount"]
    return out


def _rates(option: str, value_key: str) -> Field:
    return lambda devices: {
        option: [{"path": d["Path"], "rate": str(d[value_key])} for d in devices]
    }


def _device_requests(requests: list[Json]) -> Json:
    keys = (
        ("Driver", "driver"),
        ("Count", "count"),
        ("DeviceIDs", "device_ids"),
        ("Capabilities", "capabilities"),
        ("Options", "options"),
    )
    return {
        "device_requests": [
            {option: r[field] for field, option in keys if r.get(field) not in (None, "", [])}
            for r in requests
        ]
    }


CONFIG: dict[str, Field] = {
    "Cmd": _same("command"),
    "Entrypoint": _same("entrypoint"),
    "Env": lambda env: {"env": dict(e.partition("=")[::2] for e in env)},
    "Labels": _same("labels"),
    "ExposedPorts": lambda ports: {"exposed_ports": list(ports)},
    "Hostname": _same("hostname"),
    "Domainname": _same("domainname"),
    "WorkingDir": _same("working_dir"),
    "User": _same("user"),
    "MacAddress": _same("mac_address"),
    "Tty": lambda on: {"tty": True} if on else {},
    "OpenStdin": lambda on: {"interactive": True} if on else {},
    "StopSignal": _same("stop_signal"),
    "StopTimeout": _same("stop_timeout"),
    "Healthcheck": _healthcheck,
    # what docker_container always does
    "AttachStdout": lambda _: {},
    "AttachStderr": lambda _: {},
}
HOST: dict[str, Field] = {
    "RestartPolicy": _restart,
    "PortBindings": _ports,
    "Binds": _same("volumes"),
    "Mounts": lambda mounts: {"mounts": [_mount(m) for m in mounts]},
    "ExtraHosts": lambda hosts: {"etc_hosts": dict(h.split(":", 1) for h in hosts)},
    "CapAdd": _same("capabilities"),
    "CapDrop": _same("cap_drop"),
    "Tmpfs": lambda paths: {"tmpfs": [f"{p}:{o}" if o else p for p, o in paths.items()]},
    "GroupAdd": _same("groups"),
    "SecurityOpt": _same("security_opts"),
    "OomScoreAdj": _same("oom_score_adj"),
    "LogConfig": lambda log: {"log_driver": log["Type"], "log_options": log.get("Config") or {}},
    "Ulimits": lambda limits: {"ulimits": [f"{u['Name']}:{u['Soft']}:{u['Hard']}" for u in limits]},
    "Init": _same("init"),
    "ReadonlyRootfs": lambda on: {"read_only": True} if on else {},
    "Privileged": lambda on: {"privileged": True} if on else {},
    "ShmSize": _text("shm_size"),
    "Sysctls": _same("sysctls"),
    "Dns": _same("dns_servers"),
    "DnsSearch": _same("dns_search_domains"),
    "DnsOptions": _same("dns_opts"),
    "Devices": lambda devices: {
        "devices": [
            f"{d['PathOnHost']}:{d['PathInContainer']}:{d['CgroupPermissions']}" for d in devices
        ]
    },
    "DeviceRequests": _device_requests,
    "DeviceCgroupRules": _same("device_cgroup_rules"),
    "NanoCpus": lambda nanos: {"cpus": nanos / 1e9},
    "Memory": _text("memory"),
    "MemoryReservation": _text("memory_reservation"),
    "MemorySwap": _text("memory_swap"),
    "MemorySwappiness": _same("memory_swappiness"),
    "OomKillDisable": _same("oom_killer"),
    "PidsLimit": _same("pids_limit"),
    "CpuShares": _same("cpu_shares"),
    "CpusetCpus": _same("cpuset_cpus"),
    "CpuPeriod": _same("cpu_period"),
    "CpuQuota": _same("cpu_quota"),
    "BlkioWeight": _same("blkio_weight"),
    "BlkioDeviceReadBps": _rates("device_read_bps", "Rate"),
    "BlkioDeviceWriteBps": _rates("device_write_bps", "Rate"),
    "BlkioDeviceReadIOps": _rates("device_read_iops", "Rate"),
    "BlkioDeviceWriteIOps": _rates("device_write_iops", "Rate"),
    "IpcMode": _same("ipc_mode"),
    "PidMode": _same("pid_mode"),
    "UTSMode": _same("uts"),
    "UsernsMode": _same("userns_mode"),
    "CgroupnsMode": _same("cgroupns_mode"),
    "CgroupParent": _same("cgroup_parent"),
    "Runtime": _same("runtime"),
    "Isolation": _same("isolation"),
    "VolumesFrom": _same("volumes_from"),
    "Links": _same("links"),
    "StorageOpt": _same("storage_opts"),
    "NetworkMode": _same("network_mode"),
}


def _as_module_args(service: str, name: str, body: Json, extra: list[tuple[str, Json]]) -> Json:
    """A create body (and the networks joined after it) as ``docker_container``'s arguments."""
    args: Json = {"name": name, "image": body["Image"], "state": "started"}
    fields = [(CONFIG, k, v) for k, v in body.items() if k not in ("Image", "HostConfig")]
    fields += [(HOST, k, v) for k, v in (body.get("HostConfig") or {}).items()]
    for table, field, value in fields:
        if field == "NetworkingConfig":
            continue
        if field not in table:
            raise ModuleError(
                f"services.{service}: {field} has no docker_container option to set it"
            )
        if value not in (None, {}, []):
            args.update(table[field](value))
    endpoints = list(((body.get("NetworkingConfig") or {}).get("EndpointsConfig") or {}).items())
    networks = []
    for network, endpoint in endpoints + extra:
        entry: Json = {"name": network, "aliases": endpoint.get("Aliases") or []}
        ipam = endpoint.get("IPAMConfig") or {}
        for field, key in (("IPv4Address", "ipv4_address"), ("IPv6Address", "ipv6_address")):
            if ipam.get(field):
                entry[key] = ipam[field]
        if endpoint.get("Links"):
            entry["links"] = endpoint["Links"]
        unsupported = sorted(set(endpoint) - {"Aliases", "IPAMConfig", "Links"})
        if unsupported:
            raise ModuleError(
                f"services.{service}: the network {network}'s {unsupported[0]} has no "
                "docker_container option"
            )
        networks.append(entry)
    if networks:
        args["networks"] = networks
    return args
