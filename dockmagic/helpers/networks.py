"""Networks: create, connect, disconnect, remove, prune (``docker network ...``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..engine import Engine
from ..errors import NotFound, OptionError
from ..options.values import as_labels, as_list
from ..render.table import Table
from .batch import for_each
from .engines.session import pick
from .tables import networks_table


def _ipam_pools(
    subnets: Iterable[str],
    gateways: Iterable[str],
    ip_ranges: Iterable[str],
    aux: Mapping[str, str],
) -> list[dict[str, Any]]:
    """IPAM pools as the CLI pairs them: the n-th gateway and range go with the n-th subnet."""
    subnets, gateways, ip_ranges = list(subnets), list(gateways), list(ip_ranges)
    if (gateways or ip_ranges or aux) and not subnets:
        raise OptionError("--gateway, --ip-range and --aux-address need a --subnet")
    if len(gateways) > len(subnets) or len(ip_ranges) > len(subnets):
        raise OptionError("give at most one --gateway and one --ip-range per --subnet")
    pools = []
    for i, subnet in enumerate(subnets):
        pool: dict[str, Any] = {"Subnet": subnet}
        if i < len(gateways):
            pool["Gateway"] = gateways[i]
        if i < len(ip_ranges):
            pool["IPRange"] = ip_ranges[i]
        if aux and i == 0:
            pool["AuxiliaryAddresses"] = dict(aux)
        pools.append(pool)
    return pools


def network_create(
    name: str,
    *,
    driver: str | None = None,
    subnet: str | Iterable[str] | None = None,
    gateway: str | Iterable[str] | None = None,
    ip_range: str | Iterable[str] | None = None,
    aux_address: Mapping[str, str] | Iterable[str] | None = None,
    ipam_driver: str | None = None,
    ipam_opt: Mapping[str, str] | Iterable[str] | None = None,
    options: Mapping[str, str] | Iterable[str] | None = None,
    labels: Mapping[str, Any] | Iterable[str] | None = None,
    internal: bool = False,
    attachable: bool = False,
    ipv6: bool = False,
    ingress: bool = False,
    scope: str | None = None,
    config_only: bool = False,
    config_from: str | None = None,
    engine: Engine | None = None,
) -> str:
    """``docker network create``; the new network's ID."""
    ipam: dict[str, Any] = {
        "Driver": ipam_driver or "default",
        "Config": _ipam_pools(
            as_list(subnet) or [],
            as_list(gateway) or [],
            as_list(ip_range) or [],
            as_labels(aux_address) or {},
        ),
        "Options": as_labels(ipam_opt) or {},
    }
    body: dict[str, Any] = {
        "Name": name,
        "CheckDuplicate": True,
        "Driver": driver or "bridge",
        "IPAM": ipam,
        "Internal": internal,
        "Attachable": attachable,
        "Ingress": ingress,
        "EnableIPv6": ipv6,
        "Options": as_labels(options) or {},
        "Labels": as_labels(labels) or {},
        "Scope": scope,
        "ConfigOnly": config_only,
        "ConfigFrom": {"Network": config_from} if config_from else None,
    }
    created = pick(engine).network_create({k: v for k, v in body.items() if v is not None})
    return str(created["Id"])


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
    pick(engine).network_connect(
        network, container, {k: v for k, v in endpoint.items() if v} or None
    )


def network_disconnect(
    network: str, container: str, *, force: bool = False, engine: Engine | None = None
) -> None:
    pick(engine).network_disconnect(network, container, force=force)


def network_rm(*networks: str, force: bool = False, engine: Engine | None = None) -> list[str]:
    """Remove networks; with ``force``, a missing one is not an error (``docker network rm -f``)."""
    e = pick(engine)

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
    return pick(engine).network_prune(filters)


def networks(*, filters: dict[str, Any] | None = None, engine: Engine | None = None) -> Table:
    return networks_table(pick(engine).network_list(filters))
