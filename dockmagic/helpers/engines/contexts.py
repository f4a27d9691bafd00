"""``docker context``: named engine endpoints in the CLI's own store, shared with the docker CLI.

A context made here is used by ``docker --context NAME`` and the other way round; ``use`` sets
``currentContext`` in config.json, which both the CLI and dockmagic's default engine follow.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...engine.cliconfig import (
    context_meta_path,
    context_tls_dir,
    contexts_root,
    read_config,
    write_config,
    write_private,
)
from ...engine.hosts import DEFAULT_HOST, HostError, current_context, normalize_url
from ...errors import DockerError, OptionError, host_files
from ...hostfiles import replacing
from ...render.table import Table
from ..tables import contexts_table
from .session import follow_context

_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$")  # the CLI's own rule
_TLS_FILES = {"ca": "ca.pem", "cert": "cert.pem", "key": "key.pem"}


@dataclass
class DockerContext:
    name: str
    host: str
    description: str = ""
    tls_files: list[str] = field(default_factory=list)
    metadata_path: str = "<IN MEMORY>"
    tls_path: str = "<IN MEMORY>"

    def inspect(self) -> dict[str, Any]:
        """The shape ``docker context inspect`` prints."""
        meta = {"Description": self.description} if self.description else {}
        tls = {"docker": self.tls_files} if self.tls_files else {}
        return {
            "Name": self.name,
            "Metadata": meta,
            "Endpoints": {"docker": {"Host": self.host, "SkipTLSVerify": False}},
            "TLSMaterial": tls,
            "Storage": {"MetadataPath": self.metadata_path, "TLSPath": self.tls_path},
        }


def _default() -> DockerContext:
    host = os.environ.get("DOCKER_HOST") or DEFAULT_HOST
    return DockerContext("default", host, "Current DOCKER_HOST based configuration")


def _check_name(name: str) -> None:
    if name == "default" or not _NAME.match(name):
        raise OptionError(
            f'context name "{name}" is invalid, names must match {_NAME.pattern} and not be "default"'
        )


def context_get(name: str) -> DockerContext:
    """One context, ``default`` included."""
    if name == "default":
        return _default()
    path = context_meta_path(name)
    try:
        meta = json.loads(path.read_text())
        host = meta["Endpoints"]["docker"]["Host"]
    except FileNotFoundError:
        raise DockerError(f'context "{name}" not found') from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DockerError(f'context "{name}" has unreadable metadata in {path}: {exc}') from None
    tls_dir = context_tls_dir(name)
    files = sorted(p.name for p in tls_dir.glob("*.pem")) if tls_dir.is_dir() else []
    return DockerContext(
        name,
        host,
        str((meta.get("Metadata") or {}).get("Description") or ""),
        files,
        str(path.parent),
        str(tls_dir.parent),
    )


def context_list() -> list[DockerContext]:
    """Every context, ``default`` first and the rest by name, as ``docker context ls``."""
    names = []
    for meta in sorted((contexts_root() / "meta").glob("*/meta.json")):
        try:
            names.append(json.loads(meta.read_text())["Name"])
        except (OSError, ValueError, KeyError, TypeError):
            continue  # the CLI skips what it cannot read, too
    return [_default()] + [context_get(n) for n in sorted(names)]


def contexts() -> Table:
    """``docker context ls``: a row per context, the current one marked."""
    current = current_context()
    rows = [
        {
            "Current": c.name == current,
            "Description": c.description,
            "DockerEndpoint": c.host,
            "Error": "",
            "Name": c.name,
        }
        for c in context_list()
    ]
    return contexts_table(rows)


def _endpoint(spec: str | dict[str, str]) -> dict[str, str]:
    """``host=tcp://h:2376,ca=~/ca.pem,cert=...,key=...`` as the CLI's --docker takes it."""
    if isinstance(spec, dict):
        return dict(spec)
    out: dict[str, str] = {}
    for part in filter(None, spec.split(",")):
        key, sep, value = part.partition("=")
        if not sep:
            raise OptionError(
                f"invalid --docker {part!r}: expected key=value (host=, ca=, cert=, key=)"
            )
        out[key.strip()] = value.strip()
    return out


def _validated(endpoint: dict[str, str]) -> tuple[str, dict[str, Path]]:
    unknown = set(endpoint) - {"host", "ca", "cert", "key", "skip-tls-verify"}
    if unknown:
        raise OptionError(
            f"unknown --docker key(s): {', '.join(sorted(unknown))} (host, ca, cert, key)"
        )
    if endpoint.get("skip-tls-verify", "false").lower() not in ("false", "0", ""):
        raise OptionError(
            "skip-tls-verify=true is refused: dockmagic always verifies the engine's certificate"
        )
    host = endpoint.get("host") or DEFAULT_HOST
    if not host.startswith("ssh://"):
        try:
            host = normalize_url(host)
        except HostError as exc:
            raise OptionError(str(exc)) from None
    files = {}
    for key, filename in _TLS_FILES.items():
        if endpoint.get(key):
            source = Path(endpoint[key]).expanduser()
            if not source.is_file():
                raise OptionError(f"--docker {key}={endpoint[key]}: no such file")
            files[filename] = source
    if ("cert.pem" in files) != ("key.pem" in files):
        raise OptionError("--docker needs both cert= and key= for a client certificate")
    return host, files


def _store(name: str, host: str, description: str, files: dict[str, Path]) -> None:
    meta: dict[str, Any] = {
        "Name": name,
        "Metadata": {"Description": description} if description else {},
        "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": False}},
    }
    write_private(context_meta_path(name), json.dumps(meta))
    tls_dir = context_tls_dir(name)
    for filename, source in files.items():
        write_private(tls_dir / filename, source.read_text())


def context_create(
    name: str,
    docker: str | dict[str, str] | None = None,
    *,
    description: str = "",
    from_: str | None = None,
) -> str:
    """``docker context create NAME --docker host=...``; with neither ``docker`` nor ``from_``, a
    copy of the current context (as the CLI)."""
    _check_name(name)
    if context_meta_path(name).exists():
        raise DockerError(f'context "{name}" already exists')
    if docker is not None and from_ is not None:
        raise OptionError("give --docker or --from, not both")
    endpoint = None if docker is None else _endpoint(docker)
    if endpoint is None or "from" in endpoint:
        # a copy: of the current context (or --from), its description too ("Current DOCKER_HOST
        # based configuration" for the default); `--docker from=NAME` takes only the endpoint,
        # whatever else --docker says, as the CLI does
        source = context_get((endpoint or {}).get("from") or from_ or current_context())
        tls_dir = context_tls_dir(source.name)
        files = {f: tls_dir / f for f in source.tls_files}
        copied = source.description if endpoint is None else ""
        _store(name, source.host, description or copied, files)
    else:
        host, files = _validated(endpoint)
        _store(name, host, description, files)
    return name


def context_update(
    name: str, docker: str | dict[str, str] | None = None, *, description: str | None = None
) -> str:
    """``docker context update``: a new endpoint and/or description, the rest kept."""
    _check_name(name)
    old = context_get(name)
    host, files = old.host, dict[str, Path]()
    if docker is not None:
        host, files = _validated(_endpoint(docker))
    _store(name, host, old.description if description is None else description, files)
    return name


def context_rm(*names: str, force: bool = False) -> list[str]:
    """``docker context rm``: the current context only with ``force`` (then ``default`` is current)."""
    current = current_context()
    for name in names:
        if name == "default":
            raise DockerError('context "default" cannot be removed')
        if name == current and not force:
            raise DockerError(f'context "{name}" is in use, set -f flag to force remove')
        context_get(name)  # not found is an error, as for the CLI
    for name in names:
        shutil.rmtree(context_meta_path(name).parent, ignore_errors=True)
        shutil.rmtree(context_tls_dir(name).parent, ignore_errors=True)
        if name == current:
            _set_current("default")
    return list(names)


def _set_current(name: str) -> None:
    config = read_config()
    if name == "default":
        config.pop("currentContext", None)
    else:
        config["currentContext"] = name
    write_config(config)


def context_use(name: str) -> str:
    """``docker context use``: make ``name`` the current context for the CLI and dockmagic."""
    context_get(name)
    _set_current(name)
    follow_context()
    if os.environ.get("DOCKER_HOST"):
        # as the CLI: DOCKER_HOST still wins over the current context
        return f'Current context is now "{name}" (DOCKER_HOST is set and overrides it)'
    return f'Current context is now "{name}"'


def context_show() -> str:
    return current_context()


_EXPORTED = {"meta.json", *(f"tls/docker/{f}" for f in _TLS_FILES.values())}


def context_export(name: str, file: str | os.PathLike[str] | None = None) -> Path | bytes:
    """``docker context export``: the context as the CLI's archive (meta.json and its TLS material),
    into ``file`` (default ``NAME.dockercontext``), or as bytes for ``file="-"``."""
    context = context_get(name)
    if context.metadata_path == "<IN MEMORY>":
        raise DockerError(f"context {name!r} is built in and cannot be exported")
    members: list[tuple[str, bytes | None]] = [("meta.json", context_meta_path(name).read_bytes())]
    if context.tls_files:
        members += [("tls", None), ("tls/docker", None)]
        members += [
            (f"tls/docker/{f}", (context_tls_dir(name) / f).read_bytes()) for f in context.tls_files
        ]
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for member, data in members:
            info = tarfile.TarInfo(member)
            info.mode = 0o700 if data is None else (0o644 if member == "meta.json" else 0o600)
            if data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    if file is not None and str(file) == "-":
        return buf.getvalue()
    target = Path(file if file is not None else f"{name}.dockercontext").expanduser()
    with host_files("write"), replacing(target, perms=0o600) as out:
        out.write(buf.getvalue())
    return target


def context_import(name: str, file: str | os.PathLike[str] | bytes) -> str:
    """``docker context import NAME FILE``: a context from the CLI's archive (``file`` a path or its
    bytes), stored under ``name``. Archives the CLI writes lack the end marker: members must each be
    whole, and only a context's own files are taken."""
    _check_name(name)
    if context_meta_path(name).exists():
        raise DockerError(f'context "{name}" already exists')
    if isinstance(file, bytes):
        data = file
    else:
        with host_files("read"):
            data = Path(file).expanduser().read_bytes()
    files = _members(data)
    if "meta.json" not in files:
        raise DockerError("not a context archive: it has no meta.json")
    try:
        meta = json.loads(files.pop("meta.json"))
        host = str(meta["Endpoints"]["docker"]["Host"])
    except (ValueError, KeyError, TypeError):
        raise DockerError("not a context archive: its meta.json has no docker endpoint") from None
    if meta["Endpoints"]["docker"].get("SkipTLSVerify"):
        raise OptionError(
            "the archive's context skips TLS verification: dockmagic always verifies the engine"
        )
    description = str((meta.get("Metadata") or {}).get("Description") or "")
    tls_dir = context_tls_dir(name)
    _store(name, host if host.startswith("ssh://") else normalize_url(host), description, {})
    for member, content in files.items():
        write_private(tls_dir / member.rsplit("/", 1)[1], content.decode("ascii", "replace"))
    return name


def _members(data: bytes) -> dict[str, bytes]:
    """The regular files of a context archive, each whole; anything but a context's files refused."""
    out: dict[str, bytes] = {}
    pos = 0
    while pos + tarfile.BLOCKSIZE <= len(data):
        block = data[pos : pos + tarfile.BLOCKSIZE]
        if not any(block):
            break
        try:
            info = tarfile.TarInfo.frombuf(block, "utf-8", "strict")
        except tarfile.TarError as exc:
            raise DockerError(f"not a context archive: {exc}") from None
        pos += tarfile.BLOCKSIZE
        name = info.name.rstrip("/")
        if info.isreg():
            if name not in _EXPORTED:
                raise DockerError(f"not a context archive: it holds {name!r}")
            if pos + info.size > len(data):
                raise DockerError(f"the context archive is cut inside {name}")
            out[name] = data[pos : pos + info.size]
        elif not (info.isdir() and name in ("tls", "tls/docker")):
            raise DockerError(f"not a context archive: it holds {name!r}")
        pos += -(-info.size // tarfile.BLOCKSIZE) * tarfile.BLOCKSIZE
    return out
