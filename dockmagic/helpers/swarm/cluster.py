"""Swarm mode: the swarm itself, its nodes, and the secrets and configs its services are given
(``docker swarm ...``, ``docker node ...``, ``docker secret ...``, ``docker config ...``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...engine import Engine
from ...errors import HostFileError, OptionError
from ...options.values import as_labels, as_list
from ...render.table import Table
from ...render.tree import Inspection
from ..batch import for_each
from ..engines.session import engine_for
from .settings import SwarmSettings, merge_settings
from .tables import nodes_table, stored_table

if TYPE_CHECKING:
    from typing_extensions import Unpack

SWARM_PORT = 2377


def _address(addr: str, port: int = SWARM_PORT) -> str:
    """``10.0.0.1`` -> ``10.0.0.1:2377``: the CLI's default port for listen, advertise and join."""
    if not addr or (addr.rpartition(":")[2].isdigit() and not addr.endswith("]")):
        return addr
    return f"{addr}:{port}"


def swarm_init(
    *,
    advertise_addr: str | None = None,
    listen_addr: str = "0.0.0.0:2377",
    data_path_addr: str | None = None,
    data_path_port: int | None = None,
    default_addr_pool: str | Iterable[str] | None = None,
    default_addr_pool_mask_length: int | None = None,
    force_new_cluster: bool = False,
    availability: str = "active",
    engine: Engine | None = None,
    **settings: Unpack[SwarmSettings],
) -> str:
    """``docker swarm init``: this engine becomes the first manager of a new swarm; its node ID.
    The settings (see SwarmSettings) not given are the engine's defaults; swarm_update changes them."""
    spec = merge_settings({}, **settings)
    body = {
        "ListenAddr": _address(listen_addr),
        "AdvertiseAddr": _address(advertise_addr or ""),
        "DataPathAddr": data_path_addr or "",
        "DataPathPort": data_path_port or 0,
        "DefaultAddrPool": as_list(default_addr_pool) or [],
        "SubnetSize": default_addr_pool_mask_length or 0,
        "ForceNewCluster": force_new_cluster,
        "Availability": availability,
        "Spec": spec,
    }
    return engine_for(engine).swarm_init(body)


def swarm_join(
    remote: str,
    *,
    token: str,
    advertise_addr: str | None = None,
    listen_addr: str = "0.0.0.0:2377",
    data_path_addr: str | None = None,
    availability: str = "active",
    engine: Engine | None = None,
) -> None:
    """``docker swarm join --token TOKEN HOST[:PORT]``: this engine joins as a worker or manager
    (the token says which)."""
    if not token:
        raise OptionError(
            "swarm join needs --token (see %docker swarm join-token worker on a manager)"
        )
    body = {
        "ListenAddr": _address(listen_addr),
        "AdvertiseAddr": _address(advertise_addr or ""),
        "DataPathAddr": data_path_addr or "",
        "RemoteAddrs": [_address(remote)],
        "JoinToken": token,
        "Availability": availability,
    }
    engine_for(engine).swarm_join(body)


def swarm_join_token(
    role: str = "worker", *, rotate: bool = False, engine: Engine | None = None
) -> tuple[str, str]:
    """The token for joining as ``role`` (worker or manager), a new one with ``rotate``, and the
    manager address to join (``docker swarm join-token``)."""
    if role not in ("worker", "manager"):
        raise OptionError(f"unknown role {role!r} (worker or manager)")
    engine = engine_for(engine)
    if rotate:
        swarm = engine.swarm_inspect()
        engine.swarm_update(
            swarm["Version"]["Index"],
            swarm["Spec"],
            rotate_worker_token=role == "worker",
            rotate_manager_token=role == "manager",
        )
    token = engine.swarm_inspect()["JoinTokens"][role.capitalize()]
    me = engine.node_inspect(engine.system_info()["Swarm"]["NodeID"])
    return token, str((me.get("ManagerStatus") or {}).get("Addr", ""))


def swarm_leave(*, force: bool = False, engine: Engine | None = None) -> None:
    """``docker swarm leave``; a manager needs ``force`` (the swarm loses a manager)."""
    engine_for(engine).swarm_leave(force=force)


def swarm_inspect(*, engine: Engine | None = None) -> Inspection:
    return Inspection(engine_for(engine).swarm_inspect())


def nodes(
    *, filters: dict[str, Any] | None = None, resources: bool = False, engine: Engine | None = None
) -> Table:
    """``docker node ls``: this engine's own node marked with ``*``; with ``resources``, what is
    placed on each node (running tasks, what they reserve and are limited to) beside its CPUs and memory."""
    engine = engine_for(engine)
    me = str((engine.system_info().get("Swarm") or {}).get("NodeID", ""))
    placed = None
    if resources:
        running = engine.task_list(filters={"desired-state": ["running"]})
        placed = [t for t in running if (t.get("Status") or {}).get("State") == "running"]
    return nodes_table(engine.node_list(filters), me, placed)


def node_inspect(node: str = "self", *, engine: Engine | None = None) -> Inspection:
    engine = engine_for(engine)
    return Inspection(engine.node_inspect(_node_id(engine, node)))


def _node_id(engine: Engine, node: str) -> str:
    return str(engine.system_info()["Swarm"]["NodeID"]) if node == "self" else node


def node_update(
    node: str,
    *,
    availability: str | None = None,
    role: str | None = None,
    label_add: Mapping[str, Any] | Iterable[str] | None = None,
    label_rm: Iterable[str] | None = None,
    engine: Engine | None = None,
) -> None:
    """``docker node update`` (and promote/demote: ``role``)."""
    if availability not in (None, "active", "pause", "drain"):
        raise OptionError(f"invalid availability {availability!r} (active, pause or drain)")
    if role not in (None, "worker", "manager"):
        raise OptionError(f"invalid role {role!r} (worker or manager)")
    engine = engine_for(engine)
    found = engine.node_inspect(_node_id(engine, node))
    spec = dict(found["Spec"])
    if availability:
        spec["Availability"] = availability
    if role:
        spec["Role"] = role
    labels = {**(spec.get("Labels") or {}), **(as_labels(label_add) or {})}
    spec["Labels"] = {k: v for k, v in labels.items() if k not in set(label_rm or [])}
    engine.node_update(found["ID"], found["Version"]["Index"], spec)


def node_rm(*nodes: str, force: bool = False, engine: Engine | None = None) -> list[str]:
    engine = engine_for(engine)
    return for_each(nodes, lambda n: engine.node_delete(n, force=force), "remove")


# -- secrets and configs: the same five operations on two kinds ----------------------------------


def secret_create(
    name: str,
    data: bytes | str | None = None,
    *,
    file: str | Path | None = None,
    labels: Mapping[str, Any] | Iterable[str] | None = None,
    engine: Engine | None = None,
) -> str:
    """``docker secret create NAME FILE``: its ID. The data never shows in a listing or inspect."""
    return _stored_create("secret", name, data, file, labels, engine)


def config_create(
    name: str,
    data: bytes | str | None = None,
    *,
    file: str | Path | None = None,
    labels: Mapping[str, Any] | Iterable[str] | None = None,
    engine: Engine | None = None,
) -> str:
    """``docker config create NAME FILE``: its ID."""
    return _stored_create("config", name, data, file, labels, engine)


def _stored_create(
    kind: str,
    name: str,
    data: bytes | str | None,
    file: str | Path | None,
    labels: Any,
    engine: Engine | None,
) -> str:
    if (data is None) == (file is None):
        raise OptionError(f"a {kind} needs its data or a file to read it from (one of them)")
    if file is not None:
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise HostFileError(f"cannot read {file}: {exc.strerror}") from None
    raw = data.encode() if isinstance(data, str) else bytes(data or b"")
    return str(getattr(engine_for(engine), f"{kind}_create")(name, raw, as_labels(labels)))


def secrets(*, filters: dict[str, Any] | None = None, engine: Engine | None = None) -> Table:
    return stored_table(engine_for(engine).secret_list(filters), "secret")


def configs(*, filters: dict[str, Any] | None = None, engine: Engine | None = None) -> Table:
    return stored_table(engine_for(engine).config_list(filters), "config")


def secret_rm(*names: str, engine: Engine | None = None) -> list[str]:
    engine = engine_for(engine)
    return for_each(names, engine.secret_delete, "remove")


def config_rm(*names: str, engine: Engine | None = None) -> list[str]:
    engine = engine_for(engine)
    return for_each(names, engine.config_delete, "remove")


def secret_inspect(name: str, *, engine: Engine | None = None) -> Inspection:
    """A secret's name, labels and dates (the engine never gives its data back)."""
    return Inspection(engine_for(engine).secret_inspect(name))


def config_inspect(name: str, *, engine: Engine | None = None) -> Inspection:
    return Inspection(engine_for(engine).config_inspect(name))
