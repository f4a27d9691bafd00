"""The lab proxy on the real engine: students work through their endpoints with the docker CLI and
dockmagic; a bypass corpus, through the CLI and as raw HTTP, gets nothing through; refusals are one
line naming the rule; another student's resources answer as if absent."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import dockmagic
from dockmagic.engine import Engine
from dockmagic.errors import APIError
from dockmagic.lab.policy import STUDENT_LABEL, PolicyError, parse
from dockmagic.lab.proxy import LabProxy
from dockmagic.lab.view import plot, status

from .lab_support import STUDENTS, Lab, make_lab, raw, request
from .support import LABEL


@pytest.fixture(scope="module")
def lab(engine: Engine, image: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    yield from make_lab(engine, image, tmp_path_factory.mktemp("lab"))


# -- working through the lab ------------------------------------------------------------------------


def test_a_student_works_with_the_cli(lab: Lab, engine: Engine, image: str) -> None:
    out = lab.cli(
        "s1",
        "run",
        "--rm",
        "-l",
        f"{LABEL}=1",
        image,
        "sh",
        "-c",
        "echo hi; cat /sys/fs/cgroup/pids/pids.max",
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["hi", "128"]  # the lab's default pids limit was applied
    name = f"work-{os.getpid()}"
    assert (
        lab.cli(
            "s1",
            "run",
            "-d",
            "--name",
            name,
            "-l",
            f"{LABEL}=1",
            "-v",
            f"{lab.shared}:/data:ro",
            image,
            "sleep",
            "300",
        ).returncode
        == 0
    )
    try:
        assert lab.cli("s1", "exec", name, "cat", "/data/notes.txt").stdout == "read me\n"
        assert (
            lab.cli("s1", "exec", "-i", name, "cat", stdin="through stdin\n").stdout
            == "through stdin\n"
        )
        listed = lab.cli("s1", "ps", "-a", "--format", "{{.Names}}").stdout.split()
        assert name in listed and lab.victim not in listed  # s2's container is not in s1's list
        assert (
            lab.cli("s1", "cp", f"{name}:/data/notes.txt", str(lab.folder / "back.txt")).returncode
            == 0
        )
        assert (lab.folder / "back.txt").read_text() == "read me\n"
        assert lab.cli("s1", "logs", name).returncode == 0
        info = engine.container_inspect(name)
        assert info["Config"]["Labels"][STUDENT_LABEL] == "s1"
        assert info["HostConfig"]["Memory"] == 128 << 20 and info["HostConfig"]["NanoCpus"] == 10**9
        refused = lab.cli("s1", "exec", "--privileged", name, "true")
        assert refused.returncode != 0 and "lab policy (privileged)" in refused.stderr
        refused = lab.cli("s1", "update", "--memory", "64g", name)
        assert refused.returncode != 0 and "lab policy (memory)" in refused.stderr
    finally:
        lab.cli("s1", "rm", "-f", name)


def test_dockmagic_works_through_the_lab(lab: Lab, image: str) -> None:
    student = Engine(f"unix://{lab.sock('s1')}")
    try:
        result = dockmagic.run(
            image,
            "echo through the lab",
            remove=True,
            quiet=True,
            labels={LABEL: "1"},
            engine=student,
        )
        assert result.stdout == "through the lab\n" and result.exit_code == 0
        assert lab.victim not in [
            r["Names"][0].lstrip("/") for r in student.container_list(all=True)
        ]
        with pytest.raises(APIError, match=r"lab policy \(privileged\)"):
            dockmagic.run(image, "true", privileged=True, quiet=True, engine=student)
    finally:
        student.close()


def test_the_instructor_sees_the_class(lab: Lab) -> None:
    table = status(lab.proxy.policy, lab.proxy)
    rows = {r["Student"]: r for r in table}
    assert rows["s2"]["Containers"] >= 1 and rows["s2"]["Running"] >= 1
    assert isinstance(rows["s1"]["Refused"], int) and rows["s1"]["Last"] != "-"
    figure = plot(table)
    assert (
        len(figure.axes) == 2
        and [t.get_text() for t in figure.axes[0].get_yticklabels()] == STUDENTS
    )


# -- the bypass corpus ----------------------------------------------------------------------------

# (id, docker CLI arguments for s1; {victim}, {shared}, {net}, {vol} filled in, the rule named)
CLI_ATTEMPTS: list[tuple[str, str, str]] = [
    ("privileged", "run --privileged {image} true", "privileged"),
    ("cap-all", "run --cap-add ALL {image} true", "capabilities"),
    ("cap-sys-admin", "run --cap-add SYS_ADMIN {image} true", "capabilities"),
    ("bind-root", "run -v /:/host {image} true", "binds"),
    ("bind-socket", "run -v /var/run/docker.sock:/var/run/docker.sock {image} true", "binds"),
    ("bind-rw", "run -v {shared}:/data {image} true", "binds"),
    ("bind-dotdot", "run -v {shared}/../..:/data:ro {image} true", "binds"),
    ("mount-bind", "run --mount type=bind,src=/etc,dst=/x {image} true", "binds"),
    (
        "mount-volume-bind",
        "run --mount type=volume,dst=/y,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=/ {image} true",
        "volumes",
    ),
    ("net-host", "run --network host {image} true", "network"),
    ("net-container", "run --network container:{victim} {image} true", "network"),
    ("net-other", "run --network {net} {image} true", "network"),
    ("pid-host", "run --pid host {image} true", "namespaces"),
    ("ipc-host", "run --ipc host {image} true", "namespaces"),
    ("uts-host", "run --uts host {image} true", "namespaces"),
    ("userns-host", "run --userns host {image} true", "namespaces"),
    ("pid-container", "run --pid container:{victim} {image} true", "namespaces"),
    ("device", "run --device /dev/mem {image} true", "devices"),
    ("memory", "run -m 64g {image} true", "memory"),
    ("cpus", "run --cpus 16 {image} true", "cpus"),
    ("pids", "run --pids-limit 100000 {image} true", "pids"),
    ("seccomp", "run --security-opt seccomp=unconfined {image} true", "security-opt"),
    ("apparmor", "run --security-opt apparmor=unconfined {image} true", "security-opt"),
    ("sysctl", "run --sysctl net.ipv4.ip_forward=1 {image} true", "sysctls"),
    ("port", "run -p 80:80 {image} true", "ports"),
    ("port-all", "run -P --expose 80 {image} true", "ports"),
    ("volumes-from", "run --volumes-from {victim} {image} true", "volumesfrom"),
    ("volume-other", "run -v {vol}:/v {image} true", "volumes"),
    ("cgroup-parent", "run --cgroup-parent / {image} true", "paths"),
    ("runtime", "run --runtime io.containerd.runc.v1 {image} true", "runtime"),
    ("image", "run --pull never busybox:musl true", "images"),
    ("pull", "pull evil/miner:latest", "images"),
    (
        "volume-driver-opts",
        "volume create --opt type=none --opt o=bind --opt device=/etc evilvol",
        "volumes",
    ),
    ("network-driver", "network create -d macvlan evilnet", "network"),
    ("build-host-network", "build --network host -", "network"),
    ("swarm", "swarm init", "operations"),
    ("image-rm", "rmi {image}", "images"),
]
HIDDEN_ATTEMPTS: list[tuple[str, str]] = [
    ("inspect-name", "inspect --type container {victim}"),
    ("inspect-prefix", "inspect --type container {victim_prefix}"),
    ("cp-out", "cp {victim}:/etc/hostname -"),
    ("cp-in", "cp {shared}/notes.txt {victim}:/tmp/"),
    ("export", "export {victim}"),
    ("logs", "logs {victim}"),
    ("exec", "exec {victim} true"),
    ("rm", "rm {victim}"),
    ("kill", "kill {victim}"),
    ("stop", "stop {victim}"),
    ("stats", "stats --no-stream {victim}"),
    ("attach", "attach {victim}"),
    ("top", "top {victim}"),
    ("rename", "rename {victim} mine-now"),
    ("network-connect", "network connect {net} {victim}"),
    ("network-rm", "network rm {net}"),
    ("volume-rm", "volume rm {vol}"),
]


def _fill(text: str, lab: Lab, image: str) -> list[str]:
    return text.format(
        image=image,
        victim=lab.victim,
        victim_prefix=lab.victim_id[:10],
        shared=lab.shared,
        net=lab.s2_network,
        vol=lab.s2_volume,
    ).split()


@pytest.mark.parametrize(("case", "args", "rule"), CLI_ATTEMPTS, ids=[c[0] for c in CLI_ATTEMPTS])
def test_cli_attempt_is_refused(
    lab: Lab, engine: Engine, image: str, case: str, args: str, rule: str
) -> None:
    before = lab.mine()
    out = lab.cli("s1", *_fill(args, lab, image), stdin="FROM scratch\n")
    assert out.returncode != 0, f"{case} got through: {out.stdout}"
    said = [line for line in out.stderr.splitlines() if "Error response from daemon" in line]
    assert said and f"lab policy ({rule})" in said[0], out.stderr
    assert lab.mine() == before  # nothing was made


@pytest.mark.parametrize(("case", "args"), HIDDEN_ATTEMPTS, ids=[c[0] for c in HIDDEN_ATTEMPTS])
def test_another_students_resources_are_absent(
    lab: Lab, engine: Engine, image: str, case: str, args: str
) -> None:
    out = lab.cli("s1", *_fill(args, lab, image))
    assert out.returncode != 0, f"{case} got through: {out.stdout[:200]}"
    assert "no such" in out.stderr.lower() or "not found" in out.stderr, out.stderr
    assert engine.container_inspect(lab.victim)["State"]["Running"]  # untouched
    assert engine.container_inspect(lab.victim)["Name"] == f"/{lab.victim}"


def _raw(lab: Lab, request: bytes, wait: float = 10) -> tuple[int, str]:
    return raw(lab, request, wait)[:2]


def _create(fields: str) -> Any:
    """A raw create of the test image with ``fields`` ({lab.*} filled in)."""

    def make(image: str, lab: Lab) -> bytes:
        body = '{"Image": "' + image + '", "Cmd": ["true"], ' + fields.format(lab=lab) + "}"
        return request("POST", "/v1.41/containers/create", body.encode())

    return make


def _rawrequest(method: str, path: str, body: bytes | None = b"", extra: str = "") -> Any:
    return lambda image, lab: request(method, path.format(lab=lab), body, extra)


PRIVILEGED = '"HostConfig": {{"Privileged": true}}'
CREATE = "/v1.41/containers/create"
UPGRADE = "Connection: Upgrade\r\nUpgrade: tcp\r\n"


def _chunked_privileged(image: str, lab: Lab) -> bytes:
    body = _create(PRIVILEGED)(image, lab).split(b"\r\n\r\n", 1)[1]
    pieces = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in (body[:30], body[30:]))
    return request("POST", CREATE, None, "Transfer-Encoding: chunked\r\n") + pieces + b"0\r\n\r\n"


def _framed(length: int) -> Any:
    """A create whose Content-Length is not the body's."""

    def make(image: str, lab: Lab) -> bytes:
        body = _create(PRIVILEGED)(image, lab).split(b"\r\n\r\n", 1)[1]
        return (
            f"POST {CREATE} HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\n".encode() + body
        )

    return make


def _both_framings(image: str, lab: Lab) -> bytes:
    return _create(PRIVILEGED)(image, lab).replace(
        b"Host: x\r\n", b"Host: x\r\nTransfer-Encoding: chunked\r\n"
    )


# (id, request bytes from (image, lab), the rule named; "absent" for a 404, "" for "no answer or
# 400": what is not read whole is never passed on)
RAW_ATTEMPTS: list[tuple[str, Any, str]] = [
    ("lowercase-field", _create('"HostConfig": {{"privileged": true}}'), "privileged"),
    ("lowercase-object", _create('"hostconfig": {{"Privileged": true}}'), "privileged"),
    ("odd-case", _create('"hOsTcOnFiG": {{"PRIVILEGED": true}}'), "privileged"),
    ("duplicate-key", _create('"HostConfig": {{"Privileged": false, "Privileged": true}}'), "json"),
    ("duplicate-case", _create('"HostConfig": {{}}, "hostConfig": {{"Privileged": true}}'), "json"),
    ("non-ascii-key", _create('"HostConfig": {{"Sysctl\u017f": {{"kernel.x": "1"}}}}'), "json"),
    ("oversized", _rawrequest("POST", CREATE, b'{"Image": "' + b"a" * (2 << 20) + b'"}'), "body"),
    ("empty-body", _rawrequest("POST", CREATE, b""), "images"),
    ("not-json", _rawrequest("POST", CREATE, b"{'Image': 1}"), "json"),
    ("chunked-privileged", _chunked_privileged, "privileged"),
    ("both-framings", _both_framings, ""),
    ("lying-length", _framed(5000), ""),
    ("short-length", _framed(20), "json"),
    ("dotdot", _rawrequest("POST", "/v1.41/containers/../containers/create", b"{}"), "path"),
    ("double-slash", _rawrequest("POST", "//v1.41/containers/create", b"{}"), "path"),
    (
        "encoded-slash",
        lambda i, lab: _create(PRIVILEGED)(i, lab).replace(
            b"containers/create", b"containers%2Fcreate"
        ),
        "privileged",
    ),
    (
        "encoded-dotdot",
        _rawrequest("GET", "/v1.41/containers/{lab.victim}%2F..%2F..%2Fjson"),
        "path",
    ),
    ("double-encoded", _rawrequest("GET", "/v1.41/containers/%252e%252e/json"), "path"),
    ("two-versions", _rawrequest("POST", "/v1.41/v1.41/containers/create", b"{}"), "path"),
    ("unknown-path", _rawrequest("POST", "/v1.41/swarm/init", b"{}"), "operations"),
    ("plugins", _rawrequest("POST", "/v1.41/plugins/pull?remote=evil", b"[]"), "operations"),
    ("wrong-method", _rawrequest("PUT", CREATE, b"{}"), "operations"),
    (
        "exec-other",
        _rawrequest("POST", "/v1.41/containers/{lab.victim}/exec", b'{"Cmd": ["id"]}'),
        "absent",
    ),
    (
        "archive-other",
        _rawrequest("GET", "/v1.41/containers/{lab.victim}/archive?path=/etc/passwd"),
        "absent",
    ),
    (
        "archive-prefix",
        _rawrequest("GET", "/v1.41/containers/{lab.prefix}/archive?path=/"),
        "absent",
    ),
    (
        "attach-other",
        _rawrequest(
            "POST", "/v1.41/containers/{lab.victim}/attach?stream=1&stdout=1", b"", UPGRADE
        ),
        "absent",
    ),
    (
        "duplicate-filters",
        _rawrequest("GET", '/v1.41/containers/json?filters={{}}&filters={{"label":["x"]}}'),
        "query",
    ),
    (
        "pull-duplicate",
        _rawrequest("POST", "/v1.41/images/create?fromImage=evil&fromImage=dockmagic-test/x"),
        "query",
    ),
    (
        "import",
        _rawrequest("POST", "/v1.41/images/create?fromSrc=-&repo=dockmagic-test/x"),
        "images",
    ),
    (
        "mount-lowercase",
        _create('"HostConfig": {{"mounts": [{{"type": "bind", "source": "/", "target": "/h"}}]}}'),
        "binds",
    ),
    ("masked-paths", _create('"HostConfig": {{"MaskedPaths": []}}'), "paths"),
    (
        "endpoint-other",
        _create('"NetworkingConfig": {{"EndpointsConfig": {{"{lab.s2_network}": {{}}}}}}'),
        "network",
    ),
    (
        "security-opt-label",
        _create('"HostConfig": {{"SecurityOpt": ["label:disable"]}}'),
        "security-opt",
    ),
    (
        "network-ingress",
        _rawrequest("POST", "/v1.41/networks/create", b'{"Name": "evil", "Ingress": true}'),
        "network",
    ),
    (
        "network-subnet",  # a subnet that shadows the host's own network
        _rawrequest(
            "POST",
            "/v1.41/networks/create",
            b'{"Name": "evil", "IPAM": {"Config": [{"Subnet": "192.0.2.0/24"}]}}',
        ),
        "network",
    ),
    (
        "network-bridge-name",
        _rawrequest(
            "POST",
            "/v1.41/networks/create",
            b'{"Name": "evil", "Options": {"com.docker.network.bridge.name": "eth0"}}',
        ),
        "network",
    ),
    ("volume-driver", _create('"HostConfig": {{"VolumeDriver": "evil"}}'), "volumes"),
    ("binds-as-text", _create('"HostConfig": {{"Binds": "/:/host"}}'), "json"),
    ("caps-as-number", _create('"HostConfig": {{"CapAdd": 5}}'), "json"),
    ("ports-as-list", _create('"HostConfig": {{"PortBindings": [1]}}'), "json"),
    ("memory-as-text", _create('"HostConfig": {{"Memory": "lots"}}'), "json"),
    (
        "exec-privileged-lowercase",
        _rawrequest(
            "POST", "/v1.41/containers/{lab.victim}/exec", b'{"Cmd": ["id"], "privileged": true}'
        ),
        "absent",
    ),
]


@pytest.mark.parametrize(("case", "make", "rule"), RAW_ATTEMPTS, ids=[c[0] for c in RAW_ATTEMPTS])
def test_raw_attempt_is_refused(
    lab: Lab, engine: Engine, image: str, case: str, make: Any, rule: str
) -> None:
    before = lab.mine()
    status, message = _raw(lab, make(image, lab), wait=3 if case == "lying-length" else 10)
    if rule == "absent":
        assert status == 404 and "No such" in message, (status, message)
    elif rule:
        assert status == 403 and message.startswith(f"lab policy ({rule})"), (status, message)
        assert "\n" not in message
    else:
        assert status in (0, -1, 400), (status, message)  # not read whole: never passed on
    assert lab.mine() == before


def test_the_corpus_is_big_enough() -> None:
    assert len(CLI_ATTEMPTS) + len(HIDDEN_ATTEMPTS) + len(RAW_ATTEMPTS) >= 40


def test_a_bad_policy_is_one_line() -> None:
    for bad, said in [
        ({"students": []}, "at least one student"),
        ({"students": ["A B"]}, "student name"),
        (
            {"students": ["s1"], "limits": {"memory": {"max": "1g", "default": "2g"}}},
            "default <= max",
        ),
        ({"students": ["s1"], "capabilites": []}, "unknown setting 'capabilites'"),
        ({"students": ["s1"], "operations": ["Rootkit"]}, "unknown operation"),
        ({"students": ["s1"], "ports": "70000"}, "between 1 and 65535"),
        ({"students": ["s1"], "binds": [{"host": "/"}]}, "other than /"),
    ]:
        with pytest.raises(PolicyError, match=said) as exc:
            parse(bad)
        assert "\n" not in str(exc.value)


# -- a class at work: six kernels at once ---------------------------------------------------------

_STUDENT_CELLS = [
    "%load_ext dockmagic",
    "import os, dockmagic\nme = os.environ['LAB_STUDENT']\nimage = os.environ['LAB_IMAGE']",
    f"%docker run --rm -l {LABEL}=1 $image echo hello from $me",
    f"%docker run -d --name $me-web -l {LABEL}=1 $image sleep 120",
    "mine = %docker ps -q\nassert len(mine) == 1, mine",
    "%docker exec $me-web hostname",
    "try:\n    dockmagic.run(image, 'true', privileged=True)\n    raise AssertionError('privileged got through')\n"
    "except dockmagic.APIError as refused:\n    assert 'lab policy (privileged)' in str(refused), refused",
    "%docker rm -f $me-web",
]
_RUN_NOTEBOOK = (
    "import json, sys, time; from pathlib import Path; from tools.notebooks import errors, execute\n"
    "started = time.monotonic(); nb = execute(Path(sys.argv[1]), cwd=Path(sys.argv[2]), timeout=120)\n"
    "print(json.dumps({'errors': errors(nb), 'seconds': time.monotonic() - started}))\n"
)


def test_six_kernels_work_through_their_endpoints_at_once(
    engine: Engine, image: str, tmp_path: Path
) -> None:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    students = [f"k{i}" for i in range(1, 7)]
    endpoints = str(tmp_path / "{student}.sock")
    policy = parse({"students": students, "endpoints": endpoints, "images": ["dockmagic-test/*"]})
    notebook = tmp_path / "student.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell(c) for c in _STUDENT_CELLS]), notebook)
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    root = Path(__file__).parents[1]
    with LabProxy(policy).start() as proxy:
        runs = []
        for student in students:
            work = tmp_path / student
            work.mkdir()
            env = {
                **os.environ,
                "DOCKER_HOST": f"unix://{policy.endpoint(student)}",
                "LAB_STUDENT": student,
                "LAB_IMAGE": image,
                "XDG_RUNTIME_DIR": str(runtime),
                "DOCKMAGIC_REAPER_IDLE": "3",
                "PYTHONPATH": str(root),
            }
            runs.append(
                subprocess.Popen(
                    [sys.executable, "-c", _RUN_NOTEBOOK, str(notebook), str(work)],
                    env=env,
                    cwd=root,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        results = []
        for run in runs:
            out, err = run.communicate(timeout=300)
            assert out.strip(), f"a kernel's notebook did not finish: {err[-2000:]}"
            results.append(json.loads(out.strip().splitlines()[-1]))
        assert all(not r["errors"] for r in results), [r["errors"] for r in results]
        print("six kernels at once, seconds each:", sorted(round(r["seconds"], 1) for r in results))
        assert proxy.activity["k1"].requests > 0 and proxy.activity["k1"].refused == 1
    for student in students:  # nothing left: not a container, network or volume of any of them
        assert not engine.container_list(
            all=True, filters={"label": [f"{STUDENT_LABEL}={student}"]}
        )


def test_a_killed_kernel_behind_the_proxy_is_reaped_quickly(
    lab: Lab, engine: Engine, tmp_path: Path
) -> None:
    """A student's kernel killed with -9 in the middle of a foreground run: its reaper, talking
    through the proxy, removes what it made (the proxy's refusals and closes never cost it retries)."""
    from jupyter_client.manager import KernelManager

    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = {
        **os.environ,
        "DOCKER_HOST": f"unix://{lab.sock('s1')}",
        "XDG_RUNTIME_DIR": str(runtime),
        "DOCKMAGIC_REAPER_IDLE": "3",
    }
    km = KernelManager(kernel_name="python3")
    km.start_kernel(cwd=str(tmp_path), env=env)
    client = km.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        code = (
            f"%load_ext dockmagic\n%config DockerMagics.labels = {{'{LABEL}': '1'}}\nimport os\n"
            f"%docker run -d {lab.image} sleep 300\nprint(os.getpid())"
        )
        out: list[str] = []
        reply = client.execute_interactive(
            code, timeout=60, output_hook=lambda m: out.append(m["content"].get("text", ""))
        )
        assert reply["content"]["status"] == "ok", reply["content"]
        pid = int("".join(out).split()[-1])
        client.execute(f"%docker run {lab.image} sleep 300")
        before = len(lab.mine())
        deadline = time.monotonic() + 20
        while len(lab.mine()) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        made = set(lab.mine())
        os.kill(pid, signal.SIGKILL)
        killed = time.monotonic()
        while set(lab.mine()) & made and time.monotonic() - killed < 30:
            time.sleep(0.25)
        gone_after = time.monotonic() - killed
        print(
            f"behind the proxy, the killed kernel's {len(made)} containers were gone {gone_after:.1f} s after kill -9"
        )
        assert before >= 1 and not set(lab.mine()) & made
        assert gone_after < 15
    finally:
        client.stop_channels()
        km.shutdown_kernel(now=True)
