"""The lab endpoint: a proxy that owns the engine's socket and gives each student a socket of their
own. Every request is read whole (HTTP parsed by h11) and passes only when all of it is known:

1. **Deny by default, at one API version.** The operation, each query parameter, each header and each
   body field must be in the Engine API spec (``schema``: v1.41); the body is conformed to the spec
   and re-encoded, and the request is forwarded as ``/v1.41`` whatever version it was sent as (old
   versions where ``start`` takes a HostConfig never reach the engine). An operation that takes no
   body gets none: the engine reads form bodies as parameters.
2. **Resolve, then forward by ID.** A name or ID prefix is resolved among the student's own objects
   and the request forwarded with the full ID, so the engine's own lookup never picks another's.
   Names are unique across the class: another's name is "in use", never its ID.
3. **The rules** (``rules``, ``builds``) are allowlists over the conformed body; counts are checked
   and the create forwarded under one lock per student, so ten creates at once make no more than the
   limit.
4. **Answers** that list images are filtered to what the student may see; an error's text loses any
   ID that is not the student's.

Refusals are answered as the engine answers errors (JSON ``message``), so the docker CLI and
dockmagic both show one line naming the rule; another student's resource is answered 404, as if
absent. What the proxy cannot read whole (too big, cut, framed two ways) it refuses: it fails closed.
"""

from __future__ import annotations

import json
import os
import re
import resource
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import IO, Any
from urllib.parse import parse_qsl, quote, unquote, urlencode

import h11

from ..engine import Engine
from ..errors import APIError, DockerError, Missing, NotFound
from . import builds, references
from .policy import STUDENT_LABEL, Policy, student_filter
from .routes import Route, match
from .rules import (
    Context,
    check_connect,
    check_container,
    check_exec,
    check_host_path,
    check_network,
    check_update,
    check_volume,
)
from .schema import API_VERSION, Hidden, Refused, conform_body, empty, operations, parse_json
from .upstream import EngineCut, Head, Upstream

ENGINE_SOCKET = "/var/run/docker.sock"
IDLE = 300.0  # seconds a kept-alive connection may wait for its next request
READ = 30.0  # seconds a request may take to arrive whole
_FULL_ID = re.compile(r"[0-9a-f]{64}")
_HEX_RUN = re.compile(r"(?<![0-9a-f])[0-9a-f]{12,64}(?![0-9a-f])")
_IMAGE_ID = re.compile(r"(sha256:)?[0-9a-f]{12,64}")
_VERSION = re.compile(r"/v(\d{1,2}\.\d{1,3})(/.*)\Z")
_NAME = re.compile(r"/?[a-zA-Z0-9][a-zA-Z0-9_.-]+")
_STREAMED_BODY = {"PutContainerArchive", "ImageLoad"}  # passed as they come (tar streams)
_HIJACK = {"ContainerAttach", "ExecStart"}
_LISTS = {
    "ContainerList",
    "NetworkList",
    "VolumeList",
    "SystemEvents",
    "ContainerPrune",
    "VolumePrune",
    "NetworkPrune",
}
_REPEATABLE = {("ImageBuild", "t"), ("ImageGetAll", "names")}
_PASSED_HEADERS = {b"user-agent", b"x-registry-auth", b"x-registry-config"}
_FILTERED_ANSWERS = {"ImageList", "ImageInspect", "ImageHistory", "SystemVersion"}
_NAMED_CREATES = {"ContainerCreate", "ContainerRename", "NetworkCreate", "VolumeCreate"}


class Conflict(Exception):
    """A name another student holds: answered 409, as the engine answers a name in use."""


@dataclass
class Activity:
    """What a student did last, for the class view."""

    requests: int = 0
    refused: int = 0
    last: float = 0.0
    rules: dict[str, int] = field(default_factory=dict)
    connections: int = 0


@dataclass
class Request:
    method: str
    path: str  # decoded, without the version prefix
    query: list[tuple[str, str]]
    headers: list[tuple[bytes, bytes]]
    route: Route
    found: re.Match[str]
    upgrade: bool = False  # the client asked for a hijacked stream (Upgrade: tcp)
    body: bytes | None = None  # whole (JSON), or None: streamed after the decision
    upload: IO[bytes] | None = None  # a checked build context, sent from this file

    @property
    def operation(self) -> str:
        return self.route.operation

    @property
    def target(self) -> bytes:
        path = quote(f"/v{API_VERSION}" + self.path, safe="/:@")
        return (path + ("?" + urlencode(self.query) if self.query else "")).encode()

    def replace_id(self, full: str) -> None:
        """The path's {id} replaced by the full ID it was resolved to."""
        start, end = self.found.span("id")
        self.path = self.path[:start] + full + self.path[end:]


class LabProxy:
    """Serves every student of ``policy`` on their own unix socket; ``close()`` stops it all."""

    def __init__(self, policy: Policy, engine_socket: str = ENGINE_SOCKET) -> None:
        self.policy, self.engine_socket = policy, engine_socket
        self.engine = Engine(f"unix://{engine_socket}")
        self.activity = {s: Activity() for s in policy.students}
        self._servers: list[socket.socket] = []
        self._closing = False
        self._pool: list[Upstream] = []  # idle connections to the engine
        self._owners: dict[str, str | None] = {}  # full container and exec IDs -> their student
        self._pool_lock = threading.Lock()
        self._creating = {
            s: threading.Lock() for s in policy.students
        }  # a count and its create, at once
        self._naming = threading.Lock()  # a name's check and its create, at once, across the class

    def start(self) -> LabProxy:
        _more_files()
        for student, uid in self.policy.students.items():
            path = self.policy.endpoint(student)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.unlink(missing_ok=True)
            server = socket.socket(socket.AF_UNIX)
            server.bind(str(path))
            os.chmod(path, 0o600)
            if uid is not None:
                os.chown(path, uid, -1)  # the student's alone
            server.listen(128)
            self._servers.append(server)
            threading.Thread(
                target=self._accept, args=(server, student), daemon=True, name=f"lab-{student}"
            ).start()
        return self

    def close(self) -> None:
        self._closing = True
        for server in self._servers:
            try:
                server.close()
            except OSError:
                pass
        for student in self.policy.students:
            self.policy.endpoint(student).unlink(missing_ok=True)
        with self._pool_lock:
            for up in self._pool:
                up.close()
            self._pool.clear()
        self.engine.close()

    def __enter__(self) -> LabProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _accept(self, server: socket.socket, student: str) -> None:
        """Accepts until closed: running out of descriptors (or any accept error) waits and goes on."""
        seen = self.activity[student]
        while not self._closing:
            try:
                client, _ = server.accept()
            except OSError:
                if self._closing:
                    return
                time.sleep(0.05)
                continue
            if seen.connections >= self.policy.connections:
                threading.Thread(
                    target=_turn_away, args=(client, self.policy.connections), daemon=True
                ).start()
                continue
            seen.connections += 1
            threading.Thread(target=self._serve, args=(client, student), daemon=True).start()

    # -- one client connection: requests one after another ----------------------------------------

    def _serve(self, client: socket.socket, student: str) -> None:
        conn = h11.Connection(h11.SERVER, max_incomplete_event_size=64 << 10)
        try:
            while conn.our_state is h11.IDLE or conn.our_state is h11.DONE:
                if conn.our_state is h11.DONE:
                    if conn.their_state is not h11.DONE:
                        return
                    conn.start_next_cycle()
                client.settimeout(IDLE)
                event = _next(conn, client)
                if isinstance(event, h11.ConnectionClosed):
                    return
                if not isinstance(event, h11.Request):
                    return
                client.settimeout(READ)
                if not self._handle(conn, client, student, event):
                    return
        except (
            h11.RemoteProtocolError,
            ValueError,
        ) as exc:  # not HTTP we can read whole: fail closed
            _answer(
                conn,
                client,
                400,
                f"lab proxy: the request cannot be read whole ({exc})",
                close=True,
            )
        except (OSError, h11.LocalProtocolError):
            pass
        finally:
            self.activity[student].connections -= 1
            client.close()

    def _handle(
        self, conn: h11.Connection, client: socket.socket, student: str, event: h11.Request
    ) -> bool:
        """One request; whether the connection can carry another."""
        seen = self.activity[student]
        seen.requests, seen.last = seen.requests + 1, time.time()
        request: Request | None = None
        try:
            try:
                request = self._read(conn, client, event, student)
                with self._locks(request, student):
                    self._decide(request, student)
                    return self._forward(conn, client, request, student)
            except (
                TypeError,
                AttributeError,
                ValueError,
                KeyError,
            ) as exc:  # a field of an odd type
                raise Refused(
                    "json", f"a field of the body is not of the type the API says ({exc})"
                ) from None
        except DockerError as exc:  # the engine failed a lookup: answered, never let through
            _answer(conn, client, 502, f"lab proxy: {self._scrub(str(exc), student)}")
            return conn.their_state is h11.DONE
        except (Refused, Hidden, Conflict) as exc:
            if isinstance(exc, Refused):
                seen.refused += 1
                seen.rules[exc.rule] = seen.rules.get(exc.rule, 0) + 1
            whole = conn.their_state in (h11.DONE, h11.MIGHT_SWITCH_PROTOCOL)
            status = 403 if isinstance(exc, Refused) else 404 if isinstance(exc, Hidden) else 409
            _answer(conn, client, status, str(exc), close=not whole)
            if not whole:  # the body was not read: let the client finish sending it, then close
                _drain(conn, client)
            return whole
        finally:
            if request is not None and request.upload is not None:
                request.upload.close()

    def _locks(self, request: Request, student: str) -> _Held:
        op = request.operation
        held = []
        if op == "ContainerCreate":
            held.append(self._creating[student])
        if op in _NAMED_CREATES and (op != "ContainerCreate" or _param(request, "name")):
            held.append(self._naming)
        return _Held(held)

    def _read(
        self, conn: h11.Connection, client: socket.socket, event: h11.Request, student: str
    ) -> Request:
        """The request's target, parameters and headers checked against the spec, and its body read
        whole (or, for a build, spooled and checked; for a tar upload, streamed after the decision)."""
        method = event.method.decode("ascii")
        path, query = _target(event.target)
        found = match(method, path)
        if found is None:
            raise Refused(
                "operations", f"{method} {path} is not an Engine API operation this lab knows"
            )
        route, matched = found
        if route.operation not in self.policy.operations:
            raise Refused("operations", f"{route.operation} is not allowed in this lab")
        spec = operations()[route.operation]
        seen: set[str] = set()
        for key, _ in query:
            if key not in spec["query"]:
                raise Refused(
                    "query", f"{key} is not a parameter of {route.operation} (API {API_VERSION})"
                )
            if key in seen and (route.operation, key) not in _REPEATABLE:
                raise Refused("query", f"the parameter {key} is given twice")
            seen.add(key)
        allowed = _passed_headers(route.operation)
        headers = [(k, v) for k, v in event.headers if k.lower() in allowed]
        request = Request(
            method, path, query, headers, route, matched, upgrade=_upgrading(list(event.headers))
        )
        if route.operation == "ImageBuild":
            request.upload = self._spool(conn, client)
        elif route.operation not in _STREAMED_BODY:
            request.body = self._body(conn, client, route.operation)
            if spec["body"] is None or route.operation == "ImageCreate":
                if request.body.strip():
                    raise Refused(
                        "body",
                        f"{route.operation} takes no body (the engine would read a form as parameters)",
                    )
                request.body = b""
        return request

    def _body(self, conn: h11.Connection, client: socket.socket, operation: str) -> bytes:
        parts: list[bytes] = []
        size = 0
        for data in _body_stream(conn, client):
            size += len(data)
            if size > self.policy.body_limit:
                raise Refused(
                    "body",
                    f"a body over {self.policy.body_limit} bytes is not read for {operation}",
                )
            parts.append(data)
        return b"".join(parts)

    def _spool(self, conn: h11.Connection, client: socket.socket) -> IO[bytes]:
        spool = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the request, closed after it
        size = 0
        try:
            for data in _body_stream(conn, client):
                size += len(data)
                if size > self.policy.context_limit:
                    raise Refused(
                        "build", f"a build context over {self.policy.context_limit >> 20} MiB"
                    )
                spool.write(data)
        except BaseException:
            spool.close()
            raise
        return spool

    # -- the policy ------------------------------------------------------------------------------------

    def _decide(self, request: Request, student: str) -> None:
        op, route = request.operation, request.route
        ctx = self._context(student)
        current: dict[str, Any] | None = None
        if route.owned:
            current = self._resolve(request, route.owned, student)
        if op in _HIJACK and not request.upgrade:
            detached = op == "ExecStart" and bool(
                (parse_json(request.body or b"{}") or {}).get("Detach")
            )
            if not detached:
                raise Refused(
                    "hijack", f"{op} is relayed only as an upgraded stream (Upgrade: tcp)"
                )
        if op in _LISTS:
            _add_filter(request, *student_filter(student)["label"])
        if op in ("ImageInspect", "ImageHistory", "ImageGet") and not self._may_see_image(
            request.found["name"], student
        ):
            raise Hidden("image", request.found["name"])
        if op == "ImageGetAll":
            for _, name in request.query:
                if not self._may_see_image(name, student):
                    raise Hidden("image", name)
        if op in ("ImageTag", "ImagePush", "ImageDelete", "ImageCommit", "ImageSearch"):
            self._check_image_op(request, student)
        if op == "ImageCreate":
            self._check_pull(request, ctx)
        elif op == "ImageBuild":
            self._check_build(request, ctx)
        elif op == "ContainerStart" and current is not None:
            _check_binds_again(current, self.policy)
        elif op == "ContainerRename":
            self._name_free("container", _param(request, "name") or "", student)
        if (
            operations()[op]["body"] is None
            or op in ("ImageCreate", "ImageCommit")
            or request.body is None
        ):
            return
        body = conform_body(op, request.body)
        if op == "ContainerCreate":
            wanted = _param(request, "name")
            if wanted is not None:
                self._name_free("container", wanted, student)
            mine = self.engine.container_list(all=True, filters=student_filter(student))
            if len(mine) >= self.policy.containers:
                raise Refused(
                    "containers",
                    f"at most {self.policy.containers} containers each (remove some first)",
                )
            body = check_container(body, ctx)
        elif op == "ContainerUpdate":
            body = check_update(body, ctx, (current or {}).get("HostConfig") or {})
        elif op == "ContainerExec":
            body = check_exec(body, ctx)
        elif op == "NetworkCreate":
            body = check_network(body, ctx)
            self._name_free("network", body["Name"], student)
        elif op == "VolumeCreate":
            body = check_volume(body, ctx)
            if body.get("Name"):
                self._name_free("volume", body["Name"], student)
        elif op in ("NetworkConnect", "NetworkDisconnect"):
            container = str(body.get("Container") or "")
            body["Container"] = self._container(container, student)["Id"]
            if op == "NetworkConnect":
                body = check_connect(body, ctx, request.found["id"])
        request.body = json.dumps(body).encode()

    def _context(self, student: str) -> Context:
        def network(name: str) -> str:
            try:
                return self._network(name, student)["Id"]
            except Hidden:
                raise Refused("network", f"the network {name} is not yours") from None

        def volume(name: str) -> bool:
            found = _lookup(self.engine.volume_inspect, name)
            return found is not None and _owner(found) == student

        return Context(
            self.policy, student, network, volume, lambda image: self._may_use_image(image, student)
        )

    # -- resolving names to the student's own objects ---------------------------------------------

    def _resolve(self, request: Request, kind: str, student: str) -> dict[str, Any] | None:
        """The path's object resolved to the student's own, the path rewritten to its full ID."""
        name = request.found["id"]
        if kind == "container":
            info = self._container(name, student)
            request.replace_id(info["Id"])
            return info
        if kind == "exec":
            found = _lookup(self.engine.exec_inspect, name)
            if found is None:
                raise Hidden("exec instance", name)
            try:
                self._container(found.get("ContainerID") or "", student)
            except Hidden:
                raise Hidden("exec instance", name) from None
            request.replace_id(found["ID"])
            return None
        if kind == "network":
            request.replace_id(self._network(name, student)["Id"])
            return None
        volume = _lookup(self.engine.volume_inspect, name) or {}
        if _owner(volume) != student or volume.get("Name") != name:
            raise Hidden("volume", name)
        return None

    def _container(self, name: str, student: str) -> dict[str, Any]:
        """The student's container of that name, ID or ID prefix (inspected), or Hidden."""
        info = _lookup(self.engine.container_inspect, name)
        if info is not None and _owner(info) == student:
            self._remember(info["Id"], student)
            return info
        if (
            name
        ):  # the engine's lookup found another's, or none, or several: look among the student's own
            mine = self.engine.container_list(all=True, filters=student_filter(student))
            chosen = [c for c in mine if c["Id"] == name or f"/{name}" in (c.get("Names") or [])]
            if not chosen and re.fullmatch(r"[0-9a-f]+", name):
                chosen = [c for c in mine if c["Id"].startswith(name)]
            if len(chosen) == 1:
                info = _lookup(self.engine.container_inspect, chosen[0]["Id"])
                if info is not None and _owner(info) == student:
                    return info
        raise Hidden("container", name)

    def _network(self, name: str, student: str) -> dict[str, Any]:
        info = _lookup(self.engine.network_inspect, name)
        if info is not None and _owner(info) == student:
            return info
        mine = self.engine.network_list(filters=student_filter(student))
        chosen = [n for n in mine if n["Id"] == name or n.get("Name") == name]
        if not chosen and re.fullmatch(r"[0-9a-f]+", name):
            chosen = [n for n in mine if n["Id"].startswith(name)]
        if len(chosen) == 1:
            return chosen[0]
        raise Hidden("network", name)

    def _name_free(self, kind: str, name: str, student: str) -> None:
        """A name another student holds is in use, and said so without whose it is."""
        if kind == "container":
            if not _NAME.fullmatch(name):
                raise Refused(
                    "names", f"{name!r}: a name is letters, digits and . _ - (two or more)"
                )
            bare = name.lstrip("/")
            held = self.engine.container_list(all=True, filters={"name": [f"^/{re.escape(bare)}$"]})
            if held:
                raise Conflict(f'Conflict. The container name "/{bare}" is already in use.')
        elif kind == "network":
            held = [
                n
                for n in self.engine.network_list(filters={"name": [name]})
                if n.get("Name") == name
            ]
            if held:
                raise Conflict(f"network with name {name} already exists")
        else:
            try:
                found = self.engine.volume_inspect(name)
            except NotFound:
                return
            if _owner(found) != student:
                raise Conflict(f"volume name {name} is in use")

    def _remember(self, full_id: str, owner: str | None) -> None:
        if len(self._owners) > 100_000:
            self._owners.clear()
        self._owners[full_id] = owner

    # -- images --------------------------------------------------------------------------------------

    def _image_refs(self, image: str, info: dict[str, Any] | None) -> list[references.Reference]:
        """The names an image goes by: as the engine reads the name, and its local tags (``info``,
        its inspection; for an ID, only those: the engine looks an ID up by ID)."""
        refs: list[references.Reference] = []
        if not _IMAGE_ID.fullmatch(image):
            try:
                refs.append(references.tagged(image))
            except Refused:
                return []
        for tag in (info or {}).get("RepoTags") or []:
            refs += _refs(tag)
        return refs

    def _image_by_name(self, image: str) -> dict[str, Any] | None:
        return _inspected(self.engine.image_inspect, image)

    def _ref_allowed(self, ref: references.Reference, student: str) -> bool:
        return self.policy.image_allowed(*ref.forms()) or self.policy.own_name(
            ref.domain, ref.path, student
        )

    def _usable(self, image: str, info: dict[str, Any] | None, student: str) -> bool:
        return any(self._ref_allowed(ref, student) for ref in self._image_refs(image, info))

    def _may_use_image(self, image: str, student: str) -> bool:
        return self._usable(image, self._image_by_name(image), student)

    def _may_see_image(self, image: str, student: str) -> bool:
        info = self._image_by_name(image)  # one inspection for both questions
        return self._usable(image, info, student) or (info is not None and _owner(info) == student)

    def _visible_tags(self, tags: list[str], student: str) -> list[str]:
        return [t for t in tags if any(self._ref_allowed(ref, student) for ref in _refs(t))]

    def _check_pull(self, request: Request, ctx: Context) -> None:
        for key in ("fromSrc", "repo", "message", "changes"):
            if _param(request, key) is not None:
                raise Refused("images", "importing images is not allowed")
        image, tag = _param(request, "fromImage") or "", _param(request, "tag") or ""
        ref = references.parse(image)
        if tag:
            ref = ref.with_tag(tag)
        if not ref.tag and not ref.digest:
            raise Refused("images", f"{image}: name a tag (a pull without one takes every tag)")
        if not self._ref_allowed(ref, ctx.student):
            named = f"{ref.familiar}:{ref.tag}" if ref.tag else f"{ref.familiar}@{ref.digest}"
            raise Refused(
                "images", f"{named} is not among the lab's images ({', '.join(self.policy.images)})"
            )
        keep = [(k, v) for k, v in request.query if k == "platform"]
        request.query = [("fromImage", ref.name), ("tag", ref.digest or ref.tag), *keep]

    def _check_image_op(self, request: Request, student: str) -> None:
        """Tags, pushes, removals and commits only within the student's namespace (``build_tags``)."""
        op = request.operation

        def own(text: str, what: str) -> None:
            ref = references.parse(text)
            if not self.policy.own_name(ref.domain, ref.path, student):
                namespace = self.policy.build_tags.format(student=student)
                raise Refused(
                    "images",
                    f"{what} {text}: only your own images ({namespace}) are yours to change",
                )

        if op == "ImageSearch":
            term = _param(request, "term") or ""
            if "/" in term and references.parse(term).domain not in self.policy.registries():
                raise Refused(
                    "images",
                    f"searches go to the lab's registries ({', '.join(sorted(self.policy.registries()))})",
                )
        elif op == "ImageTag":
            source = request.found["name"]
            if not self._may_use_image(source, student):
                raise Hidden("image", source)
            own(_param(request, "repo") or "", "tag")
        elif op in ("ImagePush", "ImageDelete"):
            name = request.found["name"]
            if _IMAGE_ID.fullmatch(name):
                raise Refused("images", f"name the image by its tag, not {name}")
            own(name, "push" if op == "ImagePush" else "remove")
        else:  # ImageCommit
            if _param(request, "changes") or not empty(conform_body(op, request.body or b"{}")):
                raise Refused("images", "a commit takes no changes or config here: build instead")
            request.body = b""
            own(_param(request, "repo") or "", "commit to")
            container = self._container(_param(request, "container") or "", student)["Id"]
            request.query = [(k, container if k == "container" else v) for k, v in request.query]

    def _check_build(self, request: Request, ctx: Context) -> None:
        request.query, build_args, dockerfile = builds.check_query(request.query, ctx)

        def onbuild(image: str) -> list[str]:
            try:
                return (self.engine.image_inspect(image).get("Config") or {}).get("OnBuild") or []
            except NotFound:
                return []

        assert request.upload is not None
        checked = builds.rewrite_context(
            request.upload, dockerfile, builds.build_context_check(build_args, ctx, onbuild)
        )
        request.upload.close()
        request.upload = checked

    # -- answers -------------------------------------------------------------------------------------

    def _filter_answer(self, op: str, status: int, body: bytes, student: str) -> bytes:
        """What the student may see of an answer: images of the lab's and their own, no other's IDs."""
        if status >= 400:
            try:
                message = json.loads(body).get("message", "")
            except (ValueError, AttributeError):
                message = body.decode(errors="replace")
            return json.dumps({"message": self._scrub(str(message), student)}).encode()
        try:
            value = json.loads(body)
        except ValueError:
            return body
        if op == "ImageList":
            listed = [(i, self._visible_tags(i.get("RepoTags") or [], student)) for i in value]
            value = [
                dict(i, RepoTags=tags, RepoDigests=[])
                for i, tags in listed
                if tags or _owner(i) == student
            ]
        elif op == "ImageInspect":
            value["RepoTags"] = self._visible_tags(value.get("RepoTags") or [], student)
        elif op == "ImageHistory":
            for layer in value:
                layer["Tags"] = self._visible_tags(layer.get("Tags") or [], student)
        elif op == "SystemVersion":
            value["ApiVersion"] = API_VERSION
        return json.dumps(value).encode()

    def _scrub(self, message: str, student: str) -> str:
        def hide(m: re.Match[str]) -> str:
            mine = any(
                full.startswith(m.group(0)) and who == student for full, who in self._owners.items()
            )
            return m.group(0) if mine else "<another's>"

        return _HEX_RUN.sub(hide, message)

    # -- on to the engine, and the answer back ------------------------------------------------------

    def _forward(
        self, conn: h11.Connection, client: socket.socket, request: Request, student: str
    ) -> bool:
        hijack = request.operation in _HIJACK and request.upgrade
        again = request.body is not None and not hijack  # can be sent again on a fresh connection
        up = self._upstream(pooled=again)
        try:
            try:
                self._send(up, request, conn, client, hijack)
                head = up.head(request.method)
            except OSError:
                if not up.reused or not again:
                    raise
                up.close()  # a kept connection the engine had closed: once more on a new one
                up = self._upstream(pooled=False)
                self._send(up, request, conn, client, hijack)
                head = up.head(request.method)
            if head.status >= 400 or request.operation in _FILTERED_ANSWERS:
                return self._rewrite(conn, client, up, head, request.operation, student)
            created = request.operation in ("ContainerCreate", "ContainerExec")
            kept: list[bytes] | None = [] if created else None
            keep_alive = self._relay(conn, client, up, head, hijack, kept)
            if kept:  # what the student just made is theirs: no lookup when they next name it by ID
                try:
                    made = json.loads(b"".join(kept)).get("Id")
                except (ValueError, AttributeError):
                    made = None
                if isinstance(made, str) and _FULL_ID.fullmatch(made):
                    self._remember(made, student)
            return keep_alive
        except ConnectionRefusedError:
            _answer(conn, client, 502, "lab proxy: the engine does not answer", close=True)
            return False
        except EngineCut:
            _answer(conn, client, 502, "lab proxy: the engine closed the connection", close=True)
            return False
        finally:
            self._give_back(up)

    def _rewrite(
        self,
        conn: h11.Connection,
        client: socket.socket,
        up: Upstream,
        head: Head,
        op: str,
        student: str,
    ) -> bool:
        """An answer read whole, filtered (``_filter_answer``), and sent with its own length."""
        parts: list[bytes] = []
        size = 0
        for piece in up.body():
            if piece is None:
                continue
            size += len(piece)
            if size > 64 << 20:
                raise Refused("answer", "the engine's answer is too big to filter")
            parts.append(piece)
        body = self._filter_answer(op, head.status, b"".join(parts), student)
        headers = [
            (k, v)
            for k, v in _answer_headers(head)
            if k.lower() not in (b"content-length", b"transfer-encoding")
        ]
        headers.append((b"Content-Length", str(len(body)).encode()))
        client.sendall(
            conn.send(h11.Response(status_code=head.status, headers=headers, reason=head.reason))
            + conn.send(h11.Data(data=body))
            + conn.send(h11.EndOfMessage())
        )
        return conn.our_state is h11.DONE and conn.their_state is h11.DONE

    def _upstream(self, pooled: bool) -> Upstream:
        if pooled:
            with self._pool_lock:
                if self._pool:
                    up = self._pool.pop()
                    up.reused = True
                    return up
        return Upstream(self.engine_socket)

    def _give_back(self, up: Upstream) -> None:
        """A connection whose exchange ended cleanly is kept for the next request; others close."""
        if up.reusable and not up.closed and not up.buffer:
            with self._pool_lock:
                if len(self._pool) < 16:
                    self._pool.append(up)
                    return
        up.close()

    @staticmethod
    def _send(
        up: Upstream, request: Request, conn: h11.Connection, client: socket.socket, hijack: bool
    ) -> None:
        headers = [*request.headers, (b"Host", b"docker")]
        if hijack:
            headers += [(b"Connection", b"Upgrade"), (b"Upgrade", b"tcp")]
        if request.upload is not None:
            size = request.upload.seek(0, os.SEEK_END)
            request.upload.seek(0)
            headers += [
                (b"Content-Type", b"application/x-tar"),
                (b"Content-Length", str(size).encode()),
            ]
            up.send(up.request_head(request.method, request.target, headers))
            while chunk := request.upload.read(1 << 20):
                up.send(chunk)
            return
        if request.body is not None:
            if request.body:
                headers.append((b"Content-Type", b"application/json"))
            headers.append((b"Content-Length", str(len(request.body)).encode()))
            up.send(up.request_head(request.method, request.target, headers) + request.body)
            return
        headers += [(b"Content-Type", b"application/x-tar"), (b"Transfer-Encoding", b"chunked")]
        up.send(up.request_head(request.method, request.target, headers))
        for data in _body_stream(conn, client):
            up.send(b"%x\r\n%s\r\n" % (len(data), data))
        up.send(b"0\r\n\r\n")

    def _relay(
        self,
        conn: h11.Connection,
        client: socket.socket,
        up: Upstream,
        head: Head,
        hijack: bool,
        kept: list[bytes] | None = None,
    ) -> bool:
        """The engine's answer to the client as it comes; a 2xx body is also put in ``kept``. What
        arrived together goes on together (a small answer: one write), and nothing is held back
        while waiting for more (a stream flows as it comes)."""
        client.settimeout(None)
        if head.status == 101 and hijack:
            switch = h11.InformationalResponse(
                status_code=101, headers=head.headers, reason=head.reason
            )
            client.sendall(conn.send(switch))
            leftover = bytes(up.buffer)
            up.buffer.clear()
            _pipe_both(client, conn.trailing_data[0], up.sock, leftover)
            up.close()
            return False
        if head.status >= 300:
            kept = None
        out = bytearray(
            conn.send(
                h11.Response(
                    status_code=head.status, headers=_answer_headers(head), reason=head.reason
                )
            )
        )
        try:
            for piece in up.body():
                if piece is None:  # about to wait for the engine: what is ready goes first
                    if out:
                        client.sendall(out)
                        out.clear()
                    continue
                if kept is not None:
                    kept.append(piece)
                out += conn.send(h11.Data(data=piece))
        except EngineCut:  # the client must see a cut, not an end
            if out:
                client.sendall(out)
            return False
        client.sendall(out + conn.send(h11.EndOfMessage()))
        return conn.their_state is h11.DONE and conn.our_state is h11.DONE


def _next(conn: h11.Connection, sock: socket.socket) -> Any:
    while True:
        event = conn.next_event()
        if event is not h11.NEED_DATA:
            return event
        conn.receive_data(sock.recv(65536))


def _body_stream(conn: h11.Connection, client: socket.socket) -> Iterator[bytes]:
    while True:
        event = _next(conn, client)
        if isinstance(event, h11.EndOfMessage):
            return
        if not isinstance(event, h11.Data):
            raise Refused("body", "the request body ended before its end")
        yield bytes(event.data)


def _drain(
    conn: h11.Connection, client: socket.socket, limit: int = 64 << 20, seconds: float = 5.0
) -> None:
    """Read and drop what is left of a refused request's body (a client that is still sending would
    otherwise see a broken pipe, not the refusal), within limits."""
    deadline, read = time.monotonic() + seconds, 0
    try:
        while read < limit and time.monotonic() < deadline:
            client.settimeout(max(deadline - time.monotonic(), 0.01))
            event = _next(conn, client)
            if not isinstance(event, h11.Data):
                return
            read += len(event.data)
    except (OSError, h11.ProtocolError):
        pass


def _answer(
    conn: h11.Connection, client: socket.socket, status: int, message: str, close: bool = False
) -> None:
    """An error answered as the engine answers one: JSON with its ``message``; ``close`` says the
    connection ends after it (so a kept-alive client knows not to send on it)."""
    body = json.dumps({"message": message}).encode()
    headers = [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(body))),
        ("Api-Version", API_VERSION),
    ]
    if close:
        headers.append(("Connection", "close"))
    try:
        if conn.our_state is h11.SEND_RESPONSE:
            client.sendall(conn.send(h11.Response(status_code=status, headers=headers)))
            client.sendall(conn.send(h11.Data(data=body)) + conn.send(h11.EndOfMessage()))
    except (OSError, h11.LocalProtocolError):
        pass


def _answer_headers(head: Head) -> list[tuple[bytes, bytes]]:
    """The engine's headers for the client: the lab's API version (so clients negotiate the one it
    forwards as), and ``Connection: close`` when the engine ends the connection after this answer."""
    skip = (b"connection", b"keep-alive", b"api-version")
    headers = [(k, v) for k, v in head.headers if k.lower() not in skip]
    headers.append((b"Api-Version", API_VERSION.encode()))
    if head.closes:
        headers.append((b"Connection", b"close"))
    return headers


def _turn_away(client: socket.socket, most: int) -> None:
    """A connection over the student's cap: one answer saying so, then closed."""
    conn = h11.Connection(h11.SERVER)
    try:
        client.settimeout(2)
        event = _next(conn, client)
        if isinstance(event, h11.Request):
            _answer(
                conn, client, 503, f"lab proxy: at most {most} connections at once each", close=True
            )
    except (OSError, h11.ProtocolError):
        pass
    finally:
        client.close()


def _more_files() -> None:
    """The process's descriptor limit raised to its hard limit: a connection a descriptor."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class _Held:
    """Several locks held together, always taken in the same order."""

    def __init__(self, locks: list[threading.Lock]) -> None:
        self.locks = locks

    def __enter__(self) -> None:
        for lock in self.locks:
            lock.acquire()

    def __exit__(self, *exc: object) -> None:
        for lock in reversed(self.locks):
            lock.release()


@cache
def _passed_headers(operation: str) -> frozenset[bytes]:
    """The client's headers an operation passes on: those its spec names, and User-Agent."""
    named = {h.lower().encode() for h in operations()[operation]["headers"]}
    return frozenset(_PASSED_HEADERS & named | {b"user-agent"})


def _lookup(inspect: Any, name: str) -> dict[str, Any] | None:
    """What the engine finds by that name, or None: not there, not a name, or an ID prefix of
    several. An engine that does not answer is not "none": that error goes on."""
    if not name or "/" in name or name in (".", ".."):
        return None
    return _inspected(inspect, name)


def _inspected(inspect: Any, name: str) -> dict[str, Any] | None:
    """``inspect(name)``, or None where the engine has no such object (or several by that prefix)."""
    try:
        found = inspect(name)
    except (Missing, APIError):
        return None
    return found if isinstance(found, dict) else None


def _owner(obj: dict[str, Any]) -> str | None:
    labels = (obj.get("Config") or {}).get("Labels") if "Config" in obj else obj.get("Labels")
    return (labels or {}).get(STUDENT_LABEL)


def _refs(tag: str) -> list[references.Reference]:
    try:
        return [references.tagged(tag)]
    except Refused:
        return []


def _check_binds_again(info: dict[str, Any], policy: Policy) -> None:
    """At start, the container's host folders checked again: a folder cannot have become a link."""
    host = info.get("HostConfig") or {}
    for spec in host.get("Binds") or []:
        source, _, rest = str(spec).partition(":")
        if source.startswith("/"):
            check_host_path(source, "ro" in rest.partition(":")[2].split(","), policy)
    for mount in host.get("Mounts") or []:
        if str(mount.get("Type")).lower() == "bind":
            check_host_path(str(mount.get("Source") or ""), bool(mount.get("ReadOnly")), policy)


def _target(raw: bytes) -> tuple[str, list[tuple[str, str]]]:
    """(decoded path without its version, query pairs); anything ambiguous is refused, not
    normalised. Whatever version was asked for, the request is forwarded as the lab's."""
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        raise Refused("path", "a request path that is not ASCII") from None
    path, _, query = text.partition("?")
    if "#" in text or ";" in query or not path.startswith("/"):
        raise Refused("path", f"an unusual request target {text[:80]!r}")
    decoded = unquote(path, errors="strict")
    if "%" in decoded or "\\" in decoded or any(ord(c) < 0x21 or ord(c) == 0x7F for c in decoded):
        raise Refused("path", f"an encoded or odd character in the path {path[:80]!r}")
    segments = decoded.split("/")[1:]
    if any(s in ("", ".", "..") for s in segments[:-1]) or segments[-1] in (".", ".."):
        raise Refused("path", f"'//', '.' or '..' in the path {path[:80]!r}")
    version = _VERSION.match(decoded)
    rest = version.group(2) if version else decoded
    if rest.startswith("/v") and re.match(r"/v\d", rest):
        raise Refused("path", "a second version prefix")
    return rest, parse_qsl(query, keep_blank_values=True)


def _param(request: Request, key: str) -> str | None:
    values = [v for k, v in request.query if k == key]
    if len(values) > 1:
        raise Refused("query", f"the parameter {key} is given twice")
    return values[0] if values else None


def _add_filter(request: Request, label: str) -> None:
    """The student's label added to a list's filters (label filters must all match)."""
    raw = _param(request, "filters")
    try:
        filters = json.loads(raw) if raw else {}
    except ValueError:
        raise Refused("query", "filters is not JSON") from None
    if not isinstance(filters, dict):
        raise Refused("query", "filters must be a JSON object")
    for key in [k for k in filters if k.lower() == "label" and k != "label"]:
        raise Refused("query", f"the filter {key!r}: write it label")
    for key, values in list(filters.items()):
        # the engine reads filters all as lists or all as {value: true} maps: written back as lists
        if isinstance(values, dict):
            if not all(v is True for v in values.values()):
                raise Refused("query", f"the filter {key!r}: each value must be true")
            values = list(values)
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise Refused("query", f"the filter {key!r} must be a list of strings")
        filters[key] = values
    filters["label"] = [*filters.get("label", []), label]
    request.query = [(k, v) for k, v in request.query if k != "filters"] + [
        ("filters", json.dumps(filters))
    ]


def _upgrading(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(k.lower() == b"upgrade" and v.strip().lower() == b"tcp" for k, v in headers)


def _pipe_both(
    client: socket.socket, from_client: bytes, upstream: socket.socket, from_engine: bytes
) -> None:
    """A hijacked stream, both ways, each half closed when its side is done."""

    def pump(src: socket.socket, dst: socket.socket, first: bytes) -> None:
        try:
            if first:
                dst.sendall(first)
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    inbound = threading.Thread(target=pump, args=(client, upstream, from_client), daemon=True)
    inbound.start()
    pump(upstream, client, from_engine)
    inbound.join(timeout=1)


__all__ = ["LabProxy"]
