"""Swarm, for real: two extra engines (each a dockerd in a network namespace of its own, joined by a
wire of their own) form a swarm through ``%docker swarm init/join``; a service of six replicas is
placed on both nodes, its logs, scaling, updates and rollback checked, its usage gathered from both
engines; the docker CLI's own ``service create`` examples give the same specs as dockmagic's; the
swarm is left and the daemons stopped."""

from __future__ import annotations

import difflib
import json
import re
import shlex
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from IPython.core.error import UsageError

import dockmagic
import dockmagic.modules
from dockmagic.engine import Engine
from dockmagic.errors import DockerError, OperationFailed, OptionError
from dockmagic.helpers.engines.cleanup import AT_END, find, sweep
from dockmagic.helpers.engines.labels import unstamped
from dockmagic.helpers.engines.session import using
from dockmagic.helpers.images.busybox import lab_image
from dockmagic.modules.export import to_playbook
from dockmagic.modules.play import play
from dockmagic.options.swarm.service import service_spec, updated_spec
from tools.extra_engines import ExtraEngine, link, missing

from .support import IMAGE, LABELS, eventually, recap, require, unique
from .test_interrupts import interrupted

DOCKER = shutil.which("docker")
# a loop that says who it is on stdout and complains on stderr; `exec sleep` would ignore SIGTERM
LOOP = 'while true; do echo "$GREETING from $(hostname)"; echo oops >&2; sleep 1; done'


class Swarm:
    def __init__(self, manager: ExtraEngine, worker: ExtraEngine) -> None:
        self.manager, self.worker = manager, worker
        self.m, self.w = Engine(manager.url), Engine(worker.url)

    def docker(self, ip: Any, line: str, cell: str | None = None) -> Any:
        """A %docker line run against the manager."""
        if cell is not None:
            return ip.run_cell_magic("docker", f"--host {self.manager.url} {line}", cell)
        return ip.run_line_magic("docker", f"--host {self.manager.url} {line}")

    def node_ids(self) -> set[str]:
        return {str(e.system_info()["Swarm"]["NodeID"]) for e in (self.m, self.w)}


@pytest.fixture(scope="module")
def swarm(engine: Engine, image: str, ip: Any) -> Iterator[Swarm]:
    require(missing(), "extra engines")
    manager, worker = ExtraEngine("sw1", "10.241.0.0/16"), ExtraEngine("sw2", "10.242.0.0/16")
    try:
        for each in (manager, worker):
            lab_image(IMAGE, labels=LABELS, engine=each.start())
        link(manager, worker, "10.250.0")
        made = Swarm(manager, worker)
        said = made.docker(ip, f"swarm init --advertise-addr {manager.address}")
        assert (
            "Swarm initialized: current node (" in said
            and "docker swarm join --token SWMTKN-" in said
        )
        token = made.docker(ip, "swarm join-token -q worker").strip()
        joined = ip.run_line_magic(
            "docker",
            f"--host {worker.url} swarm join --token {token} --advertise-addr {worker.address} {manager.address}",
        )
        assert joined == "This node joined a swarm as a worker.\n"
        yield made
        ip.run_line_magic("docker", f"--host {worker.url} swarm leave")
        assert made.docker(ip, "swarm leave --force") == "Node left the swarm.\n"
        made.m.close()
        made.w.close()
    finally:
        for each in (worker, manager):
            each.stop()
    # the local engine kept its bridge: a container on the default network still starts
    assert (
        dockmagic.run(
            IMAGE, "true", remove=True, quiet=True, labels=LABELS, engine=engine
        ).exit_code
        == 0
    )


def _cli(swarm: Swarm, *args: str) -> str:
    assert DOCKER
    done = subprocess.run(
        [DOCKER, "-H", swarm.manager.url, *args], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _normalise(text: str) -> list[str]:
    """Lines with their words, ages as one word (they move on between the two runs)."""
    text = re.sub(
        r"(less than a second|about an? (minute|hour)|\d+ (seconds?|minutes?|hours?)) ago",
        "T",
        text,
        flags=re.I,
    )
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def _running(swarm: Swarm, service: str) -> list[dict[str, Any]]:
    return [
        t
        for t in swarm.m.task_list(filters={"service": [service], "desired-state": ["running"]})
        if t["Status"]["State"] == "running"
    ]


def test_nodes(ip: Any, swarm: Swarm) -> None:
    table = swarm.docker(ip, "node ls")
    assert len(table) == 2
    shown = table.to_text()
    assert "Leader" in shown and " *" in shown
    assert set(swarm.docker(ip, "node ls -q")) == swarm.node_ids()
    mine = swarm.docker(ip, "node inspect self")
    assert mine["Spec"]["Role"] == "manager"
    assert (
        swarm.docker(ip, "node ls --format '{{.Hostname}} {{.Status}}'")
        .splitlines()[0]
        .endswith(" Ready")
    )


def test_service_of_six_on_both_nodes(ip: Any, swarm: Swarm, capsys: Any) -> None:
    name = unique("web")
    line = (
        f"service create --name {name} --replicas 6 --stop-grace-period 1s --env GREETING=hi "
        f"--container-label dockmagic.test=1 --limit-memory 64m {IMAGE} sh -c {shlex.quote(LOOP)}"
    )
    sid = swarm.docker(ip, line).strip()
    try:
        assert "6/6 tasks running" in capsys.readouterr().out  # waited, as the CLI does without -d
        tasks = _running(swarm, sid)
        assert (
            len(tasks) == 6 and {t["NodeID"] for t in tasks} == swarm.node_ids()
        )  # placed on both
        listed = swarm.docker(ip, "service ls")
        assert [r["ID"] for r in listed] == [sid] and "6/6" in listed.to_text()
        for line in ("node ls", "service ls", f"service ps {name}"):  # the CLI's own text
            ours = swarm.docker(ip, line).to_text()
            assert _normalise(ours) == _normalise(_cli(swarm, *shlex.split(line))), line
        ps = swarm.docker(ip, f"service ps {name}")
        assert sorted(r["_name"] for r in ps) == [f"{name}.{i}" for i in range(1, 7)]
        placed = swarm.docker(ip, "node ls --resources")
        assert sum(placed.columns[-5].get(r) for r in placed) == 6  # TASKS, per node
        assert all(
            "MiB" in placed.columns[-1].show(placed.columns[-1].get(r)) for r in placed
        )  # LIMITED TO
        spec = swarm.docker(ip, f"service inspect {name}")["Spec"]
        assert spec["TaskTemplate"]["Resources"]["Limits"]["MemoryBytes"] == 64 * 1024**2

        # two lines a task: its last line is either stream, depending on when the engine is asked
        logs = eventually(
            lambda: swarm.docker(ip, f"service logs --tail 2 {name}"),
            until=lambda got: len(got.stdout.splitlines()) == len(got.stderr.splitlines()) == 6,
        )
        assert (
            "hi from" in logs.stdout and "oops" in logs.stderr and "oops" not in logs.stdout
        )  # streams kept
        first = logs.stdout.splitlines()[0]
        assert first.startswith(f"{name}.") and "@" in first and "    | hi from" in first
        raw = swarm.docker(ip, f"service logs --raw --tail 2 {name}")
        assert raw.stdout and all(line.startswith("hi from") for line in raw.stdout.splitlines())

        swarm.docker(ip, f"service scale {name}=2")
        assert len(_running(swarm, sid)) == 2

        swarm.docker(ip, f"service update --env-add GREETING=hello --update-parallelism 0 {name}")
        assert swarm.m.service_inspect(sid)["Spec"]["TaskTemplate"]["ContainerSpec"]["Env"] == [
            "GREETING=hello"
        ]
        assert all(
            t["Spec"]["ContainerSpec"]["Env"] == ["GREETING=hello"] for t in _running(swarm, sid)
        )
        swarm.docker(ip, f"service rollback {name}")
        assert swarm.m.service_inspect(sid)["Spec"]["TaskTemplate"]["ContainerSpec"]["Env"] == [
            "GREETING=hi"
        ]

        gathered = swarm.docker(ip, f"service stats {name} --engines {swarm.worker.url}")
        assert len(gathered) == 2 and all("_error" not in r and r["memory"] for r in gathered)
        alone = dockmagic.service_stats(name, engine=swarm.m)
        assert {r.get("_error") for r in alone} <= {None, "no engine given for this node"}
    finally:
        assert swarm.docker(ip, f"service rm {name}") == [name]


def test_secret_and_config_reach_the_tasks(ip: Any, swarm: Swarm) -> None:
    secret, config, name = unique("s"), unique("c"), unique("svc")
    swarm.docker(ip, f"secret create --label dockmagic.test=1 {secret}", cell="top secret\n")
    swarm.docker(ip, f"config create {config}", cell="[settings]\n")
    try:
        assert secret in swarm.docker(ip, "secret ls").to_text()
        assert "Data" not in swarm.docker(ip, f"secret inspect {secret}")["Spec"]  # never shown
        script = f"cat /run/secrets/{secret} /etc/app.ini; sleep 60"
        swarm.docker(
            ip,
            f"service create --name {name} --stop-grace-period 1s --secret {secret} "
            f"--config source={config},target=/etc/app.ini {IMAGE} sh -c {shlex.quote(script)}",
        )
        out = eventually(
            lambda: swarm.docker(ip, f"service logs --raw {name}").stdout,
            until=lambda o: "[settings]" in o,
        )
        assert out == "top secret\n[settings]\n"
    finally:
        swarm.docker(ip, f"service rm {name}")
        assert swarm.docker(ip, f"secret rm {secret}") == [secret]
        assert swarm.docker(ip, f"config rm {config}") == [config]


def test_drain_moves_the_tasks(ip: Any, swarm: Swarm) -> None:
    name = unique("web")
    worker = str(swarm.w.system_info()["Swarm"]["NodeID"])
    swarm.docker(
        ip, f"service create -q --name {name} --replicas 4 --stop-grace-period 1s {IMAGE} sleep 600"
    )
    try:
        swarm.docker(ip, f"node update --availability drain --label-add zone=b {worker}")
        assert eventually(
            lambda: not any(t["NodeID"] == worker for t in _running(swarm, name)), limit=60
        )
        assert swarm.m.node_inspect(worker)["Spec"]["Labels"] == {"zone": "b"}
    finally:
        swarm.docker(ip, f"node update --availability active --label-rm zone {worker}")
        swarm.docker(ip, f"service rm {name}")


def test_errors_are_one_line(ip: Any, swarm: Swarm, engine: Engine) -> None:
    """Through the magic, each is one line (a UsageError: no traceback); in Python, the error."""
    for line, said in [
        ("service ls", "This node is not a swarm manager"),  # the local engine is in no swarm
        (f"--host {swarm.manager.url} service ps nosuch", "service nosuch not found"),
        (f"--host {swarm.manager.url} service create --replicas many {IMAGE}", "--replicas"),
        (
            f"--host {swarm.manager.url} service create --mode sometimes {IMAGE}",
            "invalid --mode 'sometimes'",
        ),
        (
            f"--host {swarm.manager.url} service create -d --secret nosuch {IMAGE}",
            "secret not found: nosuch",
        ),
        (f"--host {swarm.manager.url} service scale web", "invalid scale specifier 'web'"),
        (f"--host {swarm.manager.url} swarm join-token boss", "invalid choice: 'boss'"),
    ]:
        with pytest.raises(UsageError) as info:
            ip.run_line_magic("docker", line)
        assert said in str(info.value) and "\n" not in str(info.value), line
    with pytest.raises(OperationFailed, match="keep failing"):
        dockmagic.service_create(
            IMAGE, "no-such-command", name=unique("bad"), restart_delay="0s", engine=swarm.m
        )


def test_failed_service_is_left_for_the_user(swarm: Swarm) -> None:
    """The one made by the test above stays, as the CLI leaves it; remove every left one."""
    for service in swarm.m.service_list():
        swarm.m.service_delete(service["ID"])


def test_ctrl_c_ends_the_wait_never_the_service(ip: Any, swarm: Swarm, capsys: Any) -> None:
    name = unique("held")  # placed nowhere: the wait would last its full limit
    line = f"service create --name {name} --constraint node.labels.nowhere==1 {IMAGE} sleep 60"
    outcome, taken = interrupted(ip, lambda: swarm.docker(ip, line))
    try:
        assert isinstance(outcome, UsageError) and float(taken) < 1, (outcome, taken)
        assert "no longer waiting; the service stays" in capsys.readouterr().err
        assert swarm.m.service_inspect(name)["Spec"]["Name"] == name
    finally:
        swarm.docker(ip, f"service rm {name}")


def test_session_sweep_takes_services(swarm: Swarm) -> None:
    name = unique("mine")
    dockmagic.service_create(IMAGE, ["sleep", "600"], name=name, detach=True, engine=swarm.m)
    secret = unique("s")
    dockmagic.secret_create(secret, "x", engine=swarm.m)
    found = find(swarm.m, kinds=AT_END)  # not the image: the tests below need it
    assert ("service", name) in found.found and ("secret", secret) in found.found
    assert not sweep(swarm.m, found=found).failed
    assert not swarm.m.service_list(filters={"name": [name]}) and not swarm.m.secret_list(
        filters={"name": [secret]}
    )


# -- the docker CLI's own examples --------------------------------------------------------------

# from the docker CLI reference of `docker service create` (the image names changed to ours: no
# registry here); each is created by the CLI and by dockmagic, and the engine's specs compared
CLI_EXAMPLES = [
    "--name cuda --generic-resource NVIDIA-GPU=2 --generic-resource SSD=1",
    "--name redis --replicas=5",
    "--name redis --secret secret.json",
    "--name redis --secret source=ssh-key,target=ssh --secret source=app-key,target=app,uid=1000,gid=1001,mode=0400",
    "--name redis --config redis-conf",
    "--replicas 10 --name redis --update-delay 10s --update-parallelism 2",
    "--name redis_2 --replicas 5 --env MYVAR=foo",
    "--name redis_2 --replicas 5 --env MYVAR=foo --env MYVAR2=bar",
    "--name redis --hostname myredis",
    "--name redis --label com.example.foo=bar --label bar=baz",
    "--name my-service --replicas 3 --mount type=volume,source=my-volume,destination=/path/in/container,"
    "volume-label=color=red,volume-label=shape=round",
    "--name my-service --mount type=bind,source=/tmp,target=/data,readonly",
    "--name redis_2 --mode global",
    "--name redis_2 --constraint node.platform.os==linux --constraint node.labels.type==queue",
    "--replicas 9 --name redis_2 --placement-pref spread=node.labels.datacenter",
    "--name redis --replicas-max-per-node 1",
    "--name my_web --replicas 3 --publish published=8080,target=80",
    "--name my_web --replicas 3 -p 8081:80",
    "--name dns-cache -p 53:53/udp",
    "--name myservice --network name=my-network,alias=web1",
    "--network my-network --name net2 --replicas 3",
    "--reserve-memory=4GB --name=too-big",
    "--name limited --limit-cpu 0.5 --limit-memory 64m --limit-pids 100 --reserve-cpu 0.25",
    "--name hc --health-cmd 'true' --health-interval 5s --health-retries 3 --health-timeout 2s",
    "--name rp --restart-condition on-failure --restart-delay 5s --restart-max-attempts 3 --restart-window 1m",
    "--name up --update-failure-action rollback --update-monitor 20s --update-max-failure-ratio 0.2 "
    "--update-order start-first --rollback-parallelism 2 --rollback-order stop-first",
    "--name misc --user 1000:1000 --workdir /tmp --init --read-only --stop-signal SIGINT --stop-grace-period 3s "
    "--dns 10.0.0.2 --dns-option ndots:2 --dns-search example.org --host db:10.0.0.3 --group 10 -t",
    "--name caps --cap-add NET_ADMIN --cap-drop CHOWN --sysctl net.core.somaxconn=1024 --ulimit nofile=1024:2048",
    "--name logs --log-driver json-file --log-opt max-size=10m --container-label a=b --entrypoint /bin/sh",
    "--name job --mode replicated-job --replicas 4 --max-concurrent 2",
    "--name ep --endpoint-mode dnsrr",
]


@pytest.fixture(scope="module")
def referenced(swarm: Swarm) -> Iterator[None]:
    """What the examples name: secrets, a config, an overlay network."""
    for secret in ("secret.json", "ssh-key", "app-key"):
        swarm.m.secret_create(secret, b"x", LABELS)
    swarm.m.config_create("redis-conf", b"x", LABELS)
    swarm.m.network_create(
        {"Name": "my-network", "Driver": "overlay", "Attachable": True, "Labels": LABELS}
    )
    yield
    for service in swarm.m.service_list():
        swarm.m.service_delete(service["ID"])
    time.sleep(1)  # the network is in use until the tasks are gone
    for secret in ("secret.json", "ssh-key", "app-key"):
        swarm.m.secret_delete(secret)
    swarm.m.config_delete("redis-conf")
    for _ in range(30):
        try:
            swarm.m.network_delete("my-network")
            break
        except DockerError:
            time.sleep(0.5)


def _spec(swarm: Swarm, name: str) -> dict[str, Any]:
    found = swarm.m.service_inspect(name)
    spec = found["Spec"]
    swarm.m.service_delete(found["ID"])
    spec["Labels"] = unstamped(spec.get("Labels"))
    container = spec["TaskTemplate"]["ContainerSpec"]
    for kind in ("Secret", "Config"):
        for ref in container.get(f"{kind}s") or []:
            ref.pop(f"{kind}ID", None)
        if container.get(f"{kind}s"):  # the CLI orders several by a Go map: at random
            container[f"{kind}s"].sort(key=json.dumps)
    reserved = spec["TaskTemplate"].get("Resources", {}).get("Reservations", {})
    if "GenericResources" in reserved:  # the CLI's order is its map's, different each run
        reserved["GenericResources"].sort(key=json.dumps)
    return spec


@pytest.mark.skipif(DOCKER is None, reason="needs the docker CLI")
@pytest.mark.parametrize("example", CLI_EXAMPLES)
def test_cli_examples_give_the_same_spec(
    ip: Any, swarm: Swarm, referenced: None, example: str
) -> None:
    assert DOCKER
    words = shlex.split(example)
    name = (
        next(w.split("=", 1)[1] for w in words if w.startswith("--name="))
        if "--name" not in words
        else None
    )
    name = name or words[words.index("--name") + 1]
    cli = subprocess.run(
        [
            DOCKER,
            "-H",
            swarm.manager.url,
            "service",
            "create",
            "-d",
            "--no-resolve-image",
            *words,
            IMAGE,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert cli.returncode == 0, cli.stderr
    theirs = _spec(swarm, name)
    swarm.docker(ip, f"service create -d -q {example} {IMAGE}")
    ours = _spec(swarm, name)
    a, b = (json.dumps(x, sort_keys=True, indent=1).splitlines() for x in (ours, theirs))
    assert a == b, "\n".join(difflib.unified_diff(b, a, "the CLI's", "dockmagic's", lineterm=""))


# -- the option table without an engine ------------------------------------------------------------


def test_update_adds_and_removes_items() -> None:
    spec = service_spec(
        IMAGE,
        env=["A=1", "B=2"],
        publish=["8080:80"],
        labels={"x": "1"},
        mounts=["type=tmpfs,target=/t"],
    )
    after = updated_spec(
        spec,
        add={"env": ["A=9"], "publish": ["9090:90"]},
        remove={"env": ["B"], "publish": ["80"], "labels": ["x"], "mounts": ["/t"]},
        limit_memory="1g",
    )
    assert after["TaskTemplate"]["ContainerSpec"]["Env"] == ["A=9"]
    assert [p["TargetPort"] for p in after["EndpointSpec"]["Ports"]] == [90]
    assert after["Labels"] == {} and after["TaskTemplate"]["ContainerSpec"]["Mounts"] == []
    assert after["TaskTemplate"]["Resources"]["Limits"]["MemoryBytes"] == 1024**3
    assert spec["TaskTemplate"]["ContainerSpec"]["Env"] == [
        "A=1",
        "B=2",
    ]  # the current spec is untouched
    tty = service_spec(IMAGE, tty=True)
    assert (
        updated_spec(tty, tty=False)["TaskTemplate"]["ContainerSpec"]["TTY"] is False
    )  # --tty=false
    gpus = service_spec(IMAGE, generic_resources=["NVIDIA-GPU=2", "SSD=1"])
    more = updated_spec(
        gpus, add={"generic_resources": ["SSD=3"]}, remove={"generic_resources": ["NVIDIA-GPU"]}
    )
    assert more["TaskTemplate"]["Resources"]["Reservations"]["GenericResources"] == [
        {"DiscreteResourceSpec": {"Kind": "SSD", "Value": 3}}
    ]  # --generic-resource-add SSD=3 --generic-resource-rm NVIDIA-GPU


def test_bad_service_options_name_their_flag() -> None:
    for options, flag in [
        ({"publish": ["x:y"]}, "--publish"),
        ({"update_order": "sideways"}, "--update-order"),
        ({"limit_memory": "lots"}, "--limit-memory"),
        ({"placement_prefs": ["pack=node.id"]}, "--placement-pref"),
        ({"update_max_failure_ratio": "2"}, "--update-max-failure-ratio"),
        (
            {"replicas": -1},
            "--replicas: -1 is not a count",
        ),  # the engine's answer would be Go's unmarshal error
        ({"publish": ["80:80:80"]}, "--publish"),
        ({"generic_resources": ["gpu"]}, "--generic-resource"),
        ({"generic_resources": ["gpu=UUID1"]}, "named resources are a node's"),
    ]:
        with pytest.raises(OptionError, match=flag):
            service_spec(IMAGE, **options)
    with pytest.raises(OptionError, match="unknown service option 'replica'"):
        service_spec(IMAGE, replica=3)


# -- the service module, and real Ansible as its judge --------------------------------------------

# community.docker's docker_swarm_service arguments, as its documentation writes them
SERVICE_TASK = {
    "image": IMAGE,
    "args": ["sh", "-c", "sleep 600"],
    "replicas": 2,
    "env": {"GREETING": "hi"},
    "container_labels": {"dockmagic.test": "1"},
    "limits": {"memory": "64M", "cpus": 0.5},
    "reservations": {"memory": "16M"},
    "publish": [{"published_port": 8088, "target_port": 80}],
    "placement": {"constraints": ["node.role==manager"], "replicas_max_per_node": 2},
    "restart_config": {"condition": "on-failure", "delay": "5s"},
    "update_config": {"parallelism": 2, "delay": "1s", "order": "start-first"},
    "stop_grace_period": "1s",
    "hostname": "svc",
    "working_dir": "/tmp",
    "hosts": {"db": "10.0.0.3"},
}


def _play(swarm: Swarm, tasks: list[dict[str, Any]], check: bool = False) -> dict[str, int]:
    with using(swarm.m, close=False):
        result = play(tasks, check=check, show=False)
    assert not [t.line(False) for t in result.tasks if t.status == "failed"]
    return result.recap


def test_service_module(swarm: Swarm) -> None:
    name = unique("mod")
    task = {"service": {"name": name, **SERVICE_TASK}}
    assert _play(swarm, [task])["changed"] == 1
    assert len(_running(swarm, name)) == 2  # it waited for the tasks
    assert _play(swarm, [task])["changed"] == 0
    three = {"service": {**task["service"], "replicas": 1, "env": {"GREETING": "hello"}}}
    with using(swarm.m, close=False):
        checked = dockmagic.modules.service(**three["service"], check_mode=True, diff=True)
    assert checked.changed and set(checked.diff["after"]) == {
        "Mode",
        "TaskTemplate.ContainerSpec.Env",
    }
    assert (
        swarm.m.service_inspect(name)["Spec"]["Mode"]["Replicated"]["Replicas"] == 2
    )  # nothing done
    version = swarm.m.service_inspect(name)["Version"]["Index"]
    assert _play(swarm, [three])["changed"] == 1
    after = swarm.m.service_inspect(name)
    assert (
        after["Version"]["Index"] > version and after["ID"] == swarm.m.service_inspect(name)["ID"]
    )  # in place
    assert find(swarm.m, kinds=AT_END).found.count(("service", name)) == 1  # still the session's
    assert _play(swarm, [{"service": {"name": name, "state": "absent"}}])["changed"] == 1
    assert _play(swarm, [{"service": {"name": name, "state": "absent"}}])["changed"] == 0


def _ansible(ansible: Path, swarm: Swarm, tasks: list[dict[str, Any]], tmp_path: Path) -> int:
    """The play exported by dockmagic, run by ansible-playbook against the manager: its changed count."""
    book = tmp_path / f"{unique('book')}.yml"
    book.write_text(to_playbook(tasks))
    return recap(ansible, book, tmp_path, docker_host=swarm.manager.url)["changed"]


def test_ansible_judges_the_service_module(ansible: Path, swarm: Swarm, tmp_path: Path) -> None:
    name = unique("judged")
    task = {"service": {"name": name, **SERVICE_TASK}}
    try:
        assert _play(swarm, [task])["changed"] == 1
        assert _ansible(ansible, swarm, [task], tmp_path) == 0  # dockmagic's service is Ansible's
        fewer = {"service": {**task["service"], "replicas": 1}}
        assert _ansible(ansible, swarm, [fewer], tmp_path) == 1
        assert _play(swarm, [fewer])["changed"] == 0  # and Ansible's is dockmagic's
        # the table's own names, exported as community.docker's
        ours = {"service": {"name": name, "image": IMAGE, "args": ["sh", "-c", "sleep 600"], "replicas": 1,
                            "limit_memory": "64M", "publish": ["8088:80"], "update_parallelism": 2}}  # fmt: skip
        _play(swarm, [ours])
        assert _ansible(ansible, swarm, [ours], tmp_path) == 0
    finally:
        _play(swarm, [{"service": {"name": name, "state": "absent"}}])
