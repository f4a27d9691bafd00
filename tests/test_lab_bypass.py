"""The lab proxy against attempts written from the engine's own semantics (the classes an independent
probe found open, each in several spellings), not from the proxy's rules. Every attempt is judged by
what the engine holds afterwards (``Lab.assert_held``: every student container within the policy,
s2's objects untouched, no image replaced or made outside s1's namespace), not only by the answer."""

from __future__ import annotations

import io
import json
import os
import socket
import tarfile
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import pytest

from dockmagic.engine import Engine
from dockmagic.lab.policy import STUDENT_LABEL

from .lab_support import FORBIDDEN, SECRET, Lab, make_lab, raw, request
from .support import LABEL, eventually

V = "/v1.41"


@pytest.fixture(scope="module")
def lab(engine: Engine, image: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    yield from make_lab(engine, image, tmp_path_factory.mktemp("bypass"))


@pytest.fixture(scope="module")
def own(lab: Lab) -> dict[str, str]:
    """s1's own: a created container, a running one, a network."""
    made = {}
    for key, args in (
        ("plain", ["create", "-l", f"{LABEL}=1", lab.image, "sleep", "300"]),
        (
            "running",
            ["run", "-d", "-l", f"{LABEL}=1", lab.image, "sh", "-c", "echo mine; sleep 300"],
        ),
        ("network", ["network", "create", "--label", f"{LABEL}=1", "s1net"]),
    ):
        out = lab.cli("s1", *args)
        assert out.returncode == 0, out.stderr
        made[key] = out.stdout.strip()
    return made


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def _create_body(lab: Lab, host: dict[str, Any] | None = None, **top: Any) -> bytes:
    return _json(
        {
            "Image": lab.image,
            "Cmd": ["true"],
            "Labels": {LABEL: "1"},
            "HostConfig": host or {},
            **top,
        }
    )


def _judge(lab: Lab, sent: bytes, expect: str, wait: float = 10) -> tuple[int, str, dict[str, str]]:
    """Send as s1, check the answer is ``expect`` (refused[:rule], absent, conflict, passes), then
    what the engine holds."""
    answer = raw(lab, sent, wait)
    status, message, _ = answer
    kind, _, rule = expect.partition(":")
    if kind == "refused":
        assert status == 403 and message.startswith(
            f"lab policy ({rule}" if rule else "lab policy ("
        ), answer[:2]
        assert "\n" not in message
    elif kind == "absent":
        assert status == 404, answer[:2]
    elif kind == "conflict":
        assert status == 409, answer[:2]
    elif kind == "passes":
        assert status < 400, answer[:2]
    lab.assert_held()
    return answer


# -- 1. an old API's start with a HostConfig body -------------------------------------------------

_START_BODIES = {
    "binds-root": {"Binds": ["/:/host:ro"]},
    "cap-sys-admin": {"CapAdd": ["SYS_ADMIN"]},
    "pid-host": {"PidMode": "host"},
    "privileged": {"Privileged": True},
    "all-three": {"Binds": ["/:/host:ro"], "CapAdd": ["SYS_ADMIN"], "PidMode": "host", "Memory": 0},
}
_VERSIONS = ["/v1.23", "/v1.19", "/v1.24", "/v1.12", V, ""]


@pytest.mark.parametrize("version", _VERSIONS)
@pytest.mark.parametrize("body", list(_START_BODIES))
def test_start_takes_no_host_config(lab: Lab, own: dict[str, str], version: str, body: str) -> None:
    sent = request(
        "POST",
        f"{version}/containers/{own['plain']}/start",
        _json(_START_BODIES[body]),
        "Content-Type: application/json\r\n",
    )
    _judge(lab, sent, "refused:body")
    assert not lab.engine.container_inspect(own["plain"])["State"]["Running"]


# -- 2. parameters in a form body -----------------------------------------------------------------

_FORMS = {
    "import-from-loopback": (
        "POST",
        "/images/create",
        "fromSrc=http://127.0.0.1:1/x.tar&repo=dockmagic-test/evil",
    ),
    "pull-forbidden": (
        "POST",
        "/images/create?fromImage=dockmagic-test/busybox&tag=latest",
        "fromImage=evil/miner&tag=1",
    ),
    "prune-the-other": (
        "POST",
        "/containers/prune",
        'filters={"label":["dockmagic.lab.student=s2"]}',
    ),
    "kill-signal": ("POST", "/containers/{running}/kill", "signal=KILL"),
    "logs-other": ("GET", "/containers/{running}/logs?stdout=1", "follow=1"),
}
_FORM_TYPES = [
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=utf-8",
    "Application/X-WWW-Form-Urlencoded",
]


@pytest.mark.parametrize("ctype", _FORM_TYPES)
@pytest.mark.parametrize("form", list(_FORMS))
def test_form_bodies_are_refused(lab: Lab, own: dict[str, str], form: str, ctype: str) -> None:
    method, path, body = _FORMS[form]
    sent = request(method, V + path.format(**own), body.encode(), f"Content-Type: {ctype}\r\n")
    _judge(lab, sent, "refused:body")
    assert lab.engine.container_inspect(own["running"])["State"]["Running"]


def test_a_build_context_that_is_a_form_is_refused(lab: Lab) -> None:
    sent = request(
        "POST",
        f"{V}/build",
        b"remote=http://127.0.0.1:1/",
        "Content-Type: application/x-www-form-urlencoded\r\n",
    )
    _judge(lab, sent, "refused:build")


# -- 3. binds that could move ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "bind",
    [
        "{work}/sub:/x",
        "{work}/sub:/x:ro",
        "{work}/./sub:/x:ro",
        "{work}/../work/sub:/x:ro",
        "{work}/sub/deeper:/x:ro",
    ],
)
def test_below_a_read_write_folder_nothing_is_bound(lab: Lab, bind: str) -> None:
    (lab.work / "sub" / "deeper").mkdir(parents=True, exist_ok=True)
    _judge(
        lab,
        request(
            "POST",
            f"{V}/containers/create",
            _create_body(lab, {"Binds": [bind.format(work=lab.work)]}),
        ),
        "refused:binds",
    )


def test_a_mount_below_a_read_write_folder_is_refused(lab: Lab) -> None:
    mount = {"Type": "bind", "Source": f"{lab.work}/sub", "Target": "/x", "ReadOnly": True}
    _judge(
        lab,
        request("POST", f"{V}/containers/create", _create_body(lab, {"Mounts": [mount]})),
        "refused:binds",
    )


def test_a_folder_swapped_for_a_link_is_refused_at_start(lab: Lab) -> None:
    """A bind below the read-only folder, made a link to /etc between create and start (as the
    instructor's host could): the start checks again."""
    made = raw(
        lab,
        request(
            "POST",
            f"{V}/containers/create",
            _create_body(lab, {"Binds": [f"{lab.shared}/sub:/x:ro"]}),
        ),
    )
    assert made[0] == 201, made
    cid = json.loads(made[1])["Id"]
    sub = lab.shared / "sub"
    sub.rmdir()
    sub.symlink_to("/etc")
    try:
        _judge(lab, request("POST", f"{V}/containers/{cid}/start", b""), "refused:binds")
        assert not lab.engine.container_inspect(cid)["State"]["Running"]
    finally:
        sub.unlink()
        sub.mkdir()
        lab.engine.container_delete(cid, force=True)


def test_the_swap_through_a_read_write_folder(lab: Lab) -> None:
    """One container writes a link to / in the read-write folder; no other can bind through it."""
    out = lab.cli(
        "s1",
        "run",
        "--rm",
        "-l",
        f"{LABEL}=1",
        "-v",
        f"{lab.work}:/w",
        lab.image,
        "sh",
        "-c",
        "rm -rf /w/swap && ln -s / /w/swap && echo done",
    )
    assert out.stdout.strip() == "done", out.stderr
    try:
        for bind in (f"{lab.work}/swap:/x:ro", f"{lab.work}/swap/etc:/x:ro"):
            _judge(
                lab,
                request("POST", f"{V}/containers/create", _create_body(lab, {"Binds": [bind]})),
                "refused:binds",
            )
    finally:
        (lab.work / "swap").unlink()


# -- 4. another's network by NetworkID ------------------------------------------------------------


def _endpoints(lab: Lab, own: dict[str, str]) -> dict[str, Any]:
    s2 = lab.s2_network
    return {
        "bridge-networkid": {"bridge": {"NetworkID": s2}},
        "default-networkid-prefix": {"default": {"NetworkID": s2[:12]}},
        "own-key-other-id": {"s1net": {"NetworkID": s2}},
        "own-key-other-id-lowercase": {"s1net": {"networkid": s2}},
        "other-id-as-key": {s2: {}},
        "other-prefix-as-key": {s2[:10]: {}},
        "other-name-as-key": {lab.s2_network_name: {}},
        "two-networks": {"s1net": {}, lab.s2_network_name: {}},
    }


_ENDPOINT_CASES = [
    "bridge-networkid",
    "default-networkid-prefix",
    "own-key-other-id",
    "own-key-other-id-lowercase",
    "other-id-as-key",
    "other-prefix-as-key",
    "other-name-as-key",
    "two-networks",
]


@pytest.mark.parametrize("case", _ENDPOINT_CASES)
def test_no_endpoint_on_anothers_network(lab: Lab, own: dict[str, str], case: str) -> None:
    body = _create_body(lab, {}, NetworkingConfig={"EndpointsConfig": _endpoints(lab, own)[case]})
    _judge(lab, request("POST", f"{V}/containers/create", body), "refused:network")


@pytest.mark.parametrize("mode", ["{net}", "{prefix}", "{name}"])
def test_no_network_mode_of_anothers_network(lab: Lab, mode: str) -> None:
    value = mode.format(net=lab.s2_network, prefix=lab.s2_network[:12], name=lab.s2_network_name)
    _judge(
        lab,
        request("POST", f"{V}/containers/create", _create_body(lab, {"NetworkMode": value})),
        "refused:network",
    )


def test_connect_with_anothers_network_id(lab: Lab, own: dict[str, str]) -> None:
    body = _json({"Container": own["running"], "EndpointConfig": {"NetworkID": lab.s2_network}})
    _judge(lab, request("POST", f"{V}/networks/{own['network']}/connect", body), "refused:network")
    body = _json({"Container": own["running"]})
    _judge(lab, request("POST", f"{V}/networks/{lab.s2_network}/connect", body), "absent")
    _judge(lab, request("POST", f"{V}/networks/{lab.s2_network_name}/connect", body), "absent")


# -- 5. names that race ---------------------------------------------------------------------------


@pytest.mark.parametrize("length", [6, 12])
def test_a_name_that_is_anothers_id_prefix(lab: Lab, own: dict[str, str], length: int) -> None:
    prefix = lab.victim_id[:length]
    out = lab.cli("s1", "rename", own["plain"], prefix)
    assert out.returncode == 0, out.stderr
    try:
        status, message, _ = raw(lab, request("GET", f"{V}/containers/{prefix}/json"))
        assert status == 200 and lab.victim_id not in message
        logs = lab.cli("s1", "logs", prefix)
        assert SECRET not in logs.stdout + logs.stderr
        lab.assert_held()
    finally:
        lab.cli("s1", "rename", prefix, f"plain-{length}")


def test_renames_racing_logs_never_show_anothers(lab: Lab, own: dict[str, str]) -> None:
    prefix = lab.victim_id[:8]
    stop = threading.Event()

    def flip() -> None:
        names = [prefix, "flip-a"]
        current = own["running"]
        while not stop.is_set():
            for name in names:
                raw(lab, request("POST", f"{V}/containers/{current}/rename?name={name}", b""))
                current = name

    flipper = threading.Thread(target=flip, daemon=True)
    flipper.start()
    try:
        seen = [
            raw(lab, request("GET", f"{V}/containers/{prefix}/logs?stdout=1&stderr=1"))[1]
            for _ in range(40)
        ]
    finally:
        stop.set()
        flipper.join(10)
    assert not any(SECRET in s for s in seen)
    lab.assert_held()


@pytest.mark.parametrize(
    "path", ["/containers/{p}/logs?stdout=1", "/containers/{p}/json", "/containers/{p}/top"]
)
def test_anothers_id_prefix_is_absent(lab: Lab, path: str) -> None:
    _judge(lab, request("GET", V + path.format(p=lab.victim_id[:7])), "absent")


# -- 6. builds -----------------------------------------------------------------------------------


def _context(dockerfile: str, name: str = "Dockerfile", link: bool = False) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo(name)
        if link:
            info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            tar.addfile(info)
        else:
            data = dockerfile.encode()
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _build(query: str, dockerfile: str, **context: Any) -> Callable[[Lab], bytes]:
    def make(lab: Lab) -> bytes:
        text = dockerfile.format(image=lab.image, forbidden=FORBIDDEN, fid=_forbidden_id(lab))
        q = query.format(image=lab.image, forbidden=FORBIDDEN)
        return request(
            "POST",
            f"{V}/build?{q}",
            _context(text, **context),
            "Content-Type: application/x-tar\r\n",
        )

    return make


def _forbidden_id(lab: Lab) -> str:
    return lab.engine.image_inspect(FORBIDDEN)["Id"]


OK_FILE = "FROM {image}\nRUN true\n"
BUILDS: list[tuple[str, Callable[[Lab], bytes], str]] = [
    ("tag-an-allowed-image", _build("t={image}", OK_FILE), "build"),
    ("tag-anothers", _build("t=s2/app", OK_FILE), "build"),
    ("tag-anothers-full", _build("t=docker.io/s2/app:latest", OK_FILE), "build"),
    ("tag-library", _build("t=busybox", OK_FILE), "build"),
    ("tag-mine-and-another", _build("t=s1/ok&t=s2/app", OK_FILE), "build"),
    ("tag-uppercase", _build("t=S1/app", OK_FILE), "images"),
    ("from-forbidden", _build("t=s1/a", "FROM {forbidden}\n"), "build"),
    ("from-forbidden-id", _build("t=s1/a", "FROM {fid}\n"), "build"),
    (
        "from-forbidden-short-id",
        _build("t=s1/a", "FROM {fid}\n".replace("{fid}", "{fid}")),
        "build",
    ),
    ("from-anothers-build", _build("t=s1/a", "FROM s2/app\n"), "build"),
    ("from-arg", _build("t=s1/a", "ARG B={forbidden}\nFROM $B\n"), "build"),
    ("from-arg-default", _build("t=s1/a", "ARG B\nFROM ${{B:-{forbidden}}}\n"), "build"),
    (
        "from-build-arg",
        _build(
            "t=s1/a&buildargs=" + quote(json.dumps({"B": FORBIDDEN})), "ARG B={image}\nFROM $B\n"
        ),
        "build",
    ),
    ("from-second-stage", _build("t=s1/a", "FROM {image} AS one\nFROM {forbidden}\n"), "build"),
    ("from-lowercase", _build("t=s1/a", "from {forbidden}\n"), "build"),
    ("from-continued", _build("t=s1/a", "FROM \\\n {forbidden}\n"), "build"),
    (
        "copy-from-forbidden",
        _build("t=s1/a", "FROM {image}\nCOPY --from={forbidden} /bin/sh /x\n"),
        "build",
    ),
    ("add-url", _build("t=s1/a", "FROM {image}\nADD http://127.0.0.1:1/x /x\n"), "build"),
    (
        "add-url-json",
        _build("t=s1/a", 'FROM {image}\nADD ["http://127.0.0.1:1/x", "/x"]\n'),
        "build",
    ),
    ("add-url-lowercase", _build("t=s1/a", "FROM {image}\nadd HTTP://127.0.0.1:1/x /x\n"), "build"),
    (
        "add-url-continued",
        _build("t=s1/a", "FROM {image}\nADD ht\\\ntp://127.0.0.1:1/x /x\n"),
        "build",
    ),
    (
        "add-url-comment-between",
        _build("t=s1/a", "FROM {image}\nADD \\\n# a comment\nhttp://127.0.0.1:1/x /x\n"),
        "build",
    ),
    ("add-git", _build("t=s1/a", "FROM {image}\nADD git@127.0.0.1:x/y.git /x\n"), "build"),
    (
        "add-variable",
        _build("t=s1/a", "FROM {image}\nARG U=http://127.0.0.1:1/x\nADD $U /x\n"),
        "build",
    ),
    (
        "add-backtick-escape",
        _build("t=s1/a", "# escape=`\nFROM {image}\nADD ht`\ntp://127.0.0.1:1/x /x\n"),
        "build",
    ),
    (
        "add-with-chown",
        _build("t=s1/a", "FROM {image}\nADD --chown=1 http://127.0.0.1:1/x /x\n"),
        "build",
    ),
    ("remote", _build("t=s1/a&remote=http://127.0.0.1:1/ctx.tar", OK_FILE), "build"),
    ("cgroupparent", _build("t=s1/a&cgroupparent=/", OK_FILE), "query"),
    ("buildkit", _build("t=s1/a&version=2", OK_FILE), "build"),
    ("network-host", _build("t=s1/a&networkmode=host", OK_FILE), "network"),
    ("network-container", _build("t=s1/a&networkmode=container:x", OK_FILE), "network"),
    ("memory", _build("t=s1/a&memory=68719476736", OK_FILE), "memory"),
    ("memswap-unlimited", _build("t=s1/a&memswap=-1", OK_FILE), "build"),
    ("shmsize", _build("t=s1/a&shmsize=68719476736", OK_FILE), "memory"),
    (
        "label-lab-key",
        _build("t=s1/a", "FROM {image}\nLABEL dockmagic.lab.student=s2\nRUN true\n"),
        "build",
    ),
    (
        "label-quoted",
        _build("t=s1/a", 'FROM {image}\nLABEL "dockmagic.lab.student"="s2"\n'),
        "build",
    ),
    (
        "label-escaped",
        _build("t=s1/a", "FROM {image}\nLABEL dockmagic\\.lab\\.student=s2\n"),
        "build",
    ),
    (
        "label-second-pair",
        _build("t=s1/a", "FROM {image}\nLABEL x=1 dockmagic.lab.student=s2\n"),
        "build",
    ),
    (
        "label-variable",
        _build("t=s1/a", "FROM {image}\nARG K=dockmagic.lab.student\nLABEL $K=s2\n"),
        "build",
    ),
    ("onbuild", _build("t=s1/a", "FROM {image}\nONBUILD ADD http://127.0.0.1:1/x /x\n"), "build"),
    ("dockerfile-outside", _build("t=s1/a&dockerfile=../Dockerfile", OK_FILE), "build"),
    ("dockerfile-absolute", _build("t=s1/a&dockerfile=/etc/passwd", OK_FILE), "build"),
    ("dockerfile-link", _build("t=s1/a", "", link=True), "build"),
    ("outputs", _build("t=s1/a&outputs=" + quote('[{"Type":"local"}]'), OK_FILE), "build"),
    ("squash", _build("t=s1/a&squash=1", OK_FILE), "build"),
    ("cachefrom", _build("t=s1/a&cachefrom=" + quote(json.dumps([FORBIDDEN])), OK_FILE), "build"),
]


@pytest.mark.parametrize(("case", "make", "rule"), BUILDS, ids=[b[0] for b in BUILDS])
def test_build_attempt_is_refused(
    lab: Lab, case: str, make: Callable[[Lab], bytes], rule: str
) -> None:
    if case == "memswap-unlimited":  # not refused: replaced by the policy's (no swap)
        status, message, _ = raw(lab, make(lab), wait=60)
        assert status == 200, message
        lab.assert_held()
        return
    _judge(lab, make(lab), f"refused:{rule}", wait=60)


def test_a_build_runs_within_the_policy(lab: Lab) -> None:
    """A student's build: its RUN steps get the lab's memory, its image the student's label (over a
    label the student wrote), and it may be run."""
    dockerfile = f"FROM {lab.image}\nRUN cat /sys/fs/cgroup/memory/memory.limit_in_bytes\n"
    out = lab.cli(
        "s1",
        "build",
        "-t",
        "s1/built",
        "--label",
        f"{STUDENT_LABEL}=s2",
        "--label",
        "mine=yes",
        "-",
        stdin=dockerfile,
    )
    assert out.returncode == 0, out.stderr
    assert str(128 << 20) in out.stdout  # the RUN step's memory limit is the lab's
    info = lab.engine.image_inspect("s1/built")
    assert (
        info["Config"]["Labels"][STUDENT_LABEL] == "s1"
        and info["Config"]["Labels"]["mine"] == "yes"
    )
    out = lab.cli("s1", "run", "--rm", "-l", f"{LABEL}=1", "s1/built", "echo", "ran")
    assert out.stdout.strip() == "ran", out.stderr
    assert (
        "s1/built" not in lab.cli("s2", "images", "--format", "{{.Repository}}").stdout
    )  # s2 does not see it
    lab.assert_held()


# -- 7. limits, on update as on create -------------------------------------------------------------

UPDATES = {
    "cpu-period-1000": ({"CpuPeriod": 1000}, "cpus"),
    "cpu-period-lowercase": ({"cpuperiod": 1000}, "cpus"),
    "cpu-quota-unlimited": ({"CpuQuota": -1}, "cpus"),
    "cpu-quota-huge": ({"CpuQuota": 10_000_000}, "cpus"),
    "nano-cpus-huge": ({"NanoCpus": 64 * 10**9}, "cpus"),
    "memory-huge": ({"Memory": 64 << 30}, "memory"),
    "memory-negative": ({"Memory": -1}, "memory"),
    "swap-unlimited": ({"MemorySwap": -1}, "memory"),
    "pids-unlimited": ({"PidsLimit": -1}, "pids"),
    "pids-zero": ({"PidsLimit": 0}, "pids"),
    "pids-huge": ({"PidsLimit": 100_000}, "pids"),
    "kernel-memory": ({"KernelMemory": 1 << 20}, "fields"),
    "oom-kill-disable": ({"OomKillDisable": True}, "memory"),
    "blkio": ({"BlkioWeight": 1000}, "fields"),
    "realtime": ({"CpuRealtimeRuntime": 1000}, "fields"),
    "devices": (
        {"Devices": [{"PathOnHost": "/dev/mem", "PathInContainer": "/dev/mem"}]},
        "devices",
    ),
    "cgroup-parent": ({"CgroupParent": "/"}, "paths"),
    "ulimits": ({"Ulimits": [{"Name": "nofile", "Soft": 10, "Hard": 10}]}, "ulimits"),
}


@pytest.mark.parametrize("case", list(UPDATES))
def test_update_stays_within_the_limits(lab: Lab, own: dict[str, str], case: str) -> None:
    body, rule = UPDATES[case]
    _judge(
        lab,
        request("POST", f"{V}/containers/{own['running']}/update", _json(body)),
        f"refused:{rule}",
    )


TOP_LEVEL = {  # HostConfig's fields written beside it: the engine still reads them (old clients)
    "privileged": {"Privileged": True},
    "binds": {"Binds": ["/:/host"]},
    "cap-add": {"CapAdd": ["SYS_ADMIN"]},
    "pid-mode": {"PidMode": "host"},
    "network-mode": {"NetworkMode": "host"},
    "memory": {"Memory": 64 << 30},
    "memory-swap": {"MemorySwap": -1},
    "cpu-quota": {"CpuQuota": -1},
    "devices": {"Devices": [{"PathOnHost": "/dev/mem", "PathInContainer": "/dev/mem"}]},
}


@pytest.mark.parametrize("version", [V, "/v1.23", ""])
@pytest.mark.parametrize("case", list(TOP_LEVEL))
def test_host_config_fields_beside_it_are_refused(lab: Lab, version: str, case: str) -> None:
    _judge(
        lab,
        request("POST", f"{version}/containers/create", _create_body(lab, {}, **TOP_LEVEL[case])),
        "refused:fields",
    )


CREATES = {
    "period-and-quota": ({"CpuPeriod": 1000, "CpuQuota": 100000}, "cpus"),
    "swap-unlimited": ({"MemorySwap": -1}, "memory"),
    "oom-score": ({"OomScoreAdj": -1000}, "memory"),
    "shm-size": ({"ShmSize": 64 << 30}, "memory"),
    "ulimit-nproc-unlimited": ({"Ulimits": [{"Name": "nproc", "Soft": -1, "Hard": -1}]}, "ulimits"),
    "ulimit-rtprio": ({"Ulimits": [{"Name": "rtprio", "Soft": 99, "Hard": 99}]}, "ulimits"),
    "masked-paths-empty": ({"MaskedPaths": []}, "paths"),
    "readonly-paths-empty": ({"ReadonlyPaths": []}, "paths"),
    "annotations": ({"Annotations": {"x": "y"}}, "fields"),
    "cgroupns-host": ({"CgroupnsMode": "host"}, "namespaces"),
    "ipc-container": ({"IpcMode": "container:{victim}"}, "namespaces"),
    "runtime": ({"Runtime": "io.containerd.runc.v2"}, "runtime"),
    "storage-opt": ({"StorageOpt": {"size": "1G"}}, "fields"),
    "propagation": ({"Binds": ["{shared}:/x:ro,rshared"]}, "binds"),
    "mount-propagation": (
        {
            "Mounts": [
                {
                    "Type": "bind",
                    "Source": "{shared}",
                    "Target": "/x",
                    "ReadOnly": True,
                    "BindOptions": {"Propagation": "rshared"},
                }
            ]
        },
        "binds",
    ),
    "nano-and-memory-as-float": ({"Memory": 1.5e8}, "json"),
    "mac-address": ({}, "network"),
}


@pytest.mark.parametrize("case", list(CREATES))
def test_create_stays_within_the_limits(lab: Lab, case: str) -> None:
    host, rule = CREATES[case]
    text = json.dumps(host).replace("{victim}", lab.victim).replace("{shared}", str(lab.shared))
    extra = {"MacAddress": "02:42:ac:11:00:02"} if case == "mac-address" else {}
    _judge(
        lab,
        request("POST", f"{V}/containers/create", _create_body(lab, json.loads(text), **extra)),
        f"refused:{rule}",
    )


def test_ten_creates_at_once_make_no_more_than_the_limit(lab: Lab) -> None:
    before = len(lab.mine("s1"))
    answers: list[int] = []

    def create() -> None:
        answers.append(raw(lab, request("POST", f"{V}/containers/create", _create_body(lab)))[0])

    threads = [threading.Thread(target=create) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    try:
        assert len(lab.mine("s1")) == lab.policy.containers, (before, answers)
        assert answers.count(201) == lab.policy.containers - before
        lab.assert_held()
    finally:
        for cid in lab.mine("s1")[: len(lab.mine("s1")) - before]:
            info = lab.engine.container_inspect(cid)
            if info["Config"]["Cmd"] == ["true"]:
                lab.engine.container_delete(cid, force=True)


# -- 8. leaks ------------------------------------------------------------------------------------


def test_image_lists_show_the_lab_and_ones_own(lab: Lab) -> None:
    for query in ("", "?all=1", "?digests=1"):
        status, _, _ = raw(lab, request("GET", f"{V}/images/json{query}"))
        assert status == 200
    listed = lab.cli("s1", "images", "--format", "{{.Repository}}:{{.Tag}}").stdout.split()
    assert lab.image in listed
    assert not [t for t in listed if t.startswith(("s2/", "forbidden/"))], listed
    history = lab.cli("s1", "history", "--no-trunc", lab.image)
    assert "s2/app" not in history.stdout


@pytest.mark.parametrize(
    "path",
    [
        "/images/{forbidden}/json",
        "/images/{forbidden}/history",
        "/images/s2/app/json",
        "/images/s2/app:latest/history",
        "/images/{fid}/json",
    ],
)
def test_images_not_the_students_are_absent(lab: Lab, path: str) -> None:
    _judge(
        lab,
        request("GET", V + path.format(forbidden=FORBIDDEN, fid=_forbidden_id(lab)[7:19])),
        "absent",
    )


def test_anothers_names_are_in_use_and_nothing_more(lab: Lab, own: dict[str, str]) -> None:
    cases = [
        (request("POST", f"{V}/volumes/create", _json({"Name": lab.s2_volume})), "volume"),
        (request("POST", f"{V}/networks/create", _json({"Name": lab.s2_network_name})), "network"),
        (
            request("POST", f"{V}/containers/create?name={lab.victim}", _create_body(lab)),
            "container",
        ),
        (request("POST", f"{V}/containers/{own['plain']}/rename?name={lab.victim}", b""), "rename"),
        (request("POST", f"{V}/containers/create?name=/{lab.victim}", _create_body(lab)), "slash"),
    ]
    for sent, what in cases:
        _, message, _ = _judge(lab, sent, "conflict")
        for secret in (
            lab.victim_id,
            lab.victim_id[:12],
            lab.s2_network,
            lab.s2_network[:12],
            "s2",
        ):
            assert secret not in message, (what, message)


def test_lists_never_show_another_by_filter(lab: Lab) -> None:
    for filters in (
        {"id": [lab.victim_id]},
        {"name": [lab.victim]},
        {"label": ["dockmagic.lab.student=s2"]},
    ):
        status, message, _ = raw(
            lab, request("GET", f"{V}/containers/json?all=1&filters=" + quote(json.dumps(filters)))
        )
        assert status == 200 and lab.victim_id not in message


# -- 9. pulls, and logs sent elsewhere --------------------------------------------------------------

PULLS = {
    "tag-replaced": "fromImage=demo:1.0&tag=latest",
    "no-tag-takes-all": "fromImage=demo",
    "other-tag": "fromImage=demo&tag=2",
    "digest": "fromImage=demo&tag=sha256:" + "a" * 64,
    "digest-in-name": "fromImage=demo:1.0@sha256:" + "a" * 64,
    "full-name-latest": "fromImage=docker.io/library/demo&tag=latest",
    "other-user": "fromImage=evil/demo:1.0",
    "registry-host": "fromImage=evil.example/demo:1.0",
    "uppercase": "fromImage=Demo:1.0",
    "import": "fromSrc=-&repo=demo&tag=1.0",
    "import-url": "fromSrc=http://127.0.0.1:1/x.tar&repo=demo",
}


@pytest.mark.parametrize("case", list(PULLS))
def test_pulls_are_what_the_policy_lists(lab: Lab, case: str) -> None:
    _judge(
        lab,
        request("POST", f"{V}/images/create?{PULLS[case]}", b""),
        "refused:images" if case != "import" else "refused",
    )


def test_a_listed_image_named_as_the_cli_names_it_passes(lab: Lab) -> None:
    """The docker CLI sends docker.io/library/NAME: the policy's 'demo:1.*' covers it (the engine then
    fails to reach a registry, which is not the proxy's refusal)."""
    status, message, _ = raw(
        lab, request("POST", f"{V}/images/create?fromImage=docker.io/library/demo&tag=1.0", b""), 30
    )
    assert status != 403, message


@pytest.mark.parametrize(
    "config",
    [
        {"Type": "syslog", "Config": {"syslog-address": "udp://127.0.0.1:514"}},
        {"Type": "gelf", "Config": {"gelf-address": "udp://127.0.0.1:12201"}},
        {"Type": "fluentd", "Config": {"fluentd-address": "127.0.0.1:24224"}},
        {"Type": "journald"},
        {"Type": "splunk", "Config": {"splunk-url": "http://127.0.0.1:1"}},
        {"Type": "json-file", "Config": {"labels": "x", "env": "SECRET"}},
    ],
)
def test_logs_stay_on_the_engine(lab: Lab, config: dict[str, Any]) -> None:
    _judge(
        lab,
        request("POST", f"{V}/containers/create", _create_body(lab, {"LogConfig": config})),
        "refused:logging",
    )


# -- 10. serving --------------------------------------------------------------------------------------


def test_many_idle_connections_do_not_end_the_service(lab: Lab) -> None:
    held = []
    try:
        for _ in range(300):
            s = socket.socket(socket.AF_UNIX)
            s.connect(lab.sock("s1"))
            held.append(s)
        assert (
            raw(lab, request("GET", f"{V}/_ping"), student="s2")[0] == 200
        )  # the other student is served
        assert raw(lab, request("GET", f"{V}/_ping"))[0] in (
            200,
            503,
            0,
        )  # over the cap: turned away, or queued
    finally:
        for s in held:
            s.close()
    # and after them, served again (once the proxy has seen them close: its own time on a busy machine)
    assert eventually(lambda: raw(lab, request("GET", f"{V}/_ping"))[0] == 200, limit=10)


def test_a_refusal_that_closes_says_so(lab: Lab) -> None:
    big = b'{"Image": "x", "Cmd": ["' + b"a" * (2 << 20) + b'"]}'
    status, _, headers = raw(lab, request("POST", f"{V}/containers/create", big))
    assert status == 403 and headers.get("connection") == "close"


def test_a_refusal_read_whole_keeps_the_connection(lab: Lab) -> None:
    s = socket.socket(socket.AF_UNIX)
    s.connect(lab.sock("s1"))
    try:
        body = _create_body(lab, {"Privileged": True})
        s.sendall(request("POST", f"{V}/containers/create", body) + request("GET", f"{V}/_ping"))
        data = b""
        deadline = time.monotonic() + 10
        while data.count(b"HTTP/1.1") < 2 and time.monotonic() < deadline:
            data += s.recv(65536)
        assert (
            data.count(b"HTTP/1.1 ") == 2
            and b"HTTP/1.1 403" in data
            and data.rstrip().endswith(b"OK")
        ), data
    finally:
        s.close()


def test_the_lab_speaks_one_api_version(lab: Lab) -> None:
    for version in ("", "/v1.24", "/v1.99"):
        status, _, headers = raw(lab, request("GET", f"{version}/_ping"))
        assert status == 200 and headers.get("api-version") == "1.41"
    status, message, _ = raw(lab, request("GET", f"{V}/containers/json?size=1&bogus=1"))
    assert status == 403 and "bogus" in message


def test_the_corpus_is_big_enough() -> None:
    counted = (
        len(_VERSIONS) * len(_START_BODIES)
        + len(_FORMS) * len(_FORM_TYPES)
        + 1
        + 5
        + 1
        + 1
        + 2
        + len(_ENDPOINT_CASES)
        + 3
        + 3
        + 2
        + 1
        + 3
        + len(BUILDS)
        + len(UPDATES)
        + 3 * len(TOP_LEVEL)
        + len(CREATES)
        + 1
        + 3
        + 5
        + 5
        + 3
        + len(PULLS)
        + 1
        + 6
        + 4
        + len(IMAGE_OPS)
    )
    from . import test_lab

    counted += (
        len(test_lab.CLI_ATTEMPTS) + len(test_lab.HIDDEN_ATTEMPTS) + len(test_lab.RAW_ATTEMPTS)
    )
    print(f"the bypass corpus: {counted} attempts")
    assert counted >= 250, counted


# -- 11. generated bodies: whatever passes is, as the engine keeps it, within the policy ----------

_STRINGS = [
    "",
    "host",
    "/",
    "/:/h",
    "/etc:/x:ro",
    "container:{victim}",
    "SYS_ADMIN",
    "ALL",
    "unconfined",
    "seccomp=unconfined",
    "bridge",
    "none",
    "private",
    "shareable",
    "json-file",
    "syslog",
    "{shared}:/x:ro",
    "{work}:/w",
    "{work}/sub:/x:ro",
    "{s2net}",
    "rshared",
    "/dev/mem",
    "no-new-privileges",
    "runc",
]
_NUMBERS = [0, -1, 1, 1000, 100_000, 128 << 20, 1 << 40, 10**12]


def _values(shape: Any, depth: int = 0) -> Any:
    from hypothesis import strategies as st

    if shape == "string" or shape == "any":
        return st.sampled_from(_STRINGS)
    if shape == "integer" or shape == "number":
        return st.sampled_from(_NUMBERS)
    if shape == "boolean":
        return st.booleans()
    if not isinstance(shape, dict) or depth > 3:
        return st.none()
    if shape.get("type") == "array":
        return st.lists(_values(shape["items"], depth + 1), max_size=2)
    props = shape.get("props") or {}
    if not props:
        return st.dictionaries(
            st.sampled_from(_STRINGS[1:6]),
            _values(shape.get("extra", "string"), depth + 1),
            max_size=2,
        )
    return st.dictionaries(st.sampled_from(sorted(props)), st.none(), max_size=3).flatmap(
        lambda keys: st.fixed_dictionaries({k: _values(props[k], depth + 1) for k in keys})
    )


def _spelled(draw: Any, body: dict[str, Any]) -> dict[str, Any]:
    from hypothesis import strategies as st

    casing = draw(st.sampled_from(["as-is", "lower", "upper"]))
    change = {"as-is": str, "lower": str.lower, "upper": str.upper}[casing]
    return {change(k): v for k, v in body.items()}


def test_generated_creates_that_pass_are_within_the_policy(lab: Lab, own: dict[str, str]) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from dockmagic.lab.schema import operations

    host_shape = operations()["ContainerCreate"]["body"]["props"]["HostConfig"]
    passed: list[int] = []

    @st.composite
    def bodies(draw: Any) -> dict[str, Any]:
        host = draw(_values(host_shape))
        top = draw(
            st.dictionaries(
                st.sampled_from(["Privileged", "Binds", "MemorySwap", "PidMode", "User"]),
                st.sampled_from([True, ["/:/h"], -1, "host", "root"]),
                max_size=1,
            )
        )
        text = json.dumps(host).replace("{victim}", lab.victim).replace("{shared}", str(lab.shared))
        text = text.replace("{work}", str(lab.work)).replace("{s2net}", lab.s2_network)
        body = {
            "Image": lab.image,
            "Cmd": ["true"],
            "Labels": {LABEL: "1"},
            "HostConfig": _spelled(draw, json.loads(text)),
        }
        return {**body, **top}

    @settings(
        max_examples=int(os.environ.get("LAB_EXAMPLES", "120")),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=not os.environ.get("LAB_EXAMPLES"),
    )
    @given(bodies())
    def check(body: dict[str, Any]) -> None:
        status, message, _ = raw(lab, request("POST", f"{V}/containers/create", _json(body)))
        if status == 201:
            passed.append(1)
            cid = json.loads(message)["Id"]
            try:
                lab.assert_held()
            finally:
                lab.engine.container_delete(cid, force=True)
        else:
            assert status in (400, 403, 404, 409, 500), (status, message)
            lab.assert_held()

    check()
    print(f"generated creates: {len(passed)} passed the proxy, each within the policy")


def test_generated_updates_that_pass_are_within_the_policy(lab: Lab, own: dict[str, str]) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from dockmagic.lab.schema import operations

    shape = operations()["ContainerUpdate"]["body"]
    passed: list[int] = []

    @settings(
        max_examples=int(os.environ.get("LAB_EXAMPLES", "80")),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=not os.environ.get("LAB_EXAMPLES"),
    )
    @given(_values(shape), st.sampled_from([str, str.lower]))
    def check(body: dict[str, Any], spell: Any) -> None:
        sent = {spell(k): v for k, v in body.items()}
        status, message, _ = raw(
            lab, request("POST", f"{V}/containers/{own['running']}/update", _json(sent))
        )
        passed.append(status == 200)
        assert status < 500 or (status == 500 and "lab policy" not in message), (status, message)
        lab.assert_held()

    check()
    print(
        f"generated updates: {sum(passed)} of {len(passed)} passed the proxy, each within the policy"
    )


# -- 12. image operations within the student's namespace, and a registry ----------------------------


IMAGE_OPS = [
    (
        "tag-over-allowed",
        "POST",
        "/images/{image}/tag?repo=dockmagic-test/busybox&tag=evil",
        "refused:images",
    ),
    ("tag-into-anothers", "POST", "/images/{image}/tag?repo=s2/app&tag=latest", "refused:images"),
    ("tag-anothers-image", "POST", "/images/s2/app/tag?repo=s1/stolen&tag=1", "absent"),
    ("tag-forbidden-image", "POST", "/images/{forbidden}/tag?repo=s1/stolen&tag=1", "absent"),
    ("tag-elsewhere", "POST", "/images/{image}/tag?repo=evil.example/s1/x&tag=1", "refused:images"),
    ("push-anothers", "POST", "/images/s2/app/push?tag=latest", "refused:images"),
    ("push-allowed", "POST", "/images/{image}/push", "refused:images"),
    ("remove-allowed", "DELETE", "/images/{image}?force=1", "refused:images"),
    ("remove-anothers", "DELETE", "/images/s2/app", "refused:images"),
    ("remove-by-id", "DELETE", "/images/{image_id}?force=1", "refused:images"),
    ("commit-anothers", "POST", "/commit?container={victim}&repo=s1/c", "absent"),
    (
        "commit-over-allowed",
        "POST",
        "/commit?container={running}&repo=dockmagic-test/busybox",
        "refused:images",
    ),
    (
        "commit-with-changes",
        "POST",
        "/commit?container={running}&repo=s1/c&changes=LABEL+dockmagic.lab.student%3Ds2",
        "refused:images",
    ),
    ("search-loopback", "GET", "/images/search?term=127.0.0.1:1/x", "refused:images"),
]


@pytest.mark.parametrize(
    ("case", "method", "path", "expect"), IMAGE_OPS, ids=[c[0] for c in IMAGE_OPS]
)
def test_image_operations_stay_in_ones_namespace(
    lab: Lab, own: dict[str, str], case: str, method: str, path: str, expect: str
) -> None:
    image_id = lab.engine.image_inspect(lab.image)["Id"].removeprefix("sha256:")[:12]
    target = path.format(
        image=lab.image, forbidden=FORBIDDEN, victim=lab.victim, image_id=image_id, **own
    )
    _judge(lab, request(method, V + target, b""), expect)


def test_a_student_tags_pushes_pulls_commits_and_removes_their_own(
    lab: Lab, own: dict[str, str], registry: Any
) -> None:
    """Through the docker CLI: an allowed image pulled from the lab's registry (named as the CLI
    names it), tagged into the student's namespace there, pushed, removed, pulled back; a commit."""
    pushed = lab.engine.image_tag(lab.image, f"{registry.address}/dockmagic-test/busybox", "lab")
    del pushed
    for _ in lab.engine.image_push(f"{registry.address}/dockmagic-test/busybox", "lab"):
        pass
    lab.engine.image_delete(f"{registry.address}/dockmagic-test/busybox:lab")
    mine = f"{registry.address}/s1/tool:1"
    try:
        steps = [
            ("pull", f"{registry.address}/dockmagic-test/busybox:lab"),
            ("tag", f"{registry.address}/dockmagic-test/busybox:lab", mine),
            ("push", mine),
            ("rmi", mine),
            ("pull", mine),
            ("commit", own["running"], "s1/committed:1"),
            ("rmi", "s1/committed:1"),
        ]
        for step in steps:
            out = lab.cli("s1", *step)
            assert out.returncode == 0, (step, out.stderr)
        lab.assert_held()
    finally:
        for tag in (mine, f"{registry.address}/dockmagic-test/busybox:lab"):
            try:
                lab.engine.image_delete(tag, force=True)
            except Exception:
                pass


def test_an_anonymous_volume_is_the_makers_whatever_its_labels_say(lab: Lab) -> None:
    mount = {
        "Type": "volume",
        "Target": "/x",
        "VolumeOptions": {"Labels": {STUDENT_LABEL: "s2", "k": "v"}},
    }
    status, message, _ = raw(
        lab, request("POST", f"{V}/containers/create", _create_body(lab, {"Mounts": [mount]}))
    )
    assert status == 201, message
    cid = json.loads(message)["Id"]
    try:
        name = lab.engine.container_inspect(cid)["Mounts"][0]["Name"]
        labels = lab.engine.volume_inspect(name)["Labels"]
        assert labels[STUDENT_LABEL] == "s1" and labels["k"] == "v"
        assert name not in lab.cli("s2", "volume", "ls", "-q").stdout
        lab.assert_held()
    finally:
        lab.engine.container_delete(cid, force=True, v=True)


def test_events_through_the_cli_show_ones_own(lab: Lab, own: dict[str, str]) -> None:
    """The docker CLI writes event filters as {value: true} maps: the student's label joins them in
    a form the engine reads, and only their own containers' events come back."""
    out = lab.cli(
        "s1",
        "events",
        "--since",
        "10m",
        "--until",
        "1s",
        "--filter",
        "type=container",
        "--format",
        "{{json .Actor.Attributes}}",
    )
    assert out.returncode == 0, out.stderr
    students = {json.loads(line).get(STUDENT_LABEL) for line in out.stdout.splitlines()}
    assert students == {"s1"}, students
    for filters in ({"type": {"container": True}, "label": {"x": False}}, {"type": [1]}):
        status, message, _ = raw(
            lab, request("GET", f"{V}/events?until=1&filters=" + quote(json.dumps(filters)))
        )
        assert status == 403 and "filter" in message, (status, message)
