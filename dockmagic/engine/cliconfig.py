"""The docker CLI's own files, read and written as the CLI keeps them.

``config.json`` (credentials, ``currentContext``) and the context store: ``contexts/meta/<sha256
of the name>/meta.json`` with TLS material under ``contexts/tls/<sha256>/docker/``. Both the CLI and
dockmagic use the same files, so a context made by one is seen by the other.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from ..errors import DockerError
from ..hostfiles import replacing


def config_dir(env: dict[str, str] | None = None) -> Path:
    found = (os.environ if env is None else env).get("DOCKER_CONFIG")
    return Path(found or Path.home() / ".docker").expanduser()


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner reads (0600), replacing the old one whole once fully written,
    so an interrupted write never leaves half a config behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path, "w", perms=0o600) as f:
        f.write(text)


def read_config(env: dict[str, str] | None = None) -> dict[str, Any]:
    """config.json as a dict; {} when there is none."""
    path = config_dir(env) / "config.json"
    try:
        config = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise DockerError(f"cannot read {path}: {exc}") from None
    return config if isinstance(config, dict) else {}


def write_config(config: dict[str, Any], env: dict[str, str] | None = None) -> None:
    write_private(config_dir(env) / "config.json", json.dumps(config, indent="\t"))


def context_digest(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def context_meta_path(name: str, env: dict[str, str] | None = None) -> Path:
    return config_dir(env) / "contexts" / "meta" / context_digest(name) / "meta.json"


def context_tls_dir(name: str, env: dict[str, str] | None = None) -> Path:
    return config_dir(env) / "contexts" / "tls" / context_digest(name) / "docker"


def contexts_root(env: dict[str, str] | None = None) -> Path:
    return config_dir(env) / "contexts"
