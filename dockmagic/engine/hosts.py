"""Where the engine is: resolved the way the docker CLI does it.

Order: explicit argument, ``DOCKER_HOST``, ``DOCKER_CONTEXT`` or ``currentContext`` in
``config.json`` (metadata and TLS material under ``contexts/``), then the default unix socket.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from ..errors import DockerError
from .cliconfig import config_dir, context_meta_path, context_tls_dir, read_config

DEFAULT_UNIX_SOCKET = "/var/run/docker.sock"
DEFAULT_HOST = f"unix://{DEFAULT_UNIX_SOCKET}"


class HostError(DockerError):
    """The host or context could not be understood."""


@dataclass(frozen=True)
class TLSConfig:
    """Client TLS material. Server certificates are always verified."""

    ca_cert: str | None = None  # None: the system's trust store
    client_cert: str | None = None
    client_key: str | None = None

    @classmethod
    def from_dir(cls, cert_dir: str | os.PathLike[str], named_by: str = "") -> TLSConfig:
        """ca.pem, cert.pem and key.pem from a folder, each only if present. With ``named_by``
        (where the folder came from: ``DOCKER_CERT_PATH``) ca.pem must be there, as the docker
        CLI requires: trusting the system's store instead would fail later, less clearly."""
        d = Path(cert_dir).expanduser()

        def pick(name: str) -> str | None:
            return str(d / name) if (d / name).is_file() else None

        if named_by and not pick("ca.pem"):
            folder = "" if d.is_dir() else ", nor does its folder"
            raise HostError(
                f"TLS: {d / 'ca.pem'} (from {named_by}) does not exist{folder}; put there the CA "
                "certificate that signed the engine's, or give --tlscacert FILE"
            )
        cert, key = pick("cert.pem"), pick("key.pem")
        if bool(cert) != bool(key):
            raise HostError(
                f"{d} has only one of cert.pem and key.pem; a client certificate needs both"
            )
        return cls(ca_cert=pick("ca.pem"), client_cert=cert, client_key=key)

    def __repr__(self) -> str:  # paths only, never key contents
        return f"TLSConfig(ca_cert={self.ca_cert!r}, client_cert={self.client_cert!r})"


@dataclass(frozen=True)
class Host:
    """A resolved engine address."""

    url: str  # as the user would write it: unix:///var/run/docker.sock, tcp://h:2376
    source: str  # where it came from, for error messages: "argument", "DOCKER_HOST", "context x"
    tls: TLSConfig | None = None

    @property
    def scheme(self) -> str:
        return urlsplit(self.url).scheme

    @property
    def socket_path(self) -> str:
        return urlsplit(self.url).path

    @property
    def address(self) -> tuple[str, int]:
        parts = urlsplit(self.url)
        return parts.hostname or "localhost", parts.port or (2376 if self.tls else 2375)

    @property
    def base_url(self) -> str:
        """The URL prefix requests will use."""
        if self.scheme == "unix":
            return "http+unix://" + quote(self.socket_path, safe="")  # a ':' in the path too
        if self.scheme == "ssh":
            return "http+ssh://" + quote(self.url, safe="")
        host, port = self.address
        host = f"[{host}]" if ":" in host else host
        return f"{'https' if self.tls else 'http'}://{host}:{port}"

    def __str__(self) -> str:
        return self.url + (" (TLS)" if self.tls else "")


def normalize_url(url: str) -> str:
    """Accept what the CLI accepts: ``unix:///p``, ``tcp://h:p``, ``/p``; refuse the rest clearly
    (and never repeat a password written into the URL)."""
    if url.startswith("/"):
        url = "unix://" + url
    parts = urlsplit(url)
    if parts.password is not None or (
        parts.username is not None and parts.scheme in ("tcp", "http", "https")
    ):
        # ssh://user@host keeps its user; a password is never taken (keys and the agent are ssh's)
        shown = f"{parts.scheme}://***@{parts.netloc.rpartition('@')[2]}"
        raise HostError(
            f"{shown}: an engine URL carries no user or password (use TLS client certificates)"
        )
    if parts.scheme == "unix":
        if not parts.path:
            raise HostError(f"{url!r} names no socket path (write unix:///path/to/docker.sock)")
        return url
    if parts.scheme in ("tcp", "http", "https"):
        if not parts.hostname:
            raise HostError(f"{url!r} names no host (write tcp://host:port)")
        try:
            _ = parts.port  # urlsplit checks the port only when asked
        except ValueError:
            raise HostError(f"{url!r} has an invalid port") from None
        return "tcp://" + parts.netloc
    if parts.scheme == "ssh":
        if not parts.hostname:
            raise HostError(f"{url!r} names no host (write ssh://user@host[:port])")
        if parts.path not in ("", "/"):
            raise HostError(
                f"{url!r}: an ssh:// address takes no path (the remote docker finds its engine)"
            )
        try:
            _ = parts.port
        except ValueError:
            raise HostError(f"{url!r} has an invalid port") from None
        return "ssh://" + parts.netloc
    raise HostError(
        f"unsupported Docker host {url!r}: dockmagic speaks unix://, tcp:// (with TLS) and ssh://"
    )


def _tls_from_env(env: dict[str, str], url: str) -> TLSConfig | None:
    wants_tls = env.get("DOCKER_TLS_VERIFY") or env.get("DOCKER_TLS") or url.startswith("https://")
    if not wants_tls:
        return None
    return cert_folder(env)


def cert_folder(env: dict[str, str]) -> TLSConfig:
    """The TLS material the environment names: ``DOCKER_CERT_PATH``, else the config folder."""
    if env.get("DOCKER_CERT_PATH"):
        return TLSConfig.from_dir(env["DOCKER_CERT_PATH"], "DOCKER_CERT_PATH")
    return TLSConfig.from_dir(config_dir(env), "the docker config folder")


def context_host(name: str, env: dict[str, str]) -> Host:
    """The endpoint of a named docker context, with its TLS material if it has any."""
    if name == "default":
        return Host(DEFAULT_HOST, "context default")
    meta_file = context_meta_path(name, env)
    try:
        meta = json.loads(meta_file.read_text())
        endpoint = meta["Endpoints"]["docker"]
        url = normalize_url(endpoint["Host"])
    except FileNotFoundError:
        raise HostError(f"docker context {name!r} not found (no {meta_file})") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise HostError(
            f"docker context {name!r} has unreadable metadata in {meta_file}: {exc}"
        ) from None
    tls_dir = context_tls_dir(name, env)
    tls = TLSConfig.from_dir(tls_dir) if tls_dir.is_dir() and url.startswith("tcp://") else None
    return Host(url, f"context {name}", tls)


def current_context(env: dict[str, str] | None = None) -> str:
    """The context the CLI would use: ``DOCKER_CONTEXT``, else ``currentContext`` in config.json."""
    env = dict(os.environ if env is None else env)
    if env.get("DOCKER_CONTEXT"):
        return env["DOCKER_CONTEXT"]
    try:
        name = read_config(env).get("currentContext")
    except DockerError:  # the CLI, too, falls back to the default context
        name = None
    return name if isinstance(name, str) and name else "default"


def resolve_host(
    host: str | None = None, tls: TLSConfig | None = None, env: dict[str, str] | None = None
) -> Host:
    """Find the engine the way the docker CLI does."""
    env = dict(os.environ if env is None else env)
    for raw, source in ((host, "argument"), (env.get("DOCKER_HOST"), "DOCKER_HOST")):
        if raw:
            url = normalize_url(raw)
            secure = (tls or _tls_from_env(env, raw)) if url.startswith("tcp") else None
            return Host(url, source, secure)
    context = current_context(env)
    if context != "default":
        return context_host(context, env)
    return Host(DEFAULT_HOST, "default")
