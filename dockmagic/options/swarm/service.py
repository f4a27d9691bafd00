"""The options of ``docker service create``/``update``: a ServiceSpec from the CLI's flags or the
helpers' keywords.

Most of a service's options are container options under another roof (``--env``, ``--mount``,
``--health-cmd``, ``--limit-memory``): those rows name the container option (``options.table``)
whose parsing they share; its value is placed in a container body as ``docker run`` would place it,
then moved to where a ServiceSpec keeps the same thing (``_MOVES``). The rest are the service's own:
replicas, placement, ports, networks, restart, update and rollback policies, secrets and configs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ...engine.versions import require
from ...errors import OptionError
from .. import values
from ..table import BY_NAME, LIST, SWITCH, Body, get_path, set_path

Spec = dict[str, Any]  # a ServiceSpec being built
_CS = "TaskTemplate.ContainerSpec"
_LIMITS, _RESERVE = "TaskTemplate.Resources.Limits", "TaskTemplate.Resources.Reservations"


# container body field -> ServiceSpec field (and a change of form where they differ)
_MOVES: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "Env": (f"{_CS}.Env", list),
    "Labels": (f"{_CS}.Labels", dict),
    "User": (f"{_CS}.User", str),
    "WorkingDir": (f"{_CS}.Dir", str),
    "Hostname": (f"{_CS}.Hostname", str),
    "StopSignal": (f"{_CS}.StopSignal", str),
    "Tty": (f"{_CS}.TTY", bool),
    "Entrypoint": (f"{_CS}.Command", list),
    "Healthcheck": (f"{_CS}.HealthCheck", dict),
    "HostConfig.Init": (f"{_CS}.Init", bool),
    "HostConfig.ReadonlyRootfs": (f"{_CS}.ReadOnly", bool),
    "HostConfig.Mounts": (f"{_CS}.Mounts", list),
    "HostConfig.CapAdd": (f"{_CS}.CapabilityAdd", list),
    "HostConfig.CapDrop": (f"{_CS}.CapabilityDrop", list),
    "HostConfig.Dns": (f"{_CS}.DNSConfig.Nameservers", list),
    "HostConfig.DnsOptions": (f"{_CS}.DNSConfig.Options", list),
    "HostConfig.DnsSearch": (f"{_CS}.DNSConfig.Search", list),
    "HostConfig.Sysctls": (f"{_CS}.Sysctls", dict),
    "HostConfig.Ulimits": (f"{_CS}.Ulimits", list),
    "HostConfig.GroupAdd": (f"{_CS}.Groups", list),
    "HostConfig.ExtraHosts": (f"{_CS}.Hosts", values.hosts_lines),
    "HostConfig.Isolation": (f"{_CS}.Isolation", str),
    "HostConfig.OomScoreAdj": (f"{_CS}.OomScoreAdj", int),
    "HostConfig.LogConfig.Type": ("TaskTemplate.LogDriver.Name", str),
    "HostConfig.LogConfig.Config": ("TaskTemplate.LogDriver.Options", dict),
    "HostConfig.Memory": (f"{_LIMITS}.MemoryBytes", int),
    "HostConfig.NanoCpus": (f"{_LIMITS}.NanoCPUs", int),
    "HostConfig.PidsLimit": (f"{_LIMITS}.Pids", int),
    "HostConfig.MemoryReservation": (f"{_RESERVE}.MemoryBytes", int),
}


@dataclass(frozen=True)
class ServiceOption:
    name: str  # the helpers' keyword: service_create(image, replicas=3)
    flags: tuple[str, ...]  # the docker CLI's flags of service create
    help: str
    kind: str = "value"  # value | switch | list (the flag repeats; update has --X-add/--X-rm)
    container: str | None = None  # the container option whose parsing it shares
    to: str | None = None  # where the value goes, when not where _MOVES puts the container's
    key: str | None = None  # the ServiceSpec field of a service-only option
    convert: Callable[[Any], Any] = lambda x: x
    place: Callable[[Spec, Any], None] | None = None  # for values that land in several places
    identity: Callable[[Any], Any] | None = None  # an item of a list option -> what --X-rm names
    metavar: str | None = None
    min_api: str | None = None

    def apply(self, spec: Spec, value: Any) -> None:
        if self.container is not None:
            scratch: Body = {}
            BY_NAME[self.container].apply(scratch, value)
            _move(scratch, spec, self.to)
        elif self.place is not None:  # before key: a place may fill in more than its own field
            self.place(spec, value)
        elif self.key is not None:
            set_path(spec, self.key, self.convert(value))

    @property
    def paths(self) -> list[str]:
        """The ServiceSpec fields this option sets (what an update of it replaces)."""
        if self.to:
            return [self.to]
        if self.key:
            return [self.key]
        if self.container:
            option = BY_NAME[self.container]
            keys = (
                [option.key] if option.key else [k for k in _MOVES if _from_place(option.name, k)]
            )
            return [_MOVES[k][0] for k in keys if k in _MOVES]
        return list(_PLACED.get(self.name, ()))


def _from_place(option: str, key: str) -> bool:
    """Whether a container option placed by a function writes ``key`` (env -> Env, health -> Healthcheck)."""
    return key == {"env": "Env", "env_file": "Env", "labels": "Labels", "label_file": "Labels"}.get(
        option, "Healthcheck" if option.startswith(("health_", "no_health")) else None
    )


def _move(scratch: Body, spec: Spec, to: str | None) -> None:
    for source, (target, convert) in _MOVES.items():
        value = get_path(scratch, source)
        if value is None:
            continue
        target = to or target
        old = get_path(spec, target)
        if isinstance(old, list):  # --env-file then --env: both go to Env, as in a container
            value = [*old, *convert(value)]
        elif isinstance(old, dict):
            value = {**old, **convert(value)}
        else:
            value = convert(value)
        set_path(spec, target, value)


# -- the service's own options -------------------------------------------------------------------


MODES = {
    "replicated": "Replicated",
    "global": "Global",
    "replicated-job": "ReplicatedJob",
    "global-job": "GlobalJob",
}


def service_mode(mode: Any, replicas: Any = None, what: str = "--mode") -> dict[str, Any]:
    """A service's Mode: its kind, and for the replicated kinds how many tasks (a job's
    ``replicas`` is both how many run at once and how many complete, as docker stack has it)."""
    kind = MODES.get(str(mode))
    if kind is None:
        raise OptionError(
            f"invalid {what} {mode!r} (replicated, global, replicated-job or global-job)"
        )
    if replicas is None:
        return {kind: {}}
    count = count_of(replicas, "replicas")
    if kind == "Replicated":
        return {kind: {"Replicas": count}}
    if kind == "ReplicatedJob":
        return {kind: {"MaxConcurrent": count, "TotalCompletions": count}}
    raise OptionError(
        f"{what.replace('mode', 'replicas')} goes with mode replicated or replicated-job"
    )


def _mode(spec: Spec, mode: Any) -> None:
    spec["Mode"] = service_mode(mode)


def count_of(value: Any, what: str) -> int:
    """A count (the API's unsigned integers): a whole number, 0 or more."""
    count = values.as_int(value, what)
    if count < 0:
        raise OptionError(f"{value!r} is not a count (a whole number, 0 or more)")
    return count


def _replicas(spec: Spec, count: Any) -> None:
    """Tasks of a replicated service; completions wanted of a replicated job."""
    mode = spec.setdefault("Mode", {"Replicated": {}})
    kind = next(iter(mode), "Replicated")
    if kind not in ("Replicated", "ReplicatedJob"):
        raise OptionError("--replicas can only be used with replicated or replicated-job mode")
    mode[kind]["Replicas" if kind == "Replicated" else "TotalCompletions"] = count_of(
        count, "--replicas"
    )


def _max_concurrent(spec: Spec, count: Any) -> None:
    job = (spec.get("Mode") or {}).get("ReplicatedJob")
    if job is None:
        raise OptionError("--max-concurrent can only be used with replicated-job mode")
    job["MaxConcurrent"] = count_of(count, "--max-concurrent")


def as_service_port(spec: str | Mapping[str, Any]) -> dict[str, Any]:
    """``8080:80[/udp]``, ``80`` (a port the swarm picks), ``published=8080,target=80,protocol=udp,
    mode=host`` or community.docker's ``{published_port, target_port, protocol, mode}``."""
    if isinstance(spec, Mapping):
        found = {
            "TargetPort": spec.get("target_port", spec.get("TargetPort")),
            "PublishedPort": spec.get("published_port", spec.get("PublishedPort")),
            "Protocol": spec.get("protocol", spec.get("Protocol")) or "tcp",
            "PublishMode": spec.get("mode", spec.get("PublishMode")) or "ingress",
        }
    elif "=" in str(spec):
        fields = dict(part.partition("=")[::2] for part in str(spec).split(","))
        unknown = set(fields) - {"published", "target", "protocol", "mode"}
        if unknown:
            raise OptionError(f"invalid --publish {spec!r}: unknown field {sorted(unknown)[0]!r}")
        found = {
            "TargetPort": fields.get("target"),
            "PublishedPort": fields.get("published"),
            "Protocol": fields.get("protocol") or "tcp",
            "PublishMode": fields.get("mode") or "ingress",
        }
    else:
        ports, _, protocol = str(spec).partition("/")
        published, _, target = ports.rpartition(":")
        found = {
            "TargetPort": target,
            "PublishedPort": published or None,
            "Protocol": protocol or "tcp",
        }
        found["PublishMode"] = "ingress"
    if found["TargetPort"] in (None, ""):
        raise OptionError(f"invalid --publish {spec!r}: no target port")
    if found["Protocol"] not in ("tcp", "udp", "sctp") or found["PublishMode"] not in (
        "ingress",
        "host",
    ):
        raise OptionError(
            f"invalid --publish {spec!r} (protocol tcp, udp or sctp; mode ingress or host)"
        )
    try:
        found["TargetPort"] = _port_number(found["TargetPort"])
        if found["PublishedPort"] in (None, ""):
            del found["PublishedPort"]
        else:
            found["PublishedPort"] = _port_number(found["PublishedPort"])
    except (OptionError, ValueError):
        raise OptionError(
            f"{spec!r} is not a port to publish (write PUBLISHED:TARGET[/PROTOCOL], TARGET, or published=P,target=T)"
        ) from None
    return found


def _port_number(value: Any) -> int:
    port = values.as_int(value, "port")
    if not 0 < port < 65536:
        raise OptionError(f"port {port} is out of range")
    return port


def _publish(spec: Spec, ports: Any) -> None:
    endpoint = spec.setdefault("EndpointSpec", {})
    items = ports if isinstance(ports, list | tuple) else [ports]
    endpoint["Ports"] = [*(endpoint.get("Ports") or []), *(as_service_port(p) for p in items)]


def as_attachment(spec: str | Mapping[str, Any]) -> dict[str, Any]:
    """``NAME``, ``name=NAME,alias=A,driver-opt=K=V`` or ``{name, aliases}`` -> a NetworkAttachmentConfig."""
    if isinstance(spec, Mapping):
        target = spec.get("name") or spec.get("Target")
        aliases = list(spec.get("aliases") or spec.get("Aliases") or [])
        out: dict[str, Any] = (
            {"Target": target, "Aliases": aliases} if aliases else {"Target": target}
        )
    elif "=" in str(spec):
        out = {}
        for part in str(spec).split(","):
            key, _, value = part.partition("=")
            if key == "name":
                out["Target"] = value
            elif key == "alias":
                out.setdefault("Aliases", []).append(value)
            elif key == "driver-opt":
                opt, _, opt_value = value.partition("=")
                out.setdefault("DriverOpts", {})[opt] = opt_value
            else:
                raise OptionError(f"invalid --network {spec!r}: unknown field {key!r}")
    else:
        out = {"Target": str(spec)}
    if not out.get("Target"):
        raise OptionError(f"invalid --network {spec!r}: no network name")
    return out


def _networks(spec: Spec, networks: Any) -> None:
    task = spec.setdefault("TaskTemplate", {})
    items = networks if isinstance(networks, list | tuple) else [networks]
    task["Networks"] = [*(task.get("Networks") or []), *(as_attachment(n) for n in items)]


def as_reference(spec: str | Mapping[str, Any], kind: str) -> dict[str, Any]:
    """A secret or config for a service: ``NAME``, ``source=NAME,target=PATH,uid=0,gid=0,mode=0444``
    or ``{secret_name/config_name, filename, uid, gid, mode}``. Its ID is looked up when it is sent."""
    if isinstance(spec, Mapping):
        fields = {
            "source": spec.get(f"{kind}_name") or spec.get("source"),
            "target": spec.get("filename") or spec.get("target"),
            "uid": spec.get("uid"),
            "gid": spec.get("gid"),
            "mode": spec.get("mode"),
        }
    elif "=" in str(spec):
        fields = dict(part.partition("=")[::2] for part in str(spec).split(","))
        fields["source"] = fields.get("source") or fields.pop("src", None)
    else:
        fields = {"source": str(spec)}
    name = fields.get("source")
    if not name:
        raise OptionError(f"invalid --{kind} {spec!r}: no {kind} name")
    mode = fields.get("mode")
    target = fields.get("target") or name
    out: dict[str, Any] = {
        f"{kind.capitalize()}Name": name,
        "File": {
            "Name": target,
            "UID": str(fields.get("uid") or "0"),
            "GID": str(fields.get("gid") or "0"),
            "Mode": int(str(mode), 8)
            if isinstance(mode, str)
            else (mode if mode is not None else 0o444),
        },
    }
    return out


def _references(kind: str) -> Callable[[Spec, Any], None]:
    def place(spec: Spec, items: Any) -> None:
        container = spec.setdefault("TaskTemplate", {}).setdefault("ContainerSpec", {})
        field = f"{kind.capitalize()}s"
        listed = items if isinstance(items, list | tuple) else [items]
        container[field] = [*(container.get(field) or []), *(as_reference(i, kind) for i in listed)]

    return place


def _preference(text: Any) -> dict[str, Any]:
    strategy, _, descriptor = str(text).partition("=")
    if strategy != "spread" or not descriptor:
        raise OptionError(f"invalid --placement-pref {text!r} (write spread=node.labels.KEY)")
    return {"Spread": {"SpreadDescriptor": descriptor}}


def _generic_resource(item: Any) -> dict[str, Any]:
    """``gpu=2``: a count of a resource nodes advertise (``dockerd --node-generic-resource``)."""
    kind, sep, value = str(item).partition("=")
    if not sep or not kind:
        raise OptionError(
            f"invalid --generic-resource {item!r} (write KIND=COUNT, e.g. NVIDIA-GPU=2)"
        )
    try:
        count = int(value)
    except ValueError:
        raise OptionError(
            f"--generic-resource {item!r}: a service asks for a count (KIND=COUNT); named resources are a node's"
        ) from None
    return {"DiscreteResourceSpec": {"Kind": kind, "Value": count}}


def _ratio(text: Any) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise OptionError(f"a failure ratio is between 0 and 1, not {text!r}")
    return value


def _choice(flag: str, *allowed: str) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        if value not in allowed:
            raise OptionError(f"invalid {flag} {value!r} ({', '.join(allowed)})")
        return str(value)

    return convert


# what the CLI's UpdateConfig and RollbackConfig hold once any of their flags is given
_POLICY_DEFAULTS = {
    "Parallelism": 1,
    "FailureAction": "pause",
    "Monitor": 5_000_000_000,
    "MaxFailureRatio": 0,
}


def _policy_field(
    field: str, key: str, convert: Callable[[Any], Any]
) -> Callable[[Spec, Any], None]:
    def place(spec: Spec, value: Any) -> None:
        config = spec.setdefault(field, {**_POLICY_DEFAULTS, "Order": "stop-first"})
        config[key] = convert(value)

    return place


def _policy(prefix: str, field: str) -> list[ServiceOption]:
    """The --update-* or --rollback-* options: the same six fields of UpdateConfig/RollbackConfig."""
    cli = f"--{prefix}"
    actions = ("pause", "continue", "rollback") if prefix == "update" else ("pause", "continue")
    on_failure = f"on failure: {', '.join(actions)}"
    rows = [
        (
            "parallelism",
            "Parallelism",
            "tasks changed at once (0: all)",
            lambda x: count_of(x, "parallelism"),
        ),
        ("delay", "Delay", "time between changes (ns|us|ms|s|m|h)", values.nanoseconds),
        ("failure_action", "FailureAction", on_failure, _choice(f"{cli}-failure-action", *actions)),
        ("monitor", "Monitor", "time to watch each task for failure", values.nanoseconds),
        ("max_failure_ratio", "MaxFailureRatio", "failure rate to tolerate", _ratio),
        (
            "order",
            "Order",
            "start-first or stop-first",
            _choice(f"{cli}-order", "start-first", "stop-first"),
        ),
    ]
    return [
        ServiceOption(
            f"{prefix}_{name}",
            (f"{cli}-{name.replace('_', '-')}",),
            help,
            key=f"{field}.{key}",
            place=_policy_field(field, key, convert),
        )
        for name, key, help, convert in rows
    ]


def _key_of(item: str) -> str:
    return str(item).partition("=")[0]


SERVICE_OPTIONS: list[ServiceOption] = [
    ServiceOption("name", ("--name",), "service name", key="Name", convert=str),
    ServiceOption(
        "labels",
        ("-l", "--label"),
        "service labels",
        LIST,
        key="Labels",
        convert=values.as_labels,
        identity=_key_of,
    ),
    ServiceOption(
        "mode", ("--mode",), "replicated, global, replicated-job or global-job", place=_mode
    ),
    ServiceOption("replicas", ("--replicas",), "number of tasks", place=_replicas),
    ServiceOption(
        "max_concurrent", ("--max-concurrent",), "job tasks run at once", place=_max_concurrent
    ),
    ServiceOption(
        "max_replicas",
        ("--replicas-max-per-node",),
        "most tasks per node (0: no limit)",
        key="TaskTemplate.Placement.MaxReplicas",
        convert=lambda x: count_of(x, "--replicas-max-per-node"),
    ),
    ServiceOption(
        "constraints",
        ("--constraint",),
        "placement constraints (node.role==worker)",
        LIST,
        key="TaskTemplate.Placement.Constraints",
        convert=lambda x: [str(i) for i in values.as_list(x) or []],
        identity=str,
    ),
    ServiceOption(
        "placement_prefs",
        ("--placement-pref",),
        "placement preference (spread=node.labels.KEY)",
        LIST,
        key="TaskTemplate.Placement.Preferences",
        convert=lambda x: [_preference(i) for i in values.as_list(x) or []],
        identity=lambda p: (
            f"spread={p['Spread']['SpreadDescriptor']}" if isinstance(p, dict) else str(p)
        ),
    ),
    ServiceOption(
        "publish",
        ("-p", "--publish"),
        "publish a port (8080:80, published=8080,target=80)",
        LIST,
        place=_publish,
        identity=lambda p: f"{p['TargetPort']}/{p.get('Protocol', 'tcp')}",
    ),
    ServiceOption(
        "endpoint_mode",
        ("--endpoint-mode",),
        "vip or dnsrr",
        key="EndpointSpec.Mode",
        convert=_choice("--endpoint-mode", "vip", "dnsrr"),
    ),
    ServiceOption(
        "networks",
        ("--network",),
        "attach to a network (NAME or name=NAME,alias=A)",
        LIST,
        place=_networks,
        identity=lambda n: n["Target"],
    ),
    ServiceOption(
        "secrets",
        ("--secret",),
        "give the tasks a secret (NAME or source=NAME,target=PATH)",
        LIST,
        place=_references("secret"),
        identity=lambda s: s["SecretName"],
    ),
    ServiceOption(
        "configs",
        ("--config",),
        "give the tasks a config (NAME or source=NAME,target=PATH)",
        LIST,
        place=_references("config"),
        identity=lambda c: c["ConfigName"],
    ),
    ServiceOption(
        "restart_condition",
        ("--restart-condition",),
        "none, on-failure or any",
        key="TaskTemplate.RestartPolicy.Condition",
        convert=_choice("--restart-condition", "none", "on-failure", "any"),
    ),
    ServiceOption(
        "restart_delay",
        ("--restart-delay",),
        "time between restarts",
        key="TaskTemplate.RestartPolicy.Delay",
        convert=values.nanoseconds,
    ),
    ServiceOption(
        "restart_max_attempts",
        ("--restart-max-attempts",),
        "restarts before giving up",
        key="TaskTemplate.RestartPolicy.MaxAttempts",
        convert=lambda x: count_of(x, "--restart-max-attempts"),
    ),
    ServiceOption(
        "restart_window",
        ("--restart-window",),
        "window to judge the restart policy",
        key="TaskTemplate.RestartPolicy.Window",
        convert=values.nanoseconds,
    ),
    *_policy("update", "UpdateConfig"),
    *_policy("rollback", "RollbackConfig"),
    ServiceOption(
        "stop_grace_period",
        ("--stop-grace-period",),
        "time to wait before killing a task",
        key=f"{_CS}.StopGracePeriod",
        convert=values.nanoseconds,
    ),
    # container options under the service's roof: parsed by the container table's rows
    ServiceOption(
        "env", ("-e", "--env"), "set environment variables", LIST, container="env", identity=_key_of
    ),
    ServiceOption(
        "env_file",
        ("--env-file",),
        "read environment variables from a file",
        LIST,
        container="env_file",
    ),
    ServiceOption(
        "container_labels",
        ("--container-label",),
        "container labels",
        LIST,
        container="labels",
        identity=_key_of,
    ),
    ServiceOption(
        "user", ("-u", "--user"), "username or UID (NAME|UID[:GROUP|GID])", container="user"
    ),
    ServiceOption(
        "workdir",
        ("-w", "--workdir"),
        "working directory inside the container",
        container="workdir",
    ),
    ServiceOption("hostname", ("--hostname",), "container host name", container="hostname"),
    ServiceOption(
        "entrypoint", ("--entrypoint",), "override the image's entrypoint", container="entrypoint"
    ),
    ServiceOption(
        "stop_signal", ("--stop-signal",), "signal to stop the container", container="stop_signal"
    ),
    ServiceOption("tty", ("-t", "--tty"), "allocate a pseudo-TTY", SWITCH, container="tty"),
    ServiceOption(
        "init", ("--init",), "run an init inside each task's container", SWITCH, container="init"
    ),
    ServiceOption(
        "read_only",
        ("--read-only",),
        "mount the root filesystem read-only",
        SWITCH,
        container="read_only",
    ),
    ServiceOption(
        "mounts",
        ("--mount",),
        "attach a filesystem mount",
        LIST,
        container="mounts",
        identity=lambda m: m.get("Target"),
    ),
    ServiceOption(
        "health_cmd", ("--health-cmd",), "command to check health", container="health_cmd"
    ),
    ServiceOption(
        "health_interval",
        ("--health-interval",),
        "time between checks",
        container="health_interval",
    ),
    ServiceOption(
        "health_timeout",
        ("--health-timeout",),
        "longest a check may run",
        container="health_timeout",
    ),
    ServiceOption(
        "health_start_period",
        ("--health-start-period",),
        "time to start before checks count",
        container="health_start_period",
    ),
    ServiceOption(
        "health_retries",
        ("--health-retries",),
        "failures before unhealthy",
        container="health_retries",
    ),
    ServiceOption(
        "no_healthcheck",
        ("--no-healthcheck",),
        "disable the image's healthcheck",
        SWITCH,
        container="no_healthcheck",
    ),
    ServiceOption("dns", ("--dns",), "custom DNS servers", LIST, container="dns", identity=str),
    ServiceOption(
        "dns_option", ("--dns-option",), "DNS options", LIST, container="dns_option", identity=str
    ),
    ServiceOption(
        "dns_search",
        ("--dns-search",),
        "DNS search domains",
        LIST,
        container="dns_search",
        identity=str,
    ),
    ServiceOption(
        "hosts",
        ("--host",),
        "add a host-to-IP mapping (host:ip)",
        LIST,
        container="add_host",
        identity=lambda h: str(h).partition(" ")[2],
    ),
    ServiceOption(
        "groups",
        ("--group",),
        "more groups for the user",
        LIST,
        container="group_add",
        identity=str,
    ),
    ServiceOption(
        "cap_add",
        ("--cap-add",),
        "add Linux capabilities",
        LIST,
        container="cap_add",
        min_api="1.41",
    ),
    ServiceOption(
        "cap_drop",
        ("--cap-drop",),
        "drop Linux capabilities",
        LIST,
        container="cap_drop",
        min_api="1.41",
    ),
    ServiceOption(
        "sysctl",
        ("--sysctl",),
        "namespaced kernel parameters",
        LIST,
        container="sysctl",
        identity=_key_of,
    ),
    ServiceOption(
        "ulimit",
        ("--ulimit",),
        "ulimit options (nofile=1024:2048)",
        LIST,
        container="ulimit",
        min_api="1.41",
        identity=lambda u: u.get("Name"),
    ),
    ServiceOption("isolation", ("--isolation",), "isolation technology", container="isolation"),
    ServiceOption(
        "oom_score_adj",
        ("--oom-score-adj",),
        "OOM preferences (-1000 to 1000)",
        container="oom_score_adj",
        min_api="1.46",
    ),
    ServiceOption("log_driver", ("--log-driver",), "logging driver", container="log_driver"),
    ServiceOption("log_opt", ("--log-opt",), "logging driver options", LIST, container="log_opt"),
    ServiceOption("limit_memory", ("--limit-memory",), "memory limit", container="memory"),
    ServiceOption("limit_cpu", ("--limit-cpu",), "CPU limit", container="cpus"),
    ServiceOption(
        "limit_pids",
        ("--limit-pids",),
        "process limit (0: none)",
        container="pids_limit",
        min_api="1.41",
    ),
    ServiceOption(
        "reserve_memory", ("--reserve-memory",), "memory reserved", container="memory_reservation"
    ),
    ServiceOption(
        "reserve_cpu",
        ("--reserve-cpu",),
        "CPUs reserved",
        container="cpus",
        to=f"{_RESERVE}.NanoCPUs",
    ),
    ServiceOption(
        "generic_resources",
        ("--generic-resource",),
        "a count of a node-advertised resource each task needs (NVIDIA-GPU=2)",
        LIST,
        key=f"{_RESERVE}.GenericResources",
        convert=lambda x: [_generic_resource(i) for i in values.as_list(x) or []],
        identity=lambda r: (
            r["DiscreteResourceSpec"]["Kind"] if isinstance(r, dict) else str(r).partition("=")[0]
        ),
    ),
]
SERVICE_BY_NAME = {o.name: o for o in SERVICE_OPTIONS}
_PLACED = {  # the fields options placed by a function set
    "mode": ("Mode",),
    "replicas": ("Mode",),
    "max_concurrent": ("Mode",),
    "publish": ("EndpointSpec.Ports",),
    "networks": ("TaskTemplate.Networks",),
    "secrets": (f"{_CS}.Secrets",),
    "configs": (f"{_CS}.Configs",),
}


def service_spec(
    image: str,
    command: str | Iterable[str] | None = None,
    *,
    extra: Mapping[str, Any] | None = None,
    **options: Any,
) -> Spec:
    """The ServiceSpec for ``image`` running ``command`` (its Args) with these options (unset ones,
    None, False or [], left out). A wrong value is one line naming the option."""
    spec: Spec = {  # the empty parts the CLI sends too: a service looks the same whoever made it
        "TaskTemplate": {
            "ContainerSpec": {"Image": image, "DNSConfig": {}, "Init": False},
            "Placement": {},
            "Resources": {"Limits": {}, "Reservations": {}},
        },
        "Mode": {"Replicated": {}},
        "EndpointSpec": {"Mode": "vip"},
    }
    if command is not None:
        spec["TaskTemplate"]["ContainerSpec"]["Args"] = values.as_command(command)
    for name, value in _given(options).items():
        _apply(SERVICE_BY_NAME[name], spec, value)
    for key, value in (extra or {}).items():
        spec[key] = value
    return spec


def _given(options: Mapping[str, Any]) -> dict[str, Any]:
    unknown = [name for name in options if name not in SERVICE_BY_NAME]
    if unknown:
        raise OptionError(f"unknown service option {unknown[0]!r}")
    given = {
        n: x
        for n, x in options.items()
        if not (x is None or x is False or (isinstance(x, list | tuple) and not x))
    }
    # table order: --mode before --replicas, --env-file before --env
    return {o.name: given[o.name] for o in SERVICE_OPTIONS if o.name in given}


def _unset(value: Any) -> bool:
    return value is None or value is False or (isinstance(value, list | tuple) and not value)


def _apply(option: ServiceOption, spec: Spec, value: Any) -> None:
    try:
        option.apply(spec, value)
    except OptionError as exc:
        said = str(exc)  # the flag named once: "invalid --publish ..." stays as it is
        raise OptionError(
            said if option.flags[-1] in said else f"{option.flags[-1]}: {said}"
        ) from None
    except (TypeError, ValueError, AttributeError, KeyError):
        raise OptionError(
            f"{option.flags[-1]}: {value!r} is not a valid value ({option.help})"
        ) from None


def check_api(options: Mapping[str, Any], version: str) -> None:
    """Refuse, by flag, an option this engine's API version cannot carry."""
    for name in _given(options):
        need = SERVICE_BY_NAME[name].min_api
        if need:
            require(version, need, SERVICE_BY_NAME[name].flags[-1])


def updated_spec(
    current: Spec,
    *,
    add: Mapping[str, Any] | None = None,
    remove: Mapping[str, Any] | None = None,
    **options: Any,
) -> Spec:
    """``current`` with what ``docker service update`` changes: options given replace their fields;
    ``add`` (name -> items, as ``--env-add``) and ``remove`` (name -> what ``--env-rm`` names) change
    list options item by item, a new item replacing an old one of the same identity."""
    spec = _copy(current)
    for name, value in options.items():  # a switch turned off (--read-only=false): its fields off
        if value is False and name in SERVICE_BY_NAME and SERVICE_BY_NAME[name].kind == "switch":
            for path in SERVICE_BY_NAME[name].paths:
                set_path(spec, path, False)
    given = _given(options)
    if "replicas" in given and "mode" not in given:  # a new count keeps the mode
        _apply(SERVICE_BY_NAME["replicas"], spec, given.pop("replicas"))
    for name, value in given.items():
        fresh = service_spec("-", **{name: value})
        for path in SERVICE_BY_NAME[name].paths:
            set_path(spec, path, get_path(fresh, path))
    for name, items in _given(add or {}).items():
        option = SERVICE_BY_NAME[name]
        fresh = service_spec("-", **{name: items})
        for path in option.paths:
            _merge(spec, path, get_path(fresh, path), option.identity)
    for name, names in (remove or {}).items():
        listed = SERVICE_BY_NAME.get(name)
        if listed is None or listed.kind != "list":
            raise OptionError(f"cannot remove items of {name!r}: not a list option")
        drop = {str(n) for n in values.as_list(names) or []}
        for path in listed.paths:
            old = get_path(spec, path)
            if isinstance(old, dict):
                set_path(spec, path, {k: x for k, x in old.items() if k not in drop})
            elif isinstance(old, list):
                keep = [i for i in old if not _named(i, listed.identity, drop)]
                set_path(spec, path, keep)
    return spec


def _named(item: Any, identity: Callable[[Any], Any] | None, names: set[str]) -> bool:
    key = str(identity(item)) if identity else str(item)
    return key in names or key.partition("/")[0] in names  # a port by number alone: 80 is 80/tcp


def _merge(spec: Spec, path: str, new: Any, identity: Callable[[Any], Any] | None) -> None:
    old = get_path(spec, path)
    if isinstance(new, dict):
        set_path(spec, path, {**(old or {}), **new})
    elif isinstance(new, list):
        ident = identity or (lambda x: x)
        replaced = {str(ident(i)) for i in new}
        set_path(spec, path, [*(i for i in old or [] if str(ident(i)) not in replaced), *new])
    elif new is not None:
        set_path(spec, path, new)


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(x) for k, x in value.items()}
    if isinstance(value, list):
        return [_copy(x) for x in value]
    return value
