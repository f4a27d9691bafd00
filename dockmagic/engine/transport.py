"""HTTP to the engine: requests (+ requests-unixsocket) with pooled connections, and raw sockets
for the hijacked attach/exec streams.

requests-unixsocket keys its connection pools by full URL, so every distinct path opens a new
socket; here the pool is keyed by the socket path, so all requests to one engine share it.
"""

from __future__ import annotations

import errno
import os
import socket
import ssl
import time
from collections.abc import Generator, Iterator
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

import requests
import requests_unixsocket
from requests_unixsocket.adapters import UnixHTTPConnection, UnixHTTPConnectionPool
from urllib3.connectionpool import HTTPConnectionPool

from ..errors import EngineSilent, EngineUnavailable, StreamError
from .hosts import Host
from .rawhttp import Segment, body_pieces, raise_for_status, read_head, send_body, send_request
from .ssh import open_ssh_socket
from .tls import client_context, tls_failure
from .tlsstream import TLSStream

CONNECT_TIMEOUT = 1.5  # seconds, a local socket: a dead engine must fail fast, not hang a notebook
REMOTE_CONNECT_TIMEOUT = 10.0  # tcp:// and ssh://: a slow link's handshakes take seconds
CONNECT_TIMEOUT_ENV = "DOCKMAGIC_CONNECT_TIMEOUT"


def connect_timeout_for(host: Host) -> float:
    """Seconds to wait for a connection: ``DOCKMAGIC_CONNECT_TIMEOUT``, else by the kind of host
    (the docker CLI waits 30 s for any; a notebook should hear sooner of a dead local engine)."""
    text = os.environ.get(CONNECT_TIMEOUT_ENV, "")
    try:
        if text and 0 < float(text) < 1e6:
            return float(text)
    except ValueError:
        pass
    return CONNECT_TIMEOUT if host.scheme == "unix" else REMOTE_CONNECT_TIMEOUT


POOL_SIZE = 64  # connections kept per engine: a stats snapshot of many containers uses one each


class _CountingConnection(UnixHTTPConnection):
    """A unix-socket connection that records each socket it opens (tests and benchmarks read it)."""

    def __init__(self, socket_url: str, timeout: float, opened: list[int]) -> None:
        super().__init__(socket_url, timeout)
        self._opened = opened

    def connect(self) -> None:
        super().connect()
        self._opened.append(1)  # list.append is atomic: safe from pool threads


class _UnixPool(UnixHTTPConnectionPool):
    def __init__(self, socket_url: str, timeout: float, maxsize: int, opened: list[int]) -> None:
        # Skip UnixHTTPConnectionPool.__init__: it fixes maxsize at 1.
        HTTPConnectionPool.__init__(self, "localhost", timeout=timeout, maxsize=maxsize)
        self.socket_path, self.timeout, self._opened = socket_url, timeout, opened

    def _new_conn(self) -> UnixHTTPConnection:
        return _CountingConnection(self.socket_path, self.timeout, self._opened)


class UnixAdapter(requests_unixsocket.UnixAdapter):
    """One connection pool per socket path, not per URL."""

    def __init__(self, timeout: float = CONNECT_TIMEOUT, maxsize: int = POOL_SIZE) -> None:
        super().__init__(timeout=timeout)
        self.maxsize = maxsize
        self.opened: list[int] = []  # one entry per socket opened: len() is the count

    def get_connection(self, url: str, proxies: Any = None) -> UnixHTTPConnectionPool:
        netloc = urlsplit(url).netloc
        with self.pools.lock:
            pool = self.pools.get(netloc)
            if pool is None:
                pool = _UnixPool("http+unix://" + netloc, self.timeout, self.maxsize, self.opened)
                self.pools[netloc] = pool
        return pool


class _SSHConnection(UnixHTTPConnection):
    """An HTTP connection over one ssh session (see ssh.py)."""

    def __init__(self, url: str, timeout: float) -> None:
        super().__init__("http+unix://ssh", timeout)
        self.engine_url = url

    def connect(self) -> None:
        self.sock = open_ssh_socket(self.engine_url, self.timeout)


class _SSHPool(UnixHTTPConnectionPool):
    def __init__(self, url: str, timeout: float, maxsize: int) -> None:
        HTTPConnectionPool.__init__(self, "localhost", timeout=timeout, maxsize=maxsize)
        self.engine_url, self.timeout = url, timeout

    def _new_conn(self) -> UnixHTTPConnection:
        return _SSHConnection(self.engine_url, self.timeout)


class SSHAdapter(UnixAdapter):
    """One pool of ssh sessions for the engine; kept sessions carry request after request."""

    def __init__(self, url: str, timeout: float = CONNECT_TIMEOUT, maxsize: int = 8) -> None:
        super().__init__(timeout, maxsize)
        self.pool = _SSHPool(url, timeout, maxsize)

    def get_connection(self, url: str, proxies: Any = None) -> UnixHTTPConnectionPool:
        return self.pool

    def close(self) -> None:
        self.pool.close()
        super().close()


def _root_cause(exc: BaseException) -> BaseException:
    """The innermost OSError/SSLError behind requests' and urllib3's wrappers."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    found: BaseException = exc
    while todo:
        e = todo.pop(0)
        if id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, ssl.SSLError):
            return e
        if type(e) in (FileNotFoundError, PermissionError, ConnectionRefusedError, socket.timeout):
            return e
        if isinstance(e, OSError) and not isinstance(e, requests.RequestException):
            found = e
        nested = [getattr(e, "reason", None), e.__cause__, e.__context__, *getattr(e, "args", ())]
        todo += [n for n in nested if isinstance(n, BaseException)]
    return found


def unavailable(host: Host, exc: BaseException, waited: float | None = None) -> EngineUnavailable:
    """Explain why the engine could not be reached, with a hint for each cause (``waited``: the
    connect timeout, said when it ran out)."""
    cause = _root_cause(exc)
    where = f"{host} (from {host.source})"
    if isinstance(cause, FileNotFoundError):
        return EngineUnavailable(
            where,
            "the socket does not exist",
            "Is dockerd running? Start it (sudo systemctl start docker, or sudo dockerd &) or set DOCKER_HOST",
        )
    if isinstance(cause, PermissionError):
        return EngineUnavailable(
            where,
            "permission denied on the socket",
            "Add your user to the docker group (sudo usermod -aG docker $USER, then log in again)",
        )
    if isinstance(cause, ConnectionRefusedError):
        return EngineUnavailable(
            where,
            "nothing is listening there",
            "Is dockerd running, and listening on that address?",
        )
    if isinstance(cause, ssl.SSLError) or isinstance(exc, requests.exceptions.SSLError):
        return EngineUnavailable(where, *tls_failure(cause, host.tls, host.address[0]))
    if isinstance(cause, socket.gaierror):
        return EngineUnavailable(
            where,
            f"the name {host.address[0]} does not resolve ({cause.strerror})",
            "Check the host name (or give its address)",
        )
    if isinstance(cause, OSError) and cause.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return EngineUnavailable(
            where,
            "no route to that host",
            "Is the address right, and the host up and on a network this machine reaches?",
        )
    if isinstance(cause, (socket.timeout, TimeoutError)) or isinstance(exc, requests.Timeout):
        limit = f" within {waited:g} s" if waited else " in time"
        return EngineUnavailable(
            where,
            f"no connection{limit}",
            f"Is the host up and the port right? Over a slow link: {CONNECT_TIMEOUT_ENV}=30 (seconds)",
        )
    return EngineUnavailable(where, str(cause) or type(cause).__name__)


class Segmented(Protocol):
    """A request body made of bytes and file slices (helpers/archive.TarBody); ``len()`` its size,
    0 when unknown."""

    def segments(self) -> Iterator[Segment]: ...

    def __len__(self) -> int: ...


class BaseTransport(Protocol):
    """What an Engine needs of its transport: ``Engine(transport=...)`` takes any object like this
    (a test's fault injector, or the ssh and proxy transports to come). :class:`Transport` is the
    one used by default."""

    host: Host

    def request(
        self,
        method: str,
        path: str,
        *,
        read_timeout: float | None,
        stream: bool = False,
        params: dict[str, Any] | None = None,
        json: Any = None,
        data: Any = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        """One HTTP request; an engine that cannot be reached raises EngineUnavailable."""
        ...

    def upgrade(
        self, method: str, path: str, params: dict[str, Any], body: bytes, headers: dict[str, str]
    ) -> tuple[socket.socket, bytes]:
        """A request the engine answers by taking over the connection: the socket and early bytes."""
        ...

    def download(
        self, method: str, path: str, params: dict[str, Any], read_timeout: float | None
    ) -> tuple[dict[str, str], Iterator[memoryview]]:
        """A bulk answer: its header fields (lower-case names) and its body's pieces."""
        ...

    def upload(
        self,
        method: str,
        path: str,
        params: dict[str, Any],
        headers: dict[str, str],
        body: Segmented,
    ) -> Generator[memoryview, None, None]:
        """A body of bytes and file slices (an archive, a build context): the answer's body as it comes."""
        ...

    def hijack(
        self, method: str, path: str, params: dict[str, Any], body: bytes
    ) -> HijackedSocket: ...

    def close(self) -> None: ...


class Transport:
    """Sends requests to one engine; knows unix sockets, TCP and TLS."""

    def __init__(self, host: Host, connect_timeout: float | None = None) -> None:
        self.host = host
        self.connect_timeout = connect_timeout or connect_timeout_for(host)
        # checked now, so a missing file or an encrypted key is said before any request
        self._ssl = client_context(host.tls) if host.tls and host.scheme == "tcp" else None
        self.session = requests.Session()
        self.session.trust_env = False  # no proxies or .netrc for the engine
        self.session.headers["User-Agent"] = "dockmagic"
        # No compression: the engine would gzip archives, costing CPU on both sides for a local
        # socket, and streamed bytes are read raw (not decoded) on our side.
        self.session.headers["Accept-Encoding"] = "identity"
        if host.scheme == "unix":
            self.adapter: requests.adapters.HTTPAdapter = UnixAdapter(self.connect_timeout)
            self.session.mount("http+unix://", self.adapter)
        elif host.scheme == "ssh":
            self.adapter = SSHAdapter(host.url, self.connect_timeout)
            self.session.mount("http+ssh://", self.adapter)
        else:
            self.adapter = requests.adapters.HTTPAdapter(pool_maxsize=POOL_SIZE)
            self.session.mount(host.base_url, self.adapter)
            if host.tls:
                self.session.verify = host.tls.ca_cert or True
                if host.tls.client_cert and host.tls.client_key:
                    self.session.cert = (host.tls.client_cert, host.tls.client_key)

    @property
    def sockets_opened(self) -> int | None:
        """How many unix sockets this transport opened (None for TCP)."""
        opened = getattr(self.adapter, "opened", None)
        return None if opened is None else len(opened)

    def request(
        self,
        method: str,
        path: str,
        *,
        read_timeout: float | None,
        stream: bool = False,
        params: dict[str, Any] | None = None,
        json: Any = None,
        data: Any = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        # Prepared here and sent straight through the adapter: Session.request's cookie, hook,
        # redirect and environment merging cost about a third of a millisecond per call, and
        # the engine needs none of it.
        prepared = requests.PreparedRequest()
        prepared.prepare(
            method=method,
            url=self.host.base_url + path,
            params=params,
            json=json,
            data=data,
            headers={**self.session.headers, **(headers or {})},
        )
        try:
            return self.adapter.send(
                prepared,
                stream=stream,
                timeout=(self.connect_timeout, read_timeout),  # type: ignore[arg-type]  # None = no limit
                verify=self.session.verify,  # type: ignore[arg-type]
                cert=self.session.cert,
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            if isinstance(exc, requests.ReadTimeout):
                raise EngineSilent(str(self.host), f"{method} {path}", read_timeout or 0) from None
            raise unavailable(self.host, exc, self.connect_timeout) from None

    # -- raw sockets for attach / exec (the engine "hijacks" the HTTP connection) --------------

    def open_socket(self, stream: bool = False) -> socket.socket:
        """A connection of its own; over TLS with ``stream``, one whose write side can be closed
        on its own (a hijacked attach or exec: see tlsstream)."""
        if self.host.scheme == "ssh":
            return open_ssh_socket(self.host.url, self.connect_timeout)
        try:
            if self.host.scheme == "unix":
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.settimeout(self.connect_timeout)
                try:
                    sock.connect(unquote(self.host.socket_path))
                except BaseException:
                    sock.close()
                    raise
            else:
                sock = socket.create_connection(self.host.address, timeout=self.connect_timeout)
                if self._ssl is not None:
                    name = self.host.address[0]
                    try:
                        sock = (
                            TLSStream(sock, self._ssl, name)  # type: ignore[assignment]  # a socket enough
                            if stream
                            else self._ssl.wrap_socket(sock, server_hostname=name)
                        )
                    except BaseException:
                        sock.close()
                        raise
        except OSError as exc:
            raise unavailable(self.host, exc, self.connect_timeout) from None
        sock.settimeout(None)
        return sock

    def upgrade(
        self, method: str, path: str, params: dict[str, Any], body: bytes, headers: dict[str, str]
    ) -> tuple[socket.socket, bytes]:
        """Send one request that asks the engine to take over the connection (attach, exec,
        websocket); return the socket and any stream bytes that came with the answer's head."""
        sock = self.open_socket(stream=True)
        try:
            send_request(sock, method, path, params, body, headers)
            status, fields, rest = read_head(sock, f"{method} {path}")
            raise_for_status(sock, status, fields, rest, method, path)
        except BaseException:
            sock.close()
            raise
        return sock, rest

    def download(
        self, method: str, path: str, params: dict[str, Any], read_timeout: float | None
    ) -> tuple[dict[str, str], Iterator[memoryview]]:
        """A bulk answer (archive, export, save) read off a socket of its own: the head's fields
        (lower-case names) and the body's pieces; the socket closes when they end or are closed."""
        sock = self.open_socket()
        try:
            sock.settimeout(read_timeout)
            send_request(sock, method, path, params, b"", {"Connection": "close"})
            status, fields, rest = read_head(sock, f"{method} {path}")
            raise_for_status(sock, status, fields, rest, method, path)
        except BaseException as exc:
            sock.close()
            if isinstance(exc, TimeoutError):
                raise EngineSilent(str(self.host), f"{method} {path}", read_timeout or 0) from None
            if isinstance(exc, OSError):
                raise StreamError(f"the answer to {method} {path} broke off: {exc}") from None
            raise
        return fields, _closing(sock, body_pieces(sock, fields, rest))

    def upload(
        self,
        method: str,
        path: str,
        params: dict[str, Any],
        headers: dict[str, str],
        body: Segmented,
    ) -> Generator[memoryview, None, None]:
        """A body of bytes and file slices sent on a socket of its own (file contents by sendfile,
        never through Python); the answer's body as it comes (a build's progress), the socket closed
        when it ends or is closed. The length, when the body knows it, goes ahead; else chunked."""
        length = len(body) or None
        framing = {} if length else {"Transfer-Encoding": "chunked"}
        sock = self.open_socket()
        where = f"{method} {path}"
        try:
            try:
                send_request(
                    sock,
                    method,
                    path,
                    params,
                    b"",
                    {**headers, **framing, "Connection": "close"},
                    length,
                )
                send_body(sock, body.segments(), chunked=length is None)
            except (BrokenPipeError, ConnectionResetError):
                # the engine stopped reading: its answer (an error) may be waiting; else the break is the news
                try:
                    status, fields, rest = read_head(sock, where)
                    raise_for_status(sock, status, fields, rest, method, path)
                except OSError:
                    pass
                raise StreamError(f"the engine closed the connection during {where}") from None
            status, fields, rest = read_head(sock, where)
            raise_for_status(sock, status, fields, rest, method, path)
        except BaseException:
            sock.close()
            raise
        return _closing(sock, body_pieces(sock, fields, rest))

    def hijack(self, method: str, path: str, params: dict[str, Any], body: bytes) -> HijackedSocket:
        """A raw two-way stream over the connection the request came on."""
        headers = {"Connection": "Upgrade", "Upgrade": "tcp", "Content-Type": "application/json"}
        return HijackedSocket(*self.upgrade(method, path, params, body, headers))

    def close(self) -> None:
        self.session.close()


def _closing(
    sock: socket.socket, pieces: Iterator[memoryview]
) -> Generator[memoryview, None, None]:
    try:
        yield from pieces
    except TimeoutError as exc:
        raise StreamError(f"the engine went silent in the middle of a stream ({exc})") from None
    except OSError as exc:
        raise StreamError(f"the stream from the engine broke off: {exc}") from None
    finally:
        sock.close()


class HijackedSocket:
    """The raw two-way stream of an attach or exec: write stdin, half-close it, read output."""

    def __init__(self, sock: socket.socket, pending: bytes = b"") -> None:
        self.sock = sock
        self._pending = pending

    def write(self, data: bytes) -> None:
        self.sock.sendall(data)

    def buffered(self) -> bool:
        """Whether output is already here, decrypted, where a select() on the socket cannot see it."""
        pending = getattr(self.sock, "pending", None)
        return bool(self._pending) or bool(pending and pending())

    def take_pending(self) -> bytes:
        """Output that arrived with the upgrade response, for callers that read the socket directly."""
        pending, self._pending = self._pending, b""
        return pending

    def close_write(self) -> None:
        """Signal EOF on stdin while still reading output (over TLS: a close_notify)."""
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # already closed by the engine: nothing left to signal

    def chunks(self, size: int = 65536, deadline: float | None = None) -> Iterator[bytes]:
        """Bytes as they arrive, until the engine closes the stream; past ``deadline``
        (a time.monotonic() value) raises TimeoutError."""
        pending = self.take_pending()
        if pending:
            yield pending
        while True:
            if deadline is not None:
                self.sock.settimeout(max(deadline - time.monotonic(), 0.001))
            try:
                data = self.sock.recv(size)
            except ConnectionResetError as exc:
                raise StreamError(f"the engine reset the stream: {exc}") from None
            except TimeoutError:
                raise TimeoutError("no end of output before the deadline") from None
            if not data:
                return
            yield data

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self) -> HijackedSocket:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
