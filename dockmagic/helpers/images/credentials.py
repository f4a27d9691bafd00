"""Registry credentials as the docker CLI finds them: explicit, a credential helper
(``credHelpers``/``credsStore``: ``docker-credential-NAME get``), or ``auths`` in config.json.

Credentials are only ever put into the X-Registry-Auth header: never printed, logged or shown in
a repr or an error.
"""

from __future__ import annotations

import base64
import json
import subprocess
from typing import Any

from ...engine.cliconfig import read_config, write_config
from ...errors import DockerError

INDEX = "https://index.docker.io/v1/"


class Credentials(dict[str, Any]):
    """An auth config for the engine; its repr hides the secret."""

    def __repr__(self) -> str:
        return (
            f"<Credentials for {self.get('serveraddress', '?')} user={self.get('username', '')!r}>"
        )

    __str__ = __repr__


def registry_of(ref: str) -> str:
    """The registry host of an image reference (docker.io's index for plain names)."""
    first, sep, _ = ref.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        return first
    return INDEX


def _helper(name: str, server: str) -> Credentials | None:
    try:
        out = subprocess.run(
            [f"docker-credential-{name}", "get"],
            input=server,
            capture_output=True,
            text=True,
            timeout=30,
        )
    except FileNotFoundError:
        raise DockerError(
            f"credential helper docker-credential-{name} is configured but not installed"
        ) from None
    except subprocess.TimeoutExpired:
        raise DockerError(
            f"credential helper docker-credential-{name} did not answer in 30s"
        ) from None
    if out.returncode != 0:
        if "not found" in (out.stdout + out.stderr).lower():
            return None
        raise DockerError(
            f"credential helper docker-credential-{name} failed (exit {out.returncode})"
        )
    data = json.loads(out.stdout or "{}")
    if data.get("Username") == "<token>":
        return Credentials(identitytoken=data.get("Secret", ""), serveraddress=server)
    return Credentials(
        username=data.get("Username", ""), password=data.get("Secret", ""), serveraddress=server
    )


def credentials_for(ref: str, env: dict[str, str] | None = None) -> Credentials | None:
    """The credentials the docker CLI would use for pushing or pulling ``ref``, or None."""
    server = registry_of(ref)
    try:
        config = read_config(env)
    except DockerError:  # an unreadable config.json means no stored credentials, as for the CLI
        return None
    helper = (config.get("credHelpers") or {}).get(server) or config.get("credsStore")
    if helper:
        found = _helper(helper, server)
        if found is not None:
            return found
    auths = config.get("auths") or {}
    entry = auths.get(server) or auths.get(f"https://{server}") or auths.get(f"http://{server}")
    if not entry:
        return None
    if entry.get("identitytoken"):
        return Credentials(identitytoken=entry["identitytoken"], serveraddress=server)
    if entry.get("auth"):
        user, _, password = base64.b64decode(entry["auth"]).decode().partition(":")
        return Credentials(username=user, password=password, serveraddress=server)
    return None


def explicit(ref: str, username: str, password: str) -> Credentials:
    return Credentials(username=username, password=password, serveraddress=registry_of(ref))


def login(username: str, password: str, server: str | None = None, *, engine: Any = None) -> str:
    """``docker login``: the engine checks the credentials, then they are stored where the docker
    CLI looks for them (``auths`` in config.json). The password is never shown."""
    from ..engines.session import engine_for

    server = server or INDEX
    answer = engine_for(engine).system_auth(
        {"username": username, "password": password, "serveraddress": server}
    )
    config = read_config()
    entry = base64.b64encode(f"{username}:{password}".encode()).decode()
    config.setdefault("auths", {})[server] = {"auth": entry}
    write_config(config)
    return str(answer.get("Status") or "Login Succeeded")


def logout(server: str | None = None) -> str:
    """``docker logout``: forget the stored credentials of a registry."""
    server = server or INDEX
    config = read_config()
    auths = config.get("auths") or {}
    if server not in auths:
        return f"Not logged in to {server}"
    del auths[server]
    write_config(config)
    return f"Removing login credentials for {server}"
