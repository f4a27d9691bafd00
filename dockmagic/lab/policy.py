"""The instructor's policy for a lab (``lab.yaml``), checked whole when it is loaded: an unknown key,
a wrong type or an impossible limit is one line naming where it is.

    students: [s1, s2]              # or {s1: {uid: 1001}, ...}: the owner of s1's socket
    endpoints: /run/lab/{student}.sock
    images: ["busybox*", "python:3.*"]
    limits: {memory: {default: 256m, max: 1g}, cpus: {default: 1, max: 2},
             pids: {default: 256, max: 1024}, containers: 5}
    capabilities: [NET_BIND_SERVICE]
    binds: [{host: /srv/lab/data, read_only: true}]
    ports: 20000-20999
    operations: [ImageBuild]        # beyond the default set (see routes.STUDENT)
    build_tags: "{student}/*"       # what a student's builds may be tagged (and what they may run)
    connections: 64                 # open connections a student may hold at once
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DockerError
from ..options.values import parse_bytes
from .routes import EXTRA, OPERATIONS, STUDENT

STUDENT_LABEL = "dockmagic.lab.student"
_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,31}")


def student_filter(student: str) -> dict[str, list[str]]:
    """The API filter for what a student made."""
    return {"label": [f"{STUDENT_LABEL}={student}"]}


class PolicyError(DockerError):
    """The policy file is not valid."""


@dataclass(frozen=True)
class Limit:
    default: float
    max: float


@dataclass(frozen=True)
class Bind:
    host: str
    read_only: bool


@dataclass
class Policy:
    students: dict[str, int | None]  # name -> uid owning the socket (None: the proxy's own user)
    endpoints: str = "/run/dockmagic-lab/{student}.sock"
    images: list[str] = field(default_factory=lambda: ["*"])
    memory: Limit = Limit(256 << 20, 1 << 30)
    cpus: Limit = Limit(1, 2)
    pids: Limit = Limit(256, 1024)
    containers: int = 5
    capabilities: set[str] = field(default_factory=set)
    binds: list[Bind] = field(default_factory=list)
    ports: tuple[int, int] = (20000, 20999)
    operations: frozenset[str] = STUDENT
    body_limit: int = 1 << 20  # bytes of a JSON request body read before deciding
    build_tags: str = "{student}/*"
    connections: int = 64
    context_limit: int = 512 << 20  # bytes of a build context

    def endpoint(self, student: str) -> Path:
        return Path(self.endpoints.format(student=student))

    def registries(self) -> set[str]:
        """The registries the lab's images come from (docker.io, and any named in ``images``)."""
        hosts = {"docker.io"}
        for pattern in self.images:
            first, _, rest = pattern.partition("/")
            if rest and ("." in first or ":" in first or first == "localhost"):
                hosts.add(first)
        return hosts

    def own_name(self, domain: str, path: str, student: str) -> bool:
        """Whether a repository is in the student's namespace, on one of the lab's registries."""
        familiar = path.removeprefix("library/") if domain == "docker.io" else path
        namespace = self.build_tags.format(student=student)
        on_lab_registry = any(fnmatch.fnmatchcase(domain, host) for host in self.registries())
        return on_lab_registry and fnmatch.fnmatchcase(familiar + ":x", namespace)

    def image_allowed(self, *references: str) -> bool:
        """Whether any spelling of an image is among the lab's images."""
        return any(
            fnmatch.fnmatchcase(ref, pattern) for ref in references for pattern in self.images
        )


_KEYS = {
    "students",
    "endpoints",
    "images",
    "limits",
    "capabilities",
    "binds",
    "ports",
    "operations",
    "body_limit",
    "build_tags",
    "connections",
    "context_limit",
}


def load(path: str | os.PathLike[str]) -> Policy:
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyError(f"cannot read the policy {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"the policy {path} is not YAML: {str(exc).splitlines()[0]}") from None
    return parse(data, str(path))


def parse(data: Any, where: str = "the policy") -> Policy:
    if not isinstance(data, dict):
        raise PolicyError(f"{where}: a mapping of settings is needed")
    unknown = set(data) - _KEYS
    if unknown:
        raise PolicyError(
            f"{where}: unknown setting {sorted(unknown)[0]!r} (known: {', '.join(sorted(_KEYS))})"
        )
    policy = Policy(students=_students(data.get("students"), where))
    if "endpoints" in data:
        policy.endpoints = _text(data["endpoints"], f"{where}: endpoints")
        if "{student}" not in policy.endpoints or not policy.endpoints.startswith("/"):
            raise PolicyError(f"{where}: endpoints must be an absolute path with {{student}} in it")
    if "images" in data:
        policy.images = [
            _text(i, f"{where}: images") for i in _list(data["images"], f"{where}: images")
        ]
    limits = data.get("limits") or {}
    if not isinstance(limits, dict) or set(limits) - {"memory", "cpus", "pids", "containers"}:
        raise PolicyError(f"{where}: limits takes memory, cpus, pids and containers")
    for name, number in (("memory", parse_bytes), ("cpus", float), ("pids", int)):
        if name in limits:
            setattr(policy, name, _limit(limits[name], number, f"{where}: limits.{name}"))
    if "containers" in limits:
        policy.containers = _positive(limits["containers"], f"{where}: limits.containers")
    caps = _list(data.get("capabilities") or [], f"{where}: capabilities")
    policy.capabilities = {
        _text(c, f"{where}: capabilities").upper().removeprefix("CAP_") for c in caps
    }
    for item in _list(data.get("binds") or [], f"{where}: binds"):
        if not isinstance(item, dict) or "host" not in item or set(item) - {"host", "read_only"}:
            raise PolicyError(f"{where}: each of binds is {{host: /path, read_only: true|false}}")
        host = os.path.normpath(_text(item["host"], f"{where}: binds.host"))
        if not host.startswith("/") or host == "/":
            raise PolicyError(
                f"{where}: binds.host must be an absolute folder other than /, not {host!r}"
            )
        policy.binds.append(Bind(host, bool(item.get("read_only", True))))
    if "ports" in data:
        policy.ports = _ports(data["ports"], f"{where}: ports")
    extra = {
        _text(o, f"{where}: operations")
        for o in _list(data.get("operations") or [], f"{where}: operations")
    }
    unknown_ops = extra - set(OPERATIONS)
    if unknown_ops:
        raise PolicyError(f"{where}: operations: unknown operation {sorted(unknown_ops)[0]!r}")
    unchecked = extra - EXTRA - STUDENT
    if unchecked:
        may = ", ".join(sorted(EXTRA))
        raise PolicyError(
            f"{where}: operations: the lab cannot check {sorted(unchecked)[0]} (a policy may add {may})"
        )
    policy.operations = STUDENT | extra
    for (
        outer
    ) in policy.binds:  # a read-only folder inside a read-write one could be changed under it
        for inner in policy.binds:
            if inner.read_only and not outer.read_only and inner.host.startswith(outer.host + "/"):
                raise PolicyError(
                    f"{where}: binds: {inner.host} (read-only) is inside {outer.host} (read-write)"
                )
    if "build_tags" in data:
        policy.build_tags = _text(data["build_tags"], f"{where}: build_tags")
        if not policy.build_tags.startswith("{student}/"):
            raise PolicyError(
                f"{where}: build_tags must start with {{student}}/ (each student's own namespace)"
            )
    if "connections" in data:
        policy.connections = _positive(data["connections"], f"{where}: connections")
    if "context_limit" in data:
        policy.context_limit = _positive(
            parse_bytes(data["context_limit"]), f"{where}: context_limit"
        )
    if "body_limit" in data:
        policy.body_limit = _positive(parse_bytes(data["body_limit"]), f"{where}: body_limit")
    return policy


def _students(value: Any, where: str) -> dict[str, int | None]:
    if isinstance(value, list):
        value = {name: {} for name in value}
    if not isinstance(value, dict) or not value:
        raise PolicyError(
            f"{where}: students must name at least one student (a list, or a mapping to {{uid: N}})"
        )
    out: dict[str, int | None] = {}
    for name, spec in value.items():
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise PolicyError(
                f"{where}: student name {name!r}: lower-case letters, digits, . _ - (at most 32)"
            )
        spec = spec or {}
        if not isinstance(spec, dict) or set(spec) - {"uid"}:
            raise PolicyError(f"{where}: students.{name} takes only uid")
        out[name] = (
            _positive(spec["uid"], f"{where}: students.{name}.uid", zero=True)
            if "uid" in spec
            else None
        )
    return out


def _limit(value: Any, number: Any, where: str) -> Limit:
    if not isinstance(value, dict) or set(value) - {"default", "max"} or "max" not in value:
        raise PolicyError(f"{where} is {{default: N, max: N}}")
    try:
        most = float(number(value["max"]))
        default = float(number(value.get("default", value["max"])))
    except (DockerError, ValueError, TypeError) as exc:
        raise PolicyError(f"{where}: {exc}") from None
    if not 0 < default <= most:
        raise PolicyError(
            f"{where}: 0 < default <= max is needed (default {default:g}, max {most:g})"
        )
    return Limit(default, most)


def _ports(value: Any, where: str) -> tuple[int, int]:
    low, _, high = str(value).partition("-")
    try:
        first, last = int(low), int(high or low)
    except ValueError:
        raise PolicyError(f"{where}: a port range like 20000-20999, not {value!r}") from None
    if not 1 <= first <= last <= 65535:
        raise PolicyError(f"{where}: ports between 1 and 65535, the first not above the last")
    return first, last


def _positive(value: Any, where: str, zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < (0 if zero else 1):
        raise PolicyError(
            f"{where}: a whole number {'>= 0' if zero else '>= 1'} is needed, not {value!r}"
        )
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise PolicyError(f"{where}: text is needed, not {value!r}")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise PolicyError(f"{where}: a list is needed, not {type(value).__name__}")
    return value
