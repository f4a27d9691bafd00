"""The lab endpoint: a proxy that owns the engine's socket and gives each student a socket of their
own, through which every request is read whole (HTTP parsed by h11), checked against the policy,
rewritten where the policy says (labels, limits, list filters) and only then sent on. Answers and
hijacked streams (attach, exec) are relayed as they come, never buffered.

Refusals are answered as the engine answers errors (JSON ``message``), so the docker CLI and
dockmagic both show one line naming the rule; another student's resource is answered 404, as if
absent. What the proxy cannot read whole (too big, cut, framed two ways) it refuses: it fails closed.
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode

import h11

from ..engine import Engine
from ..errors import DockerError, NotFound
from .policy import STUDENT_LABEL, Policy, student_filter
from .routes import Route, match
from .rules import Hidden, Refused, check_container, check_exec, check_host, check_network, check_volume, parse_body

ENGINE_SOCKET = "/var/run/docker.sock"
IDLE = 300.0  # seconds a kept-alive connection may wait for its next request
READ = 30.0  # seconds a request may take to arrive whole
_HOP = {b"connection", b"keep-alive", b"transfer-encoding", b"content-length", b"host", b"upgrade", b"te", b"trailer"}
_FULL_ID = re.compile(r"[0-9a-f]{64}")
_VERSION = re.compile(r"/v(\d{1,2}\.\d{1,3})(/.*)\Z")
_JSON_BODY = {
    "ContainerCreate": "container",
    "ContainerUpdate": "update",
    "ContainerExec": "exec",
    "ExecStart": "plain",
    "NetworkCreate": "network",
    "NetworkConnect": "plain",
    "NetworkDisconnect": "plain",
    "VolumeCreate": "volume",
}
_STREAMED_BODY = {"PutContainerArchive", "ImageBuild", "ImageLoad"}
_HIJACK = {"ContainerAttach", "ExecStart"}
_LISTS = {"ContainerList", "NetworkList", "VolumeList", "SystemEvents", "ContainerPrune"}
_SINGLE = {"filters", "fromImage", "fromSrc", "tag", "repo", "networkmode", "all", "path", "name"}


@dataclass
class Activity:
    """What a student did last, for the class view."""

    requests: int = 0
    refused: int = 0
    last: float = 0.0
    rules: dict[str, int] = field(default_factory=dict)


@dataclass
class Request:
    method: str
    path: str  # decoded, without the version prefix
    prefix: str  # "/v1.41" or ""
    query: list[tuple[str, str]]
    headers: list[tuple[bytes, bytes]]
    route: Route
    ids: dict[str, str]
    body: bytes | None = None  # whole (JSON), or None: streamed after the decision

    @property
    def target(self) -> bytes:
        path = quote(self.prefix + self.path, safe="/:@")
        return (path + ("?" + urlencode(self.query) if self.query else "")).encode()


class LabProxy:
    """Serves every student of ``policy`` on their own unix socket; ``close()`` stops it all."""

    def __init__(self, policy: Policy, engine_socket: str = ENGINE_SOCKET) -> None:
        self.policy, self.engine_socket = policy, engine_socket
        self.engine = Engine(f"unix://{engine_socket}")
        self.activity = {s: Activity() for s in policy.students}
        self._servers: list[socket.socket] = []
        self._closing = False
        self._pool: list[_Upstream] = []  # idle connections to the engine
        self._owners: dict[str, str | None] = {}  # full container and exec IDs -> their student
        self._pool_lock = threading.Lock()

    def start(self) -> LabProxy:
        for student, uid in self.policy.students.items():
            path = self.policy.endpoint(student)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.unlink(missing_ok=True)
            server = socket.socket(socket.AF_UNIX)
            server.bind(str(path))
            os.chmod(path, 0o600)
            if uid is not None:
                os.chown(path, uid, -1)  # the student's alone
            server.listen(64)
            self._servers.append(server)
            threading.Thread(target=self._accept, args=(server, student), daemon=True, name=f"lab-{student}").start()
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
        while not self._closing:
            try:
                client, _ = server.accept()
            except OSError:
                return
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
        except (h11.RemoteProtocolError, ValueError) as exc:  # not HTTP we can read whole: fail closed
            _answer(conn, client, 400, f"lab proxy: the request cannot be read whole ({exc})")
        except (OSError, h11.LocalProtocolError):
            pass
        finally:
            client.close()

    def _handle(self, conn: h11.Connection, client: socket.socket, student: str, event: h11.Request) -> bool:
        """One request; whether the connection can carry another."""
        seen = self.activity[student]
        seen.requests, seen.last = seen.requests + 1, time.time()
        try:
            request = self._read(conn, client, event)
            try:
                self._decide(request, student)
            except (TypeError, AttributeError, ValueError, KeyError) as exc:  # a field of an odd type
                raise Refused("json", f"a field of the body is not of the type the API says ({exc})") from None
        except DockerError as exc:  # the engine failed a lookup: answered, never let through
            _answer(conn, client, 502, f"lab proxy: {exc}")
            return conn.their_state is h11.DONE
        except (Refused, Hidden) as exc:
            if isinstance(exc, Refused):
                seen.refused += 1
                seen.rules[exc.rule] = seen.rules.get(exc.rule, 0) + 1
            whole = conn.their_state in (h11.DONE, h11.MIGHT_SWITCH_PROTOCOL)
            _answer(conn, client, 403 if isinstance(exc, Refused) else 404, str(exc))
            if not whole:  # the body was not read: let the client finish sending it, then close
                _drain(conn, client)
            return whole
        return self._forward(conn, client, request, student)

    def _read(self, conn: h11.Connection, client: socket.socket, event: h11.Request) -> Request:
        """The request's target checked and its body read whole (unless it is streamed)."""
        method = event.method.decode("ascii")
        prefix, path, query = _target(event.target)
        found = match(method, path)
        if found is None:
            raise Refused("operations", f"{method} {path} is not an Engine API operation this lab knows")
        route, ids = found
        if route.operation not in self.policy.operations:
            raise Refused("operations", f"{route.operation} is not allowed in this lab")
        request = Request(method, path, prefix, query, list(event.headers), route, ids)
        for key in _SINGLE:  # the engine reads the first of repeated parameters: none are let through
            _single(request, key)
        if route.operation not in _STREAMED_BODY:
            request.body = self._body(conn, client, route.operation)
        return request

    def _body(self, conn: h11.Connection, client: socket.socket, operation: str) -> bytes:
        parts: list[bytes] = []
        size = 0
        while True:
            event = _next(conn, client)
            if isinstance(event, h11.EndOfMessage):
                return b"".join(parts)
            if not isinstance(event, h11.Data):
                raise Refused("body", "the request body ended before its end")
            size += len(event.data)
            if size > self.policy.body_limit:
                raise Refused("body", f"a body over {self.policy.body_limit} bytes is not read for {operation}")
            parts.append(event.data)

    # -- the policy ------------------------------------------------------------------------------------

    def _decide(self, request: Request, student: str) -> None:
        op, route = request.route.operation, request.route
        if route.owned:
            name = request.ids["id"]
            if not self._owns(route.owned, name, student):
                raise Hidden(route.owned, name) if route.owned != "exec" else Hidden("exec instance", name)
        if op in _HIJACK and not _upgrading(request.headers):
            detached = op == "ExecStart" and bool(parse_body(request.body or b"{}").get("Detach"))
            if not detached:
                raise Refused("hijack", f"{op} is relayed only as an upgraded stream (Upgrade: tcp)")
        if op in _LISTS:
            _add_filter(request, *student_filter(student)["label"])
        owns = lambda kind, name: self._owns(kind, name, student)  # noqa: E731
        kind = _JSON_BODY.get(op)
        if kind is None:
            if op == "ImageCreate":
                self._check_pull(request)
            elif op == "ImageBuild":
                mode = _single(request, "networkmode") or "default"
                if mode not in ("default", "bridge", "none"):
                    raise Refused("network", f"builds on the {mode} network are not allowed")
            return
        body = parse_body(request.body or b"")
        if kind == "container":
            mine = self.engine.container_list(all=True, filters=student_filter(student))
            if len(mine) >= self.policy.containers:
                raise Refused("containers", f"at most {self.policy.containers} containers each (remove some first)")
            body = check_container(body, self.policy, student, owns, self._image_refs)
        elif kind == "update":
            check_host(body, self.policy, owns, update=True)
        elif kind == "exec":
            body = check_exec(body)
        elif kind == "network":
            body = check_network(body, student)
        elif kind == "volume":
            body = check_volume(body, student)
        elif op in ("NetworkConnect", "NetworkDisconnect"):
            container = str(body.get("Container") or next((v for k, v in body.items() if k.lower() == "container"), ""))
            if not self._owns("container", container, student):
                raise Hidden("container", container)
        request.body = json.dumps(body).encode()

    def _owns(self, kind: str, name: str, student: str) -> bool:
        if kind in ("container", "exec") and _FULL_ID.fullmatch(name) and name in self._owners:
            return self._owners[name] == student  # an ID is never reused, nor its owner's label changed
        try:
            if kind == "container":
                info = self.engine.container_inspect(name)
                owner = (info["Config"].get("Labels") or {}).get(STUDENT_LABEL)
                self._remember(info["Id"], owner)
                return owner == student
            elif kind == "exec":
                container = self.engine.exec_inspect(name).get("ContainerID") or ""
                owned = bool(container) and self._owns("container", container, student)
                self._remember(name, student if owned else self._owners.get(container))
                return owned
            elif kind == "network":
                labels = self.engine.network_inspect(name).get("Labels") or {}
            else:
                labels = self.engine.volume_inspect(name).get("Labels") or {}
        except NotFound:
            return False
        return labels.get(STUDENT_LABEL) == student

    def _remember(self, full_id: str, owner: str | None) -> None:
        if len(self._owners) > 100_000:
            self._owners.clear()
        self._owners[full_id] = owner

    def _image_refs(self, image: str) -> list[str]:
        """The names an image goes by: as given, with its tag, and its local tags (for an ID)."""
        refs = [image, image if ":" in image.rsplit("/", 1)[-1] or "@" in image else f"{image}:latest"]
        try:
            refs += self.engine.image_inspect(image).get("RepoTags") or []
        except NotFound:
            pass
        return refs

    def _check_pull(self, request: Request) -> None:
        if _single(request, "fromSrc") is not None:
            raise Refused("images", "importing images is not allowed")
        image, tag = _single(request, "fromImage") or "", _single(request, "tag") or ""
        ref = f"{image}:{tag}" if tag and "@" not in image else image
        if not self.policy.image_allowed(ref, image if tag else f"{image}:latest"):
            raise Refused("images", f"{ref} is not among the lab's images ({', '.join(self.policy.images)})")

    # -- on to the engine, and the answer back ------------------------------------------------------

    def _forward(self, conn: h11.Connection, client: socket.socket, request: Request, student: str) -> bool:
        hijack = request.route.operation in _HIJACK and _upgrading(request.headers)
        whole = request.body is not None and not hijack  # can be sent again on a fresh connection
        up = self._upstream(pooled=whole)
        try:
            try:
                self._send(up, request, conn, client, hijack)
                first = _next(up.http, up.sock)
                if isinstance(first, h11.ConnectionClosed):
                    raise ConnectionResetError("the engine closed a kept connection")
            except (OSError, h11.RemoteProtocolError):
                if not up.reused:
                    raise
                up.close()  # a kept connection the engine had closed: once more on a new one
                up = self._upstream(pooled=False)
                self._send(up, request, conn, client, hijack)
                first = _next(up.http, up.sock)
            created = request.route.operation in ("ContainerCreate", "ContainerExec")
            kept: list[bytes] | None = [] if created else None
            keep_alive = self._relay(conn, client, up, first, hijack, kept)
            if kept:  # what the student just made is theirs: no lookup when they next name it by ID
                try:
                    made = json.loads(b"".join(kept)).get("Id")
                except (ValueError, AttributeError):
                    made = None
                if isinstance(made, str) and _FULL_ID.fullmatch(made):
                    self._remember(made, student)
            return keep_alive
        except ConnectionRefusedError:
            _answer(conn, client, 502, "lab proxy: the engine does not answer")
            return False
        finally:
            self._give_back(up)

    def _upstream(self, pooled: bool) -> _Upstream:
        if pooled:
            with self._pool_lock:
                if self._pool:
                    up = self._pool.pop()
                    up.reused = True
                    return up
        return _Upstream(self.engine_socket)

    def _give_back(self, up: _Upstream) -> None:
        """A connection whose exchange ended cleanly is kept for the next request; others close."""
        if up.http.our_state is h11.DONE and up.http.their_state is h11.DONE and not up.closed:
            up.http.start_next_cycle()
            with self._pool_lock:
                if len(self._pool) < 16:
                    self._pool.append(up)
                    return
        up.close()

    @staticmethod
    def _send(up: _Upstream, request: Request, conn: h11.Connection, client: socket.socket, hijack: bool) -> None:
        headers = [(k, v) for k, v in request.headers if k.lower() not in _HOP]
        headers.append((b"Host", b"docker"))
        if hijack:
            headers += [(b"Connection", b"Upgrade"), (b"Upgrade", b"tcp")]
        if request.body is not None:
            headers.append((b"Content-Length", str(len(request.body)).encode()))
        else:
            headers.append((b"Transfer-Encoding", b"chunked"))
        head = up.http.send(h11.Request(method=request.method, target=request.target, headers=headers))
        if request.body is not None:
            up.sock.sendall(head + up.http.send(h11.Data(data=request.body)) + up.http.send(h11.EndOfMessage()))
            return
        up.sock.sendall(head)
        for data in _body_stream(conn, client):
            up.sock.sendall(up.http.send(h11.Data(data=data)))
        up.sock.sendall(up.http.send(h11.EndOfMessage()))

    def _relay(
        self,
        conn: h11.Connection,
        client: socket.socket,
        up: _Upstream,
        event: Any,
        hijack: bool,
        kept: list[bytes] | None = None,
    ) -> bool:
        """The engine's answer to the client as it comes; a 2xx body is also put in ``kept``. What
        arrived together goes on together (a small answer: one write), and nothing is held back
        while waiting for more (a stream flows as it comes)."""
        client.settimeout(None)
        out = bytearray()
        while True:
            if isinstance(event, h11.InformationalResponse):
                if event.status_code == 101 and hijack:
                    switch = h11.InformationalResponse(status_code=101, headers=event.headers, reason=event.reason)
                    client.sendall(out + conn.send(switch))
                    _pipe_both(client, conn.trailing_data[0], up.sock, up.http.trailing_data[0])
                    up.close()
                    return False
            elif isinstance(event, h11.Response):
                if event.status_code >= 300:
                    kept = None
                headers = [(k, v) for k, v in event.headers if k.lower() not in (b"connection", b"keep-alive")]
                out += conn.send(h11.Response(status_code=event.status_code, headers=headers, reason=event.reason))
            elif isinstance(event, h11.Data):
                if kept is not None:
                    kept.append(bytes(event.data))
                out += conn.send(h11.Data(data=event.data))
            elif isinstance(event, h11.EndOfMessage):
                client.sendall(out + conn.send(h11.EndOfMessage()))
                return conn.their_state is h11.DONE and conn.our_state is h11.DONE
            else:  # the engine closed mid-answer: the client must see a cut, not an end
                if out:
                    client.sendall(out)
                return False
            event = up.http.next_event()
            if event is h11.NEED_DATA:  # about to wait for the engine: what is ready goes first
                if out:
                    client.sendall(out)
                    out.clear()
                event = _next(up.http, up.sock)


class _Upstream:
    """A connection to the engine with its HTTP state; kept between requests when it can be."""

    def __init__(self, path: str) -> None:
        self.sock = socket.socket(socket.AF_UNIX)
        try:
            self.sock.connect(path)
        except OSError:
            self.sock.close()
            raise
        self.http = h11.Connection(h11.CLIENT)
        self.reused = self.closed = False

    def close(self) -> None:
        self.closed = True
        self.sock.close()


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


def _drain(conn: h11.Connection, client: socket.socket, limit: int = 64 << 20, seconds: float = 5.0) -> None:
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


def _answer(conn: h11.Connection, client: socket.socket, status: int, message: str) -> None:
    """An error answered as the engine answers one: JSON with its ``message``."""
    body = json.dumps({"message": message}).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    try:
        if conn.our_state is h11.SEND_RESPONSE:
            client.sendall(conn.send(h11.Response(status_code=status, headers=headers)))
            client.sendall(conn.send(h11.Data(data=body)) + conn.send(h11.EndOfMessage()))
    except (OSError, h11.LocalProtocolError):
        pass


def _target(raw: bytes) -> tuple[str, str, list[tuple[str, str]]]:
    """(version prefix, decoded path, query pairs); anything ambiguous is refused, not normalised."""
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
    prefix, rest = (f"/v{version.group(1)}", version.group(2)) if version else ("", decoded)
    if rest.startswith("/v") and re.match(r"/v\d", rest):
        raise Refused("path", "a second version prefix")
    return prefix, rest, parse_qsl(query, keep_blank_values=True)


def _single(request: Request, key: str) -> str | None:
    values = [v for k, v in request.query if k == key]
    if len(values) > 1:
        raise Refused("query", f"the parameter {key} is given twice")
    return values[0] if values else None


def _add_filter(request: Request, label: str) -> None:
    """The student's label added to a list's filters (label filters must all match)."""
    raw = _single(request, "filters")
    try:
        filters = json.loads(raw) if raw else {}
    except ValueError:
        raise Refused("query", "filters is not JSON") from None
    if not isinstance(filters, dict):
        raise Refused("query", "filters must be a JSON object")
    for key in [k for k in filters if k.lower() == "label" and k != "label"]:
        raise Refused("query", f"the filter {key!r}: write it label")
    labels = filters.get("label") or []
    if isinstance(labels, dict):
        labels = [k for k, v in labels.items() if v]
    if not isinstance(labels, list):
        raise Refused("query", "the label filter must be a list")
    filters["label"] = [*labels, label]
    request.query = [(k, v) for k, v in request.query if k != "filters"] + [("filters", json.dumps(filters))]


def _upgrading(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(k.lower() == b"upgrade" and v.strip().lower() == b"tcp" for k, v in headers)


def _pipe_both(client: socket.socket, from_client: bytes, upstream: socket.socket, from_engine: bytes) -> None:
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


def serve(policy_path: str | os.PathLike[str], engine_socket: str = ENGINE_SOCKET) -> LabProxy:
    from .policy import load

    return LabProxy(load(policy_path), engine_socket).start()


__all__ = ["LabProxy", "serve"]
