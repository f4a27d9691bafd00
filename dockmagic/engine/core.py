"""The one request path: versioned URLs, parameters, error mapping, timeouts and streams."""

from __future__ import annotations

import contextlib
import json as jsonlib
import os
import select
import socket
import ssl
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, ClassVar, TypeVar
from urllib.parse import quote

import requests
import urllib3.exceptions

from ..errors import APIError, EngineUnavailable, Missing, StreamError, api_error
from . import shapes, versions
from .hosts import Host, TLSConfig, resolve_host
from .shapes import Shape, check
from .streams import Chunk, Stream, demux, progress
from .transport import BaseTransport, HijackedSocket, Transport

# Seconds for a plain answer (streams, prunes and commits wait as long as they take; Ctrl-C ends
# any wait). docker-py's default; DOCKER_CLIENT_TIMEOUT sets it, as for docker-compose.
READ_TIMEOUT = 60.0
Params = dict[str, Any]


def client_timeout() -> float:
    text = os.environ.get("DOCKER_CLIENT_TIMEOUT", "")
    try:
        return float(text) if text and 0 < float(text) < 1e6 else READ_TIMEOUT
    except ValueError:
        return READ_TIMEOUT


def _dots(segment: str) -> str:
    """``.`` and ``..`` as a whole segment would be read as a path step: written escaped."""
    return segment.replace(".", "%2E") if segment in (".", "..") else segment


def quote_segment(value: str) -> str:
    """Quote one path segment (container, network, volume, exec id): nothing in it can reach
    another endpoint (``/``, ``..``, ``?`` and ``#`` are escaped). An empty one is refused: the
    engine would read ``/networks/`` as the list of all."""
    if not str(value):
        raise Missing("no such object: an empty name")
    return _dots(quote(str(value), safe=""))


def quote_image(name: str) -> str:
    """Quote an image reference; the engine routes image names with slashes as they are, so each
    part between slashes is quoted on its own (``../containers/x`` stays a name)."""
    if not str(name):
        raise Missing("no such image: an empty name")
    return "/".join(_dots(quote(part, safe=":@")) for part in str(name).split("/"))


def encode_params(params: Params | None) -> dict[str, Any]:
    """Drop unset values; booleans as 1/0; dicts (filters, labels, buildargs) as JSON; lists
    become repeated parameters (``t=a&t=b``)."""
    out: dict[str, Any] = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[key] = "1" if value else "0"
        elif isinstance(value, dict):
            if key == "filters":  # {"label": "a=b"} -> {"label": ["a=b"]}
                value = {k: v if isinstance(v, list | dict) else [str(v)] for k, v in value.items()}
            out[key] = jsonlib.dumps(value)
        elif isinstance(value, list | tuple):
            out[key] = [str(v) for v in value]
        else:
            out[key] = str(value)
    return out


BULK = 1 << 20  # an archive's pieces: fewer, larger reads (the engine sends 32 KB chunks)


def byte_stream(resp: requests.Response, bulk: bool = False) -> Stream[bytes]:
    """A streaming response as a closable stream of its bytes; ``bulk`` for data read as fast as
    it comes (archives), in large pieces rather than as each piece arrives (live output)."""
    return Stream(raw_chunks(resp, BULK if bulk else 65536, bulk), resp.close, _shutter(resp))


def _shutter(resp: requests.Response) -> Callable[[], None]:
    """What wakes a thread blocked reading ``resp``: its socket shut both ways (a read then sees
    the end). The connection is this answer's until it is read to its end."""
    connection = getattr(resp.raw, "connection", None)

    def shut() -> None:
        if getattr(resp.raw, "connection", None) is not connection:
            return  # read to its end: the connection went back to the pool, another's now
        sock = getattr(connection, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    return shut


def raw_chunks(resp: requests.Response, size: int = 65536, bulk: bool = False) -> Iterator[bytes]:
    """A streaming response's bytes as they arrive; a broken connection raises StreamError."""
    read = resp.raw.read if bulk else resp.raw.read1
    try:
        while True:
            data = read(size)
            if not data:
                return
            yield data
    except (urllib3.exceptions.ReadTimeoutError, TimeoutError) as exc:
        raise StreamError(f"the engine went silent in the middle of a stream ({exc})") from None
    except (urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
        raise StreamError(f"the stream from the engine broke off: {exc}") from None
    finally:
        resp.close()


class Pending:
    """An answer whose head has come and whose body comes later (a wait registered before the
    container starts): ``arrived`` looks without reading, so the caller can decide what a long
    silence means."""

    def __init__(self, resp: requests.Response, where: str) -> None:
        self._resp, self._where = resp, where

    def arrived(self, timeout: float) -> bool:
        """Whether the body has begun to come within ``timeout`` seconds. False also when that
        cannot be seen (no descriptor; data already buffered above the socket): callers then ask."""
        sock = getattr(self._resp.raw.connection, "sock", None)
        if isinstance(sock, ssl.SSLSocket) and sock.pending():
            return True
        try:
            fd = self._resp.raw.fileno()
        except (OSError, ValueError):
            return False
        readable, _, _ = select.select([fd], [], [], timeout)
        return bool(readable)

    def json(self, shape: Shape) -> dict[str, Any]:
        """Read the body (blocking) as one JSON object checked against the API's ``shape``."""
        body = b"".join(raw_chunks(self._resp))
        if not body:
            raise StreamError(f"the answer to {self._where} ended before it said anything")
        try:
            answer = jsonlib.loads(body)
        except ValueError:
            raise StreamError(f"the engine sent malformed JSON for {self._where}") from None
        return check(answer, shape, self._where)

    def close(self) -> None:
        self._resp.close()


_Self = TypeVar("_Self", bound="EngineCore")


# Called before each create with (engine, kind, labels), returning the labels to send. kind is
# container, volume, network, image (a build), commit, service, secret or config.
CreateHook = Callable[["EngineCore", str, dict[str, Any]], dict[str, Any]]


class EngineCore:
    """Connection, version negotiation and the request helpers every endpoint method uses."""

    # The engine client adds nothing to what it is asked to make; a session (the helpers') installs
    # a hook that adds its labels (see helpers/engines/labels.py), so the client needs no session.
    create_hooks: ClassVar[list[CreateHook]] = []

    def __init__(
        self,
        host: str | Host | None = None,
        *,
        tls: TLSConfig | None = None,
        version: str | None = None,
        timeout: float | None = None,
        connect_timeout: float | None = None,  # None: DOCKMAGIC_CONNECT_TIMEOUT, or by host kind
        transport: BaseTransport | None = None,
    ) -> None:
        if transport is not None:
            self.host: Host = transport.host
        elif isinstance(host, Host):  # resolved already (a context): keeps where it came from
            self.host = host if tls is None else Host(host.url, host.source, tls)
        else:
            self.host = resolve_host(host, tls)
        self.transport: BaseTransport = transport or Transport(self.host, connect_timeout)
        self.timeout = timeout if timeout is not None else client_timeout()
        self._version = version or os.environ.get("DOCKER_API_VERSION") or None
        if self._version:
            versions.negotiate(self._version)  # validate early
        self._version_lock = threading.Lock()
        self._server_version: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return f"<Engine {self.host} api={self._version or 'not negotiated'}>"

    @classmethod
    def on_create(cls, hook: CreateHook) -> None:
        """Call ``hook`` before every create from now on (once, however often it is installed)."""
        if hook not in cls.create_hooks:
            cls.create_hooks.append(hook)

    def labelled(self, kind: str, labels: Mapping[str, Any] | None) -> dict[str, Any]:
        """The labels a create of ``kind`` sends: the caller's, as the create hooks leave them."""
        out = dict(labels or {})
        for hook in self.create_hooks:
            out = hook(self, kind, out)
        return out

    # -- versions --------------------------------------------------------------------------

    @property
    def api_version(self) -> str:
        """The API version spoken with this engine: one GET /version, then cached."""
        if self._version is None:
            with self._version_lock:
                if self._version is None:
                    info = self.version_info()
                    self._version = versions.negotiate(str(info.get("ApiVersion", "0")))
        return self._version

    def version_info(self) -> dict[str, Any]:
        """The engine's ``/version`` answer, asked once."""
        if self._server_version is None:
            self._server_version = self._json("GET", "/version", shapes.OBJ, versioned=False)
        return self._server_version

    def podman_version(self) -> str | None:
        """Podman's version when this engine is Podman's Docker-compatible service (its
        ``/version`` lists a "Podman Engine" component), else None (also when it will not say)."""
        try:
            parts = self.version_info().get("Components") or []
        except (APIError, StreamError):
            return None
        for part in parts if isinstance(parts, list) else []:
            if isinstance(part, dict) and part.get("Name") == "Podman Engine":
                return str(part.get("Version") or "?")
        return None

    def require(self, needed: str, what: str) -> None:
        """Fail with "WHAT needs API >= X, this engine speaks Y" when the engine is too old."""
        versions.require(self.api_version, needed, what)

    def close(self) -> None:
        self.transport.close()

    def __enter__(self: _Self) -> _Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- requests ----------------------------------------------------------------------------

    def _path(self, path: str, versioned: bool = True) -> str:
        return f"/v{self.api_version}{path}" if versioned else path

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: Any = None,
        data: bytes | Iterable[bytes] | Any = None,
        headers: dict[str, str] | None = None,
        stream: bool = False,
        timeout: float | None = -1.0,
        versioned: bool = True,
    ) -> requests.Response:
        """Send a request; any error status raises the matching APIError."""
        full = self._path(path, versioned)
        read_timeout = (None if stream else self.timeout) if timeout == -1.0 else timeout
        resp = self.transport.request(
            method,
            full,
            params=encode_params(params),
            json=json,
            data=data,
            headers=headers,
            stream=stream,
            read_timeout=read_timeout,
        )
        if 300 <= resp.status_code < 400 and resp.status_code != 304:  # 304: already in that state
            resp.close()  # a redirect is no success: the engine cleaned a path ('..', '//') in a name
            raise Missing(
                f"no such object: the engine redirected {method} {path} (a name with '..' or '/')"
            )
        if resp.status_code >= 400:
            try:
                body = resp.content
            except requests.RequestException:
                body = b""
            resp.close()
            raise api_error(resp.status_code, body, method, path)
        return resp

    def _json(self, method: str, path: str, shape: Shape | None = None, **kwargs: Any) -> Any:
        """A request whose answer is JSON (or empty: None), of the API's ``shape`` when given."""
        resp = self._request(method, path, **kwargs)
        try:
            value = resp.json() if resp.content.strip() else None
            return value if shape is None else check(value, shape, f"{method} {path}")
        except ValueError:
            raise StreamError(f"the engine sent malformed JSON for {method} {path}") from None
        except requests.RequestException as exc:
            raise StreamError(f"the answer to {method} {path} broke off: {exc}") from None

    def _ok(self, method: str, path: str, **kwargs: Any) -> None:
        """A request whose answer carries nothing (204, or 304 'already in that state')."""
        self._request(method, path, **kwargs).close()

    def _bytes(self, method: str, path: str, bulk: bool = False, **kwargs: Any) -> Stream[bytes]:
        """A streamed answer as raw bytes (export, save, archive: ``bulk``)."""
        return byte_stream(self._request(method, path, stream=True, **kwargs), bulk)

    def _upload(
        self,
        method: str,
        path: str,
        data: Any = None,
        params: Params | None = None,
        headers: dict[str, str] | None = None,
        **_: Any,
    ) -> Stream[memoryview] | None:
        """A body of file slices (helpers/archive.TarBody) sent by the transport's own upload, file
        contents by sendfile; its answer as it comes. None when the body or the transport has no
        way: the caller then sends it through the pooled client."""
        if not hasattr(data, "segments"):
            return None
        pieces = self.transport.upload(
            method, self._path(path), encode_params(params), headers or {}, data
        )
        return Stream(pieces, pieces.close)

    def _download(
        self, method: str, path: str, params: Params | None = None
    ) -> tuple[dict[str, str], Stream[memoryview]]:
        """A bulk answer (archives, exports, saves): its header fields (lower-case names) and its
        body, read off a socket of its own in large pieces (see rawhttp)."""
        fields, pieces = self.transport.download(
            method, self._path(path), encode_params(params), self.timeout
        )
        return fields, Stream(pieces, lambda: None)  # closing the pieces closes their socket

    def _json_stream(
        self, method: str, path: str, operation: str, shape: Shape = shapes.PROGRESS, **kwargs: Any
    ) -> Stream[dict[str, Any]]:
        """A JSON-lines answer (pull, push, build, load, events, stats); error objects raise, each
        message is checked against the API's ``shape``."""
        raw: Stream[Any] = self._upload(method, path, **kwargs) or self._bytes(
            method, path, **kwargs
        )
        where = f"{method} {path}"
        return Stream((check(m, shape, where) for m in progress(raw, operation)), raw.close)

    def _output(self, method: str, path: str, tty: bool, **kwargs: Any) -> Stream[Chunk]:
        """Container output (logs) as stdout/stderr chunks."""
        raw = self._bytes(method, path, **kwargs)
        return Stream(demux(raw, tty), raw.close, raw.abort)

    def _hijack(
        self, method: str, path: str, params: Params | None = None, json: Any = None
    ) -> HijackedSocket:
        body = jsonlib.dumps(json).encode() if json is not None else b""
        return self.transport.hijack(method, self._path(path), encode_params(params), body)


__all__ = [
    "EngineCore",
    "EngineUnavailable",
    "Pending",
    "byte_stream",
    "encode_params",
    "quote_image",
    "quote_segment",
    "raw_chunks",
]
