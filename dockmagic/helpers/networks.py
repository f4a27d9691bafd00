"""Networks: create, connect, disconnect, remove, prune (``docker network ...``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..engine import Engine
from ..errors import NotFound
from ..options.resources import NETWORK_OPTIONS, described, given, network_body, pools_of
from ..options.values import as_labels, as_list
from ..render.table import Table
from ..render.text import natural_key
from .batch import for_each
from .engines.session import engine_for
from .tables import networks_table


def network_create(name: str, *, engine: Engine | None = None, **options: Any) -> str:
    """``docker network create``; the new network's ID. Options by the CLI flag's name (also
    community.docker's, as ``enable_ipv6``); a list for the repeatable ones, a mapping or
    ``K=V`` entries for the key-value ones:"""
    wanted = given(NETWORK_OPTIONS, options)
    pools = pools_of(wanted) or []
    created = engine_for(engine).network_create(network_body(name, wanted, pools))
    return str(created["Id"])


network_create.__doc__ = f"{network_create.__doc__}\n\n{described(NETWORK_OPTIONS)}\n"


def network_connect(
    network: str,
    container: str,
    *,
    aliases: Iterable[str] | None = None,
    ip: str | None = None,
    ip6: str | None = None,
    links: Iterable[str] | None = None,
    link_local_ip: Iterable[str] | None = None,
    driver_opt: Mapping[str, str] | Iterable[str] | None = None,
    engine: Engine | None = None,
) -> None:
    """``docker network connect`` with an endpoint's aliases, addresses and links."""
    ipam = {"IPv4Address": ip, "IPv6Address": ip6, "LinkLocalIPs": as_list(link_local_ip)}
    endpoint = {
        "Aliases": as_list(aliases),
        "Links": as_list(links),
        "IPAMConfig": {k: v for k, v in ipam.items() if v} or None,
        "DriverOpts": as_labels(driver_opt),
    }
    engine_for(engine).network_connect(
        network, container, {k: v for k, v in endpoint.items() if v} or None
    )


def network_disconnect(
    network: str, container: str, *, force: bool = False, engine: Engine | None = None
) -> None:
    engine_for(engine).network_disconnect(network, container, force=force)


def network_rm(*networks: str, force: bool = False, engine: Engine | None = None) -> list[str]:
    """Remove networks; with ``force``, a missing one is not an error (``docker network rm -f``)."""
    e = engine_for(engine)

    def remove(network: str) -> None:
        try:
            e.network_delete(network)
        except NotFound:
            if not force:
                raise

    return for_each(networks, remove, "removed")


def network_prune(
    *, filters: dict[str, Any] | None = None, engine: Engine | None = None
) -> dict[str, Any]:
    return engine_for(engine).network_prune(filters)


def networks(*, filters: dict[str, Any] | None = None, engine: Engine | None = None) -> Table:
    found = engine_for(engine).network_list(filters)
    return networks_table(sorted(found, key=lambda n: natural_key(str(n.get("Name") or ""))))
