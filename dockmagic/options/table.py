"""The one table of container options: ``docker run``/``create``/``update`` flags, the helpers'
keywords, community.docker's names, where the Engine API keeps each one and how it is converted,
compared and updated. Adding a flag is adding a row.

``key`` is the option's place in the create body (``HostConfig.Memory``; a bare name like ``Env``
is a top-level Config field) and so in inspect (``Config.Env``). Options whose value lands in
several places (ports, volumes, networks, healthcheck parts) have a ``place`` function instead;
options with neither are the client's own (``--rm``, ``--pull``, ``--cidfile``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import OptionError
from . import values

Body = dict[str, Any]  # a POST /containers/create body being built


@dataclass(frozen=True)
class Option:
    name: str  # the helpers' keyword: run(image, memory="64m")
    flags: tuple[str, ...]  # the docker CLI's flags
    help: str
    key: str | None = None  # where the API keeps it (see the module doc)
    convert: Callable[[Any], Any] = lambda x: x  # CLI text or Python value -> API value
    kind: str = "value"  # value | switch (a boolean flag) | list (the flag repeats)
    metavar: str | None = None
    place: Callable[[Body, Any], None] | None = None  # for values that land in several places
    updatable: bool = False  # POST /containers/{id}/update changes it in place
    run_only: bool = False  # docker run has it, docker create does not
    min_api: str | None = None
    ansible: tuple[str, ...] = ()  # community.docker docker_container option names
    compare: str = "strict"  # how modules compare it: strict | allow_more_present | ignore

    @property
    def client_only(self) -> bool:
        return self.key is None and self.place is None

    def apply(self, body: Body, value: Any) -> None:
        if self.place is not None:
            self.place(body, value)
        elif self.key is not None:
            set_path(body, self.key, self.convert(value))


def _parent(body: Body, key: str) -> tuple[Body, str]:
    """The dict that holds ``key`` (made on the way) and the last part of the key."""
    *parents, last = key.split(".")
    for part in parents:
        body = body.setdefault(part, {})
    return body, last


def set_path(body: Body, key: str, value: Any) -> None:
    holder, last = _parent(body, key)
    holder[last] = value


def get_path(body: Body, key: str) -> Any:
    for part in key.split("."):
        if not isinstance(body, dict):
            return None
        body = body.get(part)  # type: ignore[assignment]
    return body


def inspect_key(key: str) -> str:
    """The same field in ``GET /containers/{id}/json``: Config fields sit under ``Config``."""
    return key if key.startswith(("HostConfig.", "NetworkingConfig.")) else f"Config.{key}"


# -- placing values that land in several fields ------------------------------------------------


def _extend(body: Body, key: str, items: list[Any]) -> None:
    holder, last = _parent(body, key)
    holder[last] = [*(holder.get(last) or []), *items]


def _merge(body: Body, key: str, items: dict[str, Any]) -> None:
    holder, last = _parent(body, key)
    holder[last] = {**(holder.get(last) or {}), **items}


def _place_env_file(body: Body, files: Any) -> None:
    """Lines of env files; a bare VAR takes this environment's value, and is dropped when unset
    (the CLI's rule for files; a bare ``-e VAR`` is sent as it is)."""
    lines = [
        values.env_entry(line)
        for f in values.as_list(files) or []
        for line in values.read_kv_file(f, "env file")
    ]
    _extend(body, "Env", [line for line in lines if "=" in line])


def _place_env(body: Body, env: Any) -> None:
    _extend(body, "Env", values.as_env(env) or [])


def _place_label_file(body: Body, files: Any) -> None:
    lines = [
        line for f in values.as_list(files) or [] for line in values.read_kv_file(f, "label file")
    ]
    _merge(body, "Labels", values.as_labels(lines) or {})


def _place_labels(body: Body, labels: Any) -> None:
    _merge(body, "Labels", values.as_labels(labels) or {})


def _place_publish(body: Body, ports: Any) -> None:
    exposed, bindings = values.as_ports(ports)
    _merge(body, "ExposedPorts", exposed)
    host = body.setdefault("HostConfig", {}).setdefault("PortBindings", {})
    for port, binds in bindings.items():
        host[port] = [*host.get(port, []), *binds]


def _place_expose(body: Body, ports: Any) -> None:
    _merge(
        body,
        "ExposedPorts",
        {p: {} for spec in values.as_list(ports) or [] for p in values.parse_expose(spec)},
    )


def _place_volumes(body: Body, volumes: Any) -> None:
    binds, anonymous = values.as_binds(volumes)
    if binds:
        _extend(body, "HostConfig.Binds", binds)
    if anonymous:
        _merge(body, "Volumes", anonymous)


def _health(field: str, convert: Callable[[Any], Any]) -> Callable[[Body, Any], None]:
    def place(body: Body, value: Any) -> None:
        health = body.setdefault("Healthcheck", {})
        if health.get("Test") == ["NONE"]:
            raise OptionError("--no-healthcheck conflicts with --health-* options")
        health[field] = convert(value)

    return place


def _place_no_healthcheck(body: Body, value: Any) -> None:
    if values.as_bool(value):
        if body.get("Healthcheck"):
            raise OptionError("--no-healthcheck conflicts with --health-* options")
        body["Healthcheck"] = {"Test": ["NONE"]}


def _place_networks(body: Body, networks: Any) -> None:
    """The first network is NetworkMode; each gets an endpoint (the long form fills it)."""
    endpoints = body.setdefault("NetworkingConfig", {}).setdefault("EndpointsConfig", {})
    for spec in values.network_specs(networks):
        name, endpoint = values.parse_network(spec)
        body.setdefault("HostConfig", {}).setdefault("NetworkMode", name)
        if name not in ("host", "none") and not name.startswith("container:"):
            endpoints[name] = {**endpoints.get(name, {}), **endpoint}


def _first_endpoint(flag: str) -> Callable[[Body, Any], None]:
    """--ip, --ip6, --network-alias, --link-local-ip: the endpoint of the (first) --network."""

    def place(body: Body, value: Any) -> None:
        network = get_path(body, "HostConfig.NetworkMode")
        if not network or network in ("default", "bridge", "host", "none"):
            raise OptionError(f"{flag} needs --network with a user-defined network")
        endpoint = body["NetworkingConfig"]["EndpointsConfig"].setdefault(network, {})
        if flag == "--network-alias":
            endpoint["Aliases"] = [*(endpoint.get("Aliases") or []), *(values.as_list(value) or [])]
        elif flag == "--link-local-ip":
            ipam = endpoint.setdefault("IPAMConfig", {})
            ipam["LinkLocalIPs"] = [
                *(ipam.get("LinkLocalIPs") or []),
                *(values.as_list(value) or []),
            ]
        else:
            endpoint.setdefault("IPAMConfig", {})[
                "IPv4Address" if flag == "--ip" else "IPv6Address"
            ] = value

    return place


def _place_gpus(body: Body, spec: Any) -> None:
    _extend(body, "HostConfig.DeviceRequests", [values.as_gpus(spec)])


def _each(convert: Callable[[Any], Any]) -> Callable[[Any], list[Any]]:
    """A repeatable flag: convert each item (a single item is taken as a list of one)."""
    return lambda items: [
        convert(item) for item in ([items] if isinstance(items, str | dict) else items)
    ]


def _strings(items: Any) -> list[str]:
    return values.as_list(items) or []


def _int(what: str) -> Callable[[Any], int]:
    return lambda value: values.as_int(value, what)


def _entrypoint(value: Any) -> list[str]:
    """The CLI sends --entrypoint as ONE word (``"sh -c"`` stays one); a list is taken as given."""
    return [value] if isinstance(value, str) else [str(x) for x in value]


SWITCH, LIST = "switch", "list"  # an Option's kinds besides a plain value
# community.docker compares sets and mappings so: what the container has besides is fine
ALLOW_MORE = "allow_more_present"

OPTIONS: tuple[Option, ...] = (
    # -- what runs, and as whom
    Option("name", ("--name",), "assign a name to the container", ansible=("name",)),
    Option(
        "entrypoint",
        ("--entrypoint",),
        "overwrite the image's ENTRYPOINT",
        "Entrypoint",
        _entrypoint,
        ansible=("entrypoint",),
    ),
    Option(
        "user",
        ("-u", "--user"),
        "username or UID (NAME|UID[:GROUP|GID])",
        "User",
        ansible=("user",),
    ),
    Option(
        "workdir",
        ("-w", "--workdir"),
        "working directory inside the container",
        "WorkingDir",
        ansible=("working_dir",),
    ),
    Option(
        "env_file",
        ("--env-file",),
        "read environment variables from a file",
        kind=LIST,
        metavar="FILE",
        place=_place_env_file,
        ansible=("env_file",),
    ),
    Option(
        "env",
        ("-e", "--env"),
        "set an environment variable (VAR alone: from this environment)",
        kind=LIST,
        metavar="VAR[=VALUE]",
        place=_place_env,
        ansible=("env",),
        compare=ALLOW_MORE,
    ),
    Option(
        "label_file",
        ("--label-file",),
        "read labels from a file",
        kind=LIST,
        metavar="FILE",
        place=_place_label_file,
    ),
    Option(
        "labels",
        ("-l", "--label"),
        "set metadata on the container",
        kind=LIST,
        metavar="KEY=VALUE",
        place=_place_labels,
        ansible=("labels",),
        compare=ALLOW_MORE,
    ),
    Option(
        "hostname", ("-h", "--hostname"), "container host name", "Hostname", ansible=("hostname",)
    ),
    Option(
        "domainname",
        ("--domainname",),
        "container NIS domain name",
        "Domainname",
        ansible=("domainname",),
    ),
    Option(
        "stop_signal",
        ("--stop-signal",),
        "signal to stop the container",
        "StopSignal",
        ansible=("stop_signal",),
    ),
    Option(
        "stop_timeout",
        ("--stop-timeout",),
        "seconds to wait before killing on stop",
        "StopTimeout",
        _int("--stop-timeout"),
        ansible=("stop_timeout",),
        compare="ignore",  # as community.docker: a new stop timeout is no reason to recreate
    ),
    Option(
        "mac_address",
        ("--mac-address",),
        "container MAC address",
        "MacAddress",
        ansible=("mac_address",),
    ),
    Option(
        "annotations",
        ("--annotation",),
        "add an OCI annotation",
        "HostConfig.Annotations",
        lambda x: values.as_map(x, "--annotation"),
        kind=LIST,
        metavar="KEY=VALUE",
        min_api="1.43",
    ),
    # -- streams and terminal (the run helper handles attaching)
    Option(
        "detach",
        ("-d", "--detach"),
        "run in the background and return the container",
        kind=SWITCH,
        run_only=True,
        ansible=("detach",),
    ),
    Option(
        "interactive",
        ("-i", "--interactive"),
        "keep stdin open (the cell, for %%docker run)",
        "OpenStdin",
        values.as_bool,
        kind=SWITCH,
        ansible=("interactive",),
    ),
    Option(
        "tty",
        ("-t", "--tty"),
        "allocate a pseudo-TTY",
        "Tty",
        values.as_bool,
        kind=SWITCH,
        ansible=("tty",),
    ),
    Option("attach", ("-a", "--attach"), "attach to STDIN, STDOUT or STDERR", kind=LIST),
    Option(
        "detach_keys",
        ("--detach-keys",),
        "keys that detach a terminal session (ctrl-p,ctrl-q)",
        run_only=True,
    ),
    Option(
        "sig_proxy",
        ("--sig-proxy",),
        "accepted; Ctrl-C follows DockerMagics.on_interrupt",
        kind=SWITCH,
        run_only=True,
    ),
    Option(
        "remove",
        ("--rm",),
        "remove the container when it exits",
        kind=SWITCH,
        ansible=("auto_remove",),
    ),
    Option("cidfile", ("--cidfile",), "write the container ID to this file", metavar="FILE"),
    # -- image
    Option(
        "pull",
        ("--pull",),
        "pull the image: missing (default), always or never",
        metavar="POLICY",
        ansible=("pull",),
    ),
    Option(
        "platform",
        ("--platform",),
        "platform of the image, e.g. linux/amd64",
        ansible=("platform",),
    ),
    Option("quiet_pull", ("-q", "--quiet"), "suppress the pull output", kind=SWITCH),
    Option(
        "disable_content_trust", ("--disable-content-trust",), "accepted (the default)", kind=SWITCH
    ),
    # -- ports
    Option(
        "ports",
        ("-p", "--publish"),
        "publish a container port ([IP:][HOST:]CONTAINER[/PROTO])",
        kind=LIST,
        metavar="PORT",
        place=_place_publish,
        ansible=("published_ports", "ports"),
    ),
    Option(
        "publish_all",
        ("-P", "--publish-all"),
        "publish all exposed ports to random host ports",
        "HostConfig.PublishAllPorts",
        values.as_bool,
        kind=SWITCH,
        ansible=("publish_all_ports",),
    ),
    Option(
        "expose",
        ("--expose",),
        "expose a port or a range of ports",
        kind=LIST,
        metavar="PORT",
        place=_place_expose,
        ansible=("exposed_ports",),
        compare=ALLOW_MORE,
    ),
    # -- storage
    Option(
        "volumes",
        ("-v", "--volume"),
        "bind mount a volume ([SRC:]DST[:OPTS])",
        kind=LIST,
        metavar="VOLUME",
        place=_place_volumes,
        ansible=("volumes",),
        compare=ALLOW_MORE,
    ),
    Option(
        "mounts",
        ("--mount",),
        "attach a filesystem mount (type=..,source=..,target=..)",
        "HostConfig.Mounts",
        _each(values.as_mount),
        kind=LIST,
        metavar="MOUNT",
        ansible=("mounts",),
        compare=ALLOW_MORE,
    ),
    Option(
        "tmpfs",
        ("--tmpfs",),
        "mount a tmpfs (PATH[:OPTS])",
        "HostConfig.Tmpfs",
        values.as_tmpfs,
        kind=LIST,
        metavar="PATH",
        ansible=("tmpfs",),
    ),
    Option(
        "volumes_from",
        ("--volumes-from",),
        "mount volumes from containers",
        "HostConfig.VolumesFrom",
        _strings,
        kind=LIST,
        metavar="CONTAINER",
        ansible=("volumes_from",),
        compare=ALLOW_MORE,
    ),
    Option(
        "volume_driver",
        ("--volume-driver",),
        "volume driver for the container",
        "HostConfig.VolumeDriver",
        ansible=("volume_driver",),
    ),
    Option(
        "read_only",
        ("--read-only",),
        "mount the root filesystem read-only",
        "HostConfig.ReadonlyRootfs",
        values.as_bool,
        kind=SWITCH,
        ansible=("read_only",),
    ),
    Option(
        "storage_opt",
        ("--storage-opt",),
        "storage driver options",
        "HostConfig.StorageOpt",
        lambda x: values.as_map(x, "--storage-opt"),
        kind=LIST,
        metavar="KEY=VALUE",
        ansible=("storage_opts",),
        compare=ALLOW_MORE,
    ),
    Option(
        "shm_size",
        ("--shm-size",),
        "size of /dev/shm",
        "HostConfig.ShmSize",
        values.parse_bytes,
        metavar="SIZE",
        ansible=("shm_size",),
    ),
    # -- networks
    Option(
        "network",
        ("--network", "--net"),
        "connect to a network (NAME or name=NAME,alias=..,ip=..)",
        kind=LIST,
        place=_place_networks,
        ansible=("network_mode",),
    ),
    Option(
        "network_aliases",
        ("--network-alias", "--net-alias"),
        "network-scoped alias",
        kind=LIST,
        place=_first_endpoint("--network-alias"),
    ),
    Option("ip", ("--ip",), "IPv4 address on the network", place=_first_endpoint("--ip")),
    Option("ip6", ("--ip6",), "IPv6 address on the network", place=_first_endpoint("--ip6")),
    Option(
        "link_local_ip",
        ("--link-local-ip",),
        "link-local address on the network",
        kind=LIST,
        place=_first_endpoint("--link-local-ip"),
    ),
    Option(
        "links",
        ("--link",),
        "add a link to another container (NAME[:ALIAS])",
        "HostConfig.Links",
        _strings,
        kind=LIST,
        ansible=("links",),
        compare=ALLOW_MORE,
    ),
    Option(
        "add_host",
        ("--add-host",),
        "add a host-to-IP mapping (HOST:IP)",
        "HostConfig.ExtraHosts",
        _each(values.as_extra_host),
        kind=LIST,
        metavar="HOST:IP",
        ansible=("etc_hosts",),
        compare=ALLOW_MORE,
    ),
    Option(
        "dns",
        ("--dns",),
        "custom DNS servers",
        "HostConfig.Dns",
        _strings,
        kind=LIST,
        ansible=("dns_servers",),
    ),
    Option(
        "dns_option",
        ("--dns-option", "--dns-opt"),
        "DNS options",
        "HostConfig.DnsOptions",
        _strings,
        kind=LIST,
        ansible=("dns_opts",),
        compare=ALLOW_MORE,
    ),
    Option(
        "dns_search",
        ("--dns-search",),
        "DNS search domains",
        "HostConfig.DnsSearch",
        _strings,
        kind=LIST,
        ansible=("dns_search_domains",),
    ),
    # -- health
    Option(
        "health_cmd",
        ("--health-cmd",),
        "command to check health",
        place=_health("Test", values.health_test),
    ),
    Option(
        "health_interval",
        ("--health-interval",),
        "time between checks",
        place=_health("Interval", values.nanoseconds),
        metavar="DURATION",
    ),
    Option(
        "health_timeout",
        ("--health-timeout",),
        "time one check may take",
        place=_health("Timeout", values.nanoseconds),
        metavar="DURATION",
    ),
    Option(
        "health_start_period",
        ("--health-start-period",),
        "start period before failures count",
        place=_health("StartPeriod", values.nanoseconds),
        metavar="DURATION",
    ),
    Option(
        "health_start_interval",
        ("--health-start-interval",),
        "time between checks in the start period",
        place=_health("StartInterval", values.nanoseconds),
        metavar="DURATION",
        min_api="1.44",
    ),
    Option(
        "health_retries",
        ("--health-retries",),
        "failures before unhealthy",
        place=_health("Retries", _int("--health-retries")),
    ),
    Option(
        "no_healthcheck",
        ("--no-healthcheck",),
        "disable the image's HEALTHCHECK",
        kind=SWITCH,
        place=_place_no_healthcheck,
    ),
    # -- logging and restart
    Option(
        "log_driver",
        ("--log-driver",),
        "logging driver",
        "HostConfig.LogConfig.Type",
        ansible=("log_driver",),
    ),
    Option(
        "log_opt",
        ("--log-opt",),
        "logging driver options",
        "HostConfig.LogConfig.Config",
        lambda x: values.as_map(x, "--log-opt"),
        kind=LIST,
        metavar="KEY=VALUE",
        ansible=("log_options",),
        compare=ALLOW_MORE,
    ),
    Option(
        "restart",
        ("--restart",),
        "restart policy: no, always, unless-stopped, on-failure[:N]",
        "HostConfig.RestartPolicy",
        values.as_restart,
        metavar="POLICY",
        updatable=True,
        ansible=("restart_policy",),
    ),
    # -- memory
    Option(
        "memory",
        ("-m", "--memory"),
        "memory limit",
        "HostConfig.Memory",
        values.parse_bytes,
        metavar="SIZE",
        updatable=True,
        ansible=("memory",),
    ),
    Option(
        "memory_swap",
        ("--memory-swap",),
        "memory plus swap limit (-1: unlimited swap)",
        "HostConfig.MemorySwap",
        values.parse_bytes,
        metavar="SIZE",
        updatable=True,
        ansible=("memory_swap",),
    ),
    Option(
        "memory_reservation",
        ("--memory-reservation",),
        "memory soft limit",
        "HostConfig.MemoryReservation",
        values.parse_bytes,
        metavar="SIZE",
        updatable=True,
        ansible=("memory_reservation",),
    ),
    Option(
        "memory_swappiness",
        ("--memory-swappiness",),
        "memory swappiness (0 to 100)",
        "HostConfig.MemorySwappiness",
        _int("--memory-swappiness"),
        ansible=("memory_swappiness",),
    ),
    Option(
        "kernel_memory",
        ("--kernel-memory",),
        "kernel memory limit",
        "HostConfig.KernelMemory",
        values.parse_bytes,
        metavar="SIZE",
        updatable=True,
        ansible=("kernel_memory",),
    ),
    Option(
        "oom_kill_disable",
        ("--oom-kill-disable",),
        "disable the OOM killer",
        "HostConfig.OomKillDisable",
        values.as_bool,
        kind=SWITCH,
        ansible=("oom_killer",),
    ),
    Option(
        "oom_score_adj",
        ("--oom-score-adj",),
        "OOM score adjustment (-1000 to 1000)",
        "HostConfig.OomScoreAdj",
        _int("--oom-score-adj"),
        ansible=("oom_score_adj",),
    ),
    # -- CPU and I/O
    Option(
        "cpus",
        ("--cpus",),
        "number of CPUs",
        "HostConfig.NanoCpus",
        values.nano_cpus,
        updatable=True,
        ansible=("cpus",),
    ),
    Option(
        "cpu_shares",
        ("-c", "--cpu-shares"),
        "CPU shares (relative weight)",
        "HostConfig.CpuShares",
        _int("--cpu-shares"),
        updatable=True,
        ansible=("cpu_shares",),
    ),
    Option(
        "cpu_period",
        ("--cpu-period",),
        "CFS period",
        "HostConfig.CpuPeriod",
        _int("--cpu-period"),
        updatable=True,
        ansible=("cpu_period",),
    ),
    Option(
        "cpu_quota",
        ("--cpu-quota",),
        "CFS quota",
        "HostConfig.CpuQuota",
        _int("--cpu-quota"),
        updatable=True,
        ansible=("cpu_quota",),
    ),
    Option(
        "cpu_rt_period",
        ("--cpu-rt-period",),
        "real-time period (µs)",
        "HostConfig.CpuRealtimePeriod",
        _int("--cpu-rt-period"),
        updatable=True,
    ),
    Option(
        "cpu_rt_runtime",
        ("--cpu-rt-runtime",),
        "real-time runtime (µs)",
        "HostConfig.CpuRealtimeRuntime",
        _int("--cpu-rt-runtime"),
        updatable=True,
    ),
    Option(
        "cpuset_cpus",
        ("--cpuset-cpus",),
        "CPUs to run on (0-3, 0,1)",
        "HostConfig.CpusetCpus",
        updatable=True,
        ansible=("cpuset_cpus",),
    ),
    Option(
        "cpuset_mems",
        ("--cpuset-mems",),
        "memory nodes to use (0-3, 0,1)",
        "HostConfig.CpusetMems",
        updatable=True,
        ansible=("cpuset_mems",),
    ),
    Option(
        "cpu_count",
        ("--cpu-count",),
        "number of CPUs (Windows)",
        "HostConfig.CpuCount",
        _int("--cpu-count"),
    ),
    Option(
        "cpu_percent",
        ("--cpu-percent",),
        "usable CPU percent (Windows)",
        "HostConfig.CpuPercent",
        _int("--cpu-percent"),
    ),
    Option(
        "blkio_weight",
        ("--blkio-weight",),
        "block I/O weight (10 to 1000)",
        "HostConfig.BlkioWeight",
        _int("--blkio-weight"),
        updatable=True,
        ansible=("blkio_weight",),
    ),
    Option(
        "blkio_weight_device",
        ("--blkio-weight-device",),
        "block I/O weight per device (DEVICE:WEIGHT)",
        "HostConfig.BlkioWeightDevice",
        _each(values.as_weight_device),
        kind=LIST,
    ),
    Option(
        "device_read_bps",
        ("--device-read-bps",),
        "read rate limit per device (DEVICE:SIZE)",
        "HostConfig.BlkioDeviceReadBps",
        _each(lambda s: values.as_rate_device(s, True)),
        kind=LIST,
        ansible=("device_read_bps",),
        compare=ALLOW_MORE,
    ),
    Option(
        "device_write_bps",
        ("--device-write-bps",),
        "write rate limit per device (DEVICE:SIZE)",
        "HostConfig.BlkioDeviceWriteBps",
        _each(lambda s: values.as_rate_device(s, True)),
        kind=LIST,
        ansible=("device_write_bps",),
        compare=ALLOW_MORE,
    ),
    Option(
        "device_read_iops",
        ("--device-read-iops",),
        "read IO/s limit per device (DEVICE:N)",
        "HostConfig.BlkioDeviceReadIOps",
        _each(lambda s: values.as_rate_device(s, False)),
        kind=LIST,
        ansible=("device_read_iops",),
        compare=ALLOW_MORE,
    ),
    Option(
        "device_write_iops",
        ("--device-write-iops",),
        "write IO/s limit per device (DEVICE:N)",
        "HostConfig.BlkioDeviceWriteIOps",
        _each(lambda s: values.as_rate_device(s, False)),
        kind=LIST,
        ansible=("device_write_iops",),
        compare=ALLOW_MORE,
    ),
    Option(
        "io_maxbandwidth",
        ("--io-maxbandwidth",),
        "I/O bandwidth limit (Windows)",
        "HostConfig.IOMaximumBandwidth",
        values.parse_bytes,
    ),
    Option(
        "io_maxiops",
        ("--io-maxiops",),
        "I/O per second limit (Windows)",
        "HostConfig.IOMaximumIOps",
        _int("--io-maxiops"),
    ),
    Option(
        "pids_limit",
        ("--pids-limit",),
        "process limit (-1: unlimited)",
        "HostConfig.PidsLimit",
        _int("--pids-limit"),
        updatable=True,
        ansible=("pids_limit",),
    ),
    Option(
        "ulimit",
        ("--ulimit",),
        "ulimit (NAME=SOFT[:HARD])",
        "HostConfig.Ulimits",
        _each(values.as_ulimit),
        kind=LIST,
        ansible=("ulimits",),
        compare=ALLOW_MORE,
    ),
    # -- devices and privileges
    Option(
        "privileged",
        ("--privileged",),
        "give extended privileges",
        "HostConfig.Privileged",
        values.as_bool,
        kind=SWITCH,
        ansible=("privileged",),
    ),
    Option(
        "cap_add",
        ("--cap-add",),
        "add Linux capabilities",
        "HostConfig.CapAdd",
        _each(values.as_capability),
        kind=LIST,
        ansible=("capabilities",),
        compare=ALLOW_MORE,
    ),
    Option(
        "cap_drop",
        ("--cap-drop",),
        "drop Linux capabilities",
        "HostConfig.CapDrop",
        _each(values.as_capability),
        kind=LIST,
        ansible=("cap_drop",),
        compare=ALLOW_MORE,
    ),
    Option(
        "security_opt",
        ("--security-opt",),
        "security options",
        "HostConfig.SecurityOpt",
        _each(values.as_security_opt),
        kind=LIST,
        ansible=("security_opts",),
        compare=ALLOW_MORE,
    ),
    Option(
        "devices",
        ("--device",),
        "add a host device (HOST[:CONTAINER[:rwm]])",
        "HostConfig.Devices",
        _each(values.as_device),
        kind=LIST,
        metavar="DEVICE",
        ansible=("devices",),
        compare=ALLOW_MORE,
    ),
    Option(
        "device_cgroup_rule",
        ("--device-cgroup-rule",),
        "rule for the cgroup's allowed devices",
        "HostConfig.DeviceCgroupRules",
        _strings,
        kind=LIST,
        ansible=("device_cgroup_rules",),
    ),
    Option(
        "gpus",
        ("--gpus",),
        "GPUs to add (all, N, device=0,1, count=..,capabilities=..)",
        place=_place_gpus,
        ansible=("device_requests",),
        compare=ALLOW_MORE,
    ),
    Option(
        "group_add",
        ("--group-add",),
        "additional groups to join",
        "HostConfig.GroupAdd",
        _strings,
        kind=LIST,
        ansible=("groups",),
        compare=ALLOW_MORE,
    ),
    Option(
        "sysctl",
        ("--sysctl",),
        "namespaced kernel parameters",
        "HostConfig.Sysctls",
        lambda x: values.as_map(x, "--sysctl"),
        kind=LIST,
        metavar="KEY=VALUE",
        ansible=("sysctls",),
        compare=ALLOW_MORE,
    ),
    Option(
        "init",
        ("--init",),
        "run an init that forwards signals and reaps processes",
        "HostConfig.Init",
        values.as_bool,
        kind=SWITCH,
        ansible=("init",),
    ),
    Option("runtime", ("--runtime",), "runtime to use", "HostConfig.Runtime", ansible=("runtime",)),
    Option(
        "isolation",
        ("--isolation",),
        "isolation technology",
        "HostConfig.Isolation",
        ansible=("isolation",),
    ),
    Option(
        "cgroup_parent",
        ("--cgroup-parent",),
        "parent cgroup",
        "HostConfig.CgroupParent",
        ansible=("cgroup_parent",),
    ),
    Option(
        "cgroupns",
        ("--cgroupns",),
        "cgroup namespace (host or private)",
        "HostConfig.CgroupnsMode",
        ansible=("cgroupns_mode",),
    ),
    Option(
        "pid",
        ("--pid",),
        "PID namespace (host, container:NAME)",
        "HostConfig.PidMode",
        ansible=("pid_mode",),
    ),
    Option(
        "ipc",
        ("--ipc",),
        "IPC mode (private, shareable, host, container:NAME)",
        "HostConfig.IpcMode",
        ansible=("ipc_mode",),
    ),
    Option("uts", ("--uts",), "UTS namespace (host)", "HostConfig.UTSMode", ansible=("uts",)),
    Option(
        "userns",
        ("--userns",),
        "user namespace (host)",
        "HostConfig.UsernsMode",
        ansible=("userns_mode",),
    ),
)

BY_NAME: dict[str, Option] = {o.name: o for o in OPTIONS}
# Keywords the helpers have long taken, and community.docker's spellings, for the same options.
ALIASES: dict[str, str] = {
    "restart_policy": "restart",
    "network_mode": "network",
    "working_dir": "workdir",
}
