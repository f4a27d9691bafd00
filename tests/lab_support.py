"""What the lab tests share: a class of two on the real engine behind the proxy (s2 has a running
container, a network and a volume; s1 is the attacker), raw HTTP as a student, and a check of what
the engine holds against the policy, run after every attempt."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dockmagic.engine import Engine
from dockmagic.errors import NotFound
from dockmagic.lab import references
from dockmagic.lab.policy import STUDENT_LABEL, Policy, parse
from dockmagic.lab.proxy import LabProxy
from dockmagic.lab.view import clean_student

from .support import LABEL

CLI = shutil.which("docker") or "docker"
STUDENTS = ["s1", "s2"]
SECRET = "SECRET-OF-S2"
FORBIDDEN = "forbidden/tool:1"  # on the engine, not among the lab's images


@dataclass
class Lab:
    proxy: LabProxy
    engine: Engine
    folder: Path
    shared: Path  # read-only bind folder
    work: Path  # read-write bind folder
    image: str
    victim: str = ""  # s2's container
    victim_id: str = ""
    s2_network: str = ""
    s2_network_name: str = ""
    s2_volume: str = ""
    images_before: dict[str, str] = field(default_factory=dict)

    @property
    def policy(self) -> Policy:
        return self.proxy.policy

    @property
    def prefix(self) -> str:
        return self.victim_id[:6]

    def sock(self, student: str) -> str:
        return str(self.policy.endpoint(student))

    def cli(
        self, student: str, *args: str, stdin: str | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "DOCKER_HOST": f"unix://{self.sock(student)}",
            "DOCKER_CONFIG": str(self.folder / "cfg"),
            "DOCKER_BUILDKIT": "0",
        }
        return subprocess.run(
            [CLI, *args], capture_output=True, text=True, env=env, timeout=timeout, input=stdin
        )

    def mine(self, student: str = "s1") -> list[str]:
        found = self.engine.container_list(
            all=True, filters={"label": [f"{STUDENT_LABEL}={student}"]}
        )
        return [c["Id"] for c in found]

    def tags(self) -> dict[str, str]:
        return {
            t: i["Id"]
            for i in self.engine.image_list()
            for t in i.get("RepoTags") or []
            if t != "<none>:<none>"
        }

    def _may_have_made(self, tag: str) -> bool:
        """A tag s1 may have made: in their namespace, or a pull of one of the lab's images."""
        ref = references.tagged(tag)
        return self.policy.own_name(ref.domain, ref.path, "s1") or self.policy.image_allowed(
            *ref.forms()
        )

    def assert_held(self) -> None:
        """What the engine holds is within the policy, whatever the answers said."""
        problems = [
            p
            for cid in self.mine("s1") + self.mine("s2")
            for p in _outside(self.engine.container_inspect(cid), self)
        ]
        assert not problems, problems
        assert len(self.mine("s1")) <= self.policy.containers
        victim = self.engine.container_inspect(self.victim_id)
        assert victim["State"]["Running"] and victim["Name"] == f"/{self.victim}", (
            "s2's container was touched"
        )
        assert (victim["Config"]["Labels"] or {}).get(STUDENT_LABEL) == "s2"
        self.engine.network_inspect(self.s2_network)
        assert self.engine.volume_inspect(self.s2_volume)["Labels"][STUDENT_LABEL] == "s2"
        now = self.tags()
        changed = [t for t, i in self.images_before.items() if now.get(t) != i]
        made = [t for t in now if t not in self.images_before and not self._may_have_made(t)]
        assert not changed and not made, f"images changed: {changed}, made: {made}"


def _outside(info: dict[str, Any], lab: Lab) -> list[str]:
    """What of one container is beyond the policy."""
    policy, host = lab.policy, info["HostConfig"]
    owner = (info["Config"]["Labels"] or {}).get(STUDENT_LABEL)
    name = info["Name"]
    out = []

    def bad(what: str) -> None:
        out.append(f"{name}: {what}")

    if host.get("Privileged"):
        bad("privileged")
    if set(host.get("CapAdd") or []) - policy.capabilities:
        bad(f"caps {host.get('CapAdd')}")
    for mode in ("PidMode", "IpcMode", "UTSMode", "UsernsMode"):
        if host.get(mode) in ("host",) or str(host.get(mode) or "").startswith("container:"):
            bad(f"{mode} {host.get(mode)}")
    network = str(host.get("NetworkMode") or "")
    if network == "host" or network.startswith("container:"):
        bad(f"network {network}")
    for net in (info.get("NetworkSettings") or {}).get("Networks") or {}:
        if net not in ("bridge", "none"):
            labels = lab.engine.network_inspect(net).get("Labels") or {}
            if labels.get(STUDENT_LABEL) != owner:
                bad(f"on another's network {net}")
    for mount in info.get("Mounts") or []:
        if mount["Type"] == "bind":
            source = mount["Source"]
            ok = any(source == b.host or source.startswith(b.host + "/") for b in policy.binds)
            rw_root = any(not b.read_only and source.startswith(b.host + "/") for b in policy.binds)
            ro_only = any(
                b.read_only and (source == b.host or source.startswith(b.host + "/"))
                for b in policy.binds
            )
            if not ok or rw_root or (ro_only and mount["RW"]):
                bad(f"bind {source} rw={mount['RW']}")
        elif mount["Type"] == "volume" and mount.get("Name"):
            try:
                labels = lab.engine.volume_inspect(mount["Name"]).get("Labels") or {}
            except NotFound:
                continue
            if labels.get(STUDENT_LABEL) not in (owner, None) or (
                labels.get(STUDENT_LABEL) is None and mount["Name"] in lab.s2_volume
            ):
                bad(f"volume {mount['Name']}")
    memory, swap = host.get("Memory") or 0, host.get("MemorySwap") or 0
    if not 0 < memory <= policy.memory.max or swap < 0 or swap > 2 * policy.memory.max:
        bad(f"memory {memory} swap {swap}")
    if (
        not 0 < (host.get("NanoCpus") or 0) <= policy.cpus.max * 1e9
        or host.get("CpuQuota")
        or host.get("CpuPeriod")
    ):
        bad(
            f"cpus nano={host.get('NanoCpus')} quota={host.get('CpuQuota')} period={host.get('CpuPeriod')}"
        )
    if not 0 < (host.get("PidsLimit") or 0) <= policy.pids.max:
        bad(f"pids {host.get('PidsLimit')}")
    for name_ in ("Devices", "Sysctls", "DeviceRequests", "VolumesFrom", "Links"):
        if host.get(name_):
            bad(f"{name_} {host.get(name_)}")
    if host.get("CgroupParent") or host.get("OomScoreAdj", 0) < 0 or host.get("OomKillDisable"):
        bad("cgroup parent, OOM score or OOM kill")
    if (host.get("LogConfig") or {}).get("Type") not in ("json-file", "local", "none"):
        bad(f"log driver {(host.get('LogConfig') or {}).get('Type')}")
    if [o for o in host.get("SecurityOpt") or [] if not o.startswith("no-new-privileges")]:
        bad(f"security opt {host.get('SecurityOpt')}")
    if not host.get("MaskedPaths"):
        bad("no masked paths")
    if host.get("PublishAllPorts"):
        bad("publish all")
    return out


def make_lab(engine: Engine, image: str, folder: Path) -> Iterator[Lab]:
    shared, work = folder / "shared", folder / "work"
    shared.mkdir()
    work.mkdir()
    (shared / "notes.txt").write_text("read me\n")
    (shared / "sub").mkdir()
    policy = parse(
        {
            "students": STUDENTS,
            "endpoints": str(folder / "{student}.sock"),
            "images": ["dockmagic-test/*", "127.0.0.1:*/dockmagic-test/*", "demo:1.*"],
            "limits": {
                "memory": {"default": "128m", "max": "512m"},
                "cpus": {"default": 1, "max": 2},
                "pids": {"default": 128, "max": 512},
                "containers": 4,
            },
            "capabilities": ["NET_BIND_SERVICE"],
            "binds": [
                {"host": str(shared), "read_only": True},
                {"host": str(work), "read_only": False},
            ],
            "ports": "20000-20099",
            "operations": [
                "ImageBuild",
                "ContainerPrune",
                "ImageTag",
                "ImagePush",
                "ImageDelete",
                "ImageCommit",
                "ImageSearch",
            ],
        }
    )
    forbidden = (
        subprocess.run(  # an image of its own (another ID than the lab's), straight on the engine
            [CLI, "build", "-q", "-t", FORBIDDEN, "-"],
            input=f"FROM {image}\nLABEL {LABEL}=1 forbidden=1\n",
            capture_output=True,
            text=True,
            env={**os.environ, "DOCKER_BUILDKIT": "0"},
            timeout=120,
        )
    )
    assert forbidden.returncode == 0, forbidden.stderr
    proxy = LabProxy(policy).start()
    lab = Lab(proxy, engine, folder, shared, work, image)
    try:
        lab.victim = f"victim-{os.getpid()}"
        started = lab.cli(
            "s2",
            "run",
            "-d",
            "--name",
            lab.victim,
            "-l",
            f"{LABEL}=1",
            image,
            "sh",
            "-c",
            f"echo {SECRET}; sleep 600",
        )
        lab.s2_network_name = f"net-{os.getpid()}"
        network = lab.cli("s2", "network", "create", "--label", f"{LABEL}=1", lab.s2_network_name)
        volume = lab.cli("s2", "volume", "create", "--label", f"{LABEL}=1", f"vol-{os.getpid()}")
        for out in (started, network, volume):
            assert out.returncode == 0, f"s2 could not set up through the lab: {out.stderr}"
        lab.victim_id, lab.s2_network, lab.s2_volume = (
            o.stdout.strip() for o in (started, network, volume)
        )
        built = lab.cli(
            "s2",
            "build",
            "-q",
            "-t",
            "s2/app",
            "-",
            stdin=f"FROM {image}\nRUN echo {SECRET} > /s\n",
        )
        assert built.returncode == 0, f"s2 could not build through the lab: {built.stderr}"
        lab.images_before = lab.tags()
        yield lab
    finally:
        for student in STUDENTS:
            clean_student(student)
        proxy.close()
        for tag in lab.tags():
            if tag.startswith(("s1/", "s2/")) or tag == FORBIDDEN:
                try:
                    engine.image_delete(tag, force=True)
                except NotFound:
                    pass


# -- raw HTTP as a student ----------------------------------------------------------------------------


def raw(
    lab: Lab, request: bytes, wait: float = 10, student: str = "s1"
) -> tuple[int, str, dict[str, str]]:
    """Send bytes as a student; (status, message, headers): (0, "", {}) when the proxy closed without
    an answer, (-1, ...) when none came in time."""
    sock = socket.socket(socket.AF_UNIX)
    sock.settimeout(wait)
    sock.connect(lab.sock(student))
    try:
        try:
            sock.sendall(request)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before all was sent: the answer may still be there to read
        data = b""
        while b"\r\n\r\n" not in data:
            more = sock.recv(65536)
            if not more:
                return 0, "", {}
            data += more
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode(errors="replace").split("\r\n")
        headers = {
            k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])
        }
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            more = sock.recv(65536)
            if not more:
                break
            body += more
        status = int(lines[0].split()[1])
        try:
            message = json.loads(body)
            text = message.get("message") if isinstance(message, dict) else None
            return status, text if isinstance(text, str) else body.decode(errors="replace"), headers
        except ValueError:
            return status, body.decode(errors="replace"), headers
    except TimeoutError:
        return -1, "no answer", {}
    finally:
        sock.close()


def request(method: str, path: str, body: bytes | None = b"", extra: str = "") -> bytes:
    length = f"Content-Length: {len(body)}\r\n" if body is not None else ""
    return f"{method} {path} HTTP/1.1\r\nHost: x\r\n{extra}{length}\r\n".encode() + (body or b"")
