"""The options of ``network create`` and ``volume create``, once each: the CLI flag, the helper's
keyword, community.docker's name, the API field it fills and what the engine holds when it was not
given. The CLI parsers, the helpers' bodies and the modules' comparisons are all read from here,
as the container options are from ``table.py``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import OptionError
from . import values
from .table import get_path, set_path

Body = dict[str, Any]


def _labels(value: Any) -> dict[str, str]:
    return values.as_labels(value) or {}


def _text(value: Any) -> str:
    return str(value)


def _strings(value: Any) -> list[str]:
    return values.as_list(value) or []


@dataclass(frozen=True)
class ResourceOption:
    name: str  # the helper's keyword, the CLI flag's dest: ipam_opt
    flags: tuple[str, ...]  # the CLI's: ("--ipam-opt",)
    help: str
    path: str | None  # where in the create body and in inspect ("IPAM.Options"); None: IPAM pools
    convert: Callable[[Any], Any] = _text
    default: Any = None  # what inspect shows when it was not given
    module: str = ""  # community.docker's name, where it differs from ``name``
    kind: str = "value"  # value, list (repeatable) or switch
    shown: str = ""  # where inspect shows it, where that differs from ``path``

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, self.module) if self.module else (self.name,)

    def current(self, inspected: Mapping[str, Any]) -> Any:
        """The value in an inspect answer, as ``convert`` gives it (the default when unset)."""
        found = get_path(dict(inspected), self.shown or self.path or "")
        return self.default if found in (None, "") else self.convert(found)


def _option(name: str, flag: str, help: str, path: str | None, **more: Any) -> ResourceOption:
    return ResourceOption(name, (flag,), help, path, **more)


_MAP: dict[str, Any] = {"convert": _labels, "default": {}, "kind": "list"}
_SWITCH: dict[str, Any] = {"convert": bool, "default": False, "kind": "switch"}

NETWORK_OPTIONS = (
    ResourceOption("driver", ("-d", "--driver"), "driver", "Driver", default="bridge"),
    _option("subnet", "--subnet", "subnets (CIDR)", None, kind="list", convert=_strings),
    _option("gateway", "--gateway", "a gateway per subnet", None, kind="list", convert=_strings),
    _option("ip_range", "--ip-range", "a range per subnet", None, kind="list", convert=_strings),
    _option("aux_address", "--aux-address", "NAME=IP the driver must not hand out", None, **_MAP),
    _option("ipam_driver", "--ipam-driver", "IPAM driver", "IPAM.Driver", default="default"),
    _option(
        "ipam_opt",
        "--ipam-opt",
        "IPAM driver options",
        "IPAM.Options",
        module="ipam_driver_options",
        **_MAP,
    ),
    ResourceOption(
        "options", ("-o", "--opt"), "driver options", "Options", module="driver_options", **_MAP
    ),
    _option("labels", "--label", "labels", "Labels", **_MAP),
    _option("internal", "--internal", "no way out of the network", "Internal", **_SWITCH),
    _option("attachable", "--attachable", "containers may join", "Attachable", **_SWITCH),
    _option("ipv6", "--ipv6", "IPv6 too", "EnableIPv6", module="enable_ipv6", **_SWITCH),
    _option("ingress", "--ingress", "the swarm's routing mesh", "Ingress", **_SWITCH),
    _option("scope", "--scope", "local or swarm", "Scope"),
    _option("config_only", "--config-only", "a configuration only", "ConfigOnly", **_SWITCH),
    _option("config_from", "--config-from", "the network to copy", "ConfigFrom.Network"),
)
VOLUME_OPTIONS = (
    ResourceOption("driver", ("-d", "--driver"), "driver", "Driver", default="local"),
    ResourceOption(
        "options",
        ("-o", "--opt"),
        "driver options",
        "DriverOpts",
        module="driver_options",
        shown="Options",
        **_MAP,
    ),
    _option("labels", "--label", "labels", "Labels", **_MAP),
)


def by_name(options: Iterable[ResourceOption]) -> dict[str, ResourceOption]:
    """Each option under each of its names: the helper's and community.docker's."""
    return {name: option for option in options for name in option.names}


def given(options: Iterable[ResourceOption], args: Mapping[str, Any]) -> dict[str, Any]:
    """The options among ``args`` that were given (not None), by their helper's name, converted.
    Either name is taken; a name no option has is an OptionError."""
    table = by_name(options)
    out: dict[str, Any] = {}
    for key, value in args.items():
        option = table.get(key)
        if option is None:
            raise OptionError(f"unknown option {key!r} (one of {', '.join(sorted(table))})")
        if value is not None:
            out[option.name] = option.convert(value)
    return out


def body(options: Iterable[ResourceOption], wanted: Mapping[str, Any]) -> Body:
    """The create body for ``wanted`` (from ``given``): each option in its field, the engine's
    default for the ones not given, as the CLI sends them."""
    out: Body = {}
    for option in options:
        if option.path is None:
            continue
        value = wanted.get(option.name, option.default)
        if value is not None:
            set_path(out, option.path, value)
    return out


def ipam_pools(
    subnets: Iterable[str] = (),
    gateways: Iterable[str] = (),
    ip_ranges: Iterable[str] = (),
    aux: Mapping[str, str] | None = None,
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


def pools_of(wanted: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The IPAM pools the CLI's flags among ``wanted`` ask for (taken out of it); None if none."""
    found = [wanted.pop(key, None) for key in ("subnet", "gateway", "ip_range", "aux_address")]
    if all(value is None for value in found):
        return None
    subnets, gateways, ip_ranges, aux = found
    return ipam_pools(subnets or [], gateways or [], ip_ranges or [], aux)


_POOL_KEYS = {
    "subnet": "Subnet",
    "gateway": "Gateway",
    "iprange": "IPRange",
    "aux_addresses": "AuxiliaryAddresses",
}


def ipam_config(items: Iterable[Any]) -> list[dict[str, Any]]:
    """community.docker's ``ipam_config`` ({subnet, gateway, iprange, aux_addresses}, or a subnet
    alone) as the API's pools, in subnet order."""
    out = []
    for item in items:
        entry = {"subnet": item} if isinstance(item, str) else dict(item)
        unknown = set(entry) - set(_POOL_KEYS)
        if unknown:
            raise OptionError(
                f"unknown ipam_config key(s) {', '.join(sorted(unknown))}"
                " (subnet, gateway, iprange, aux_addresses)"
            )
        out.append({_POOL_KEYS[k]: v for k, v in entry.items() if v})
    return sorted(out, key=lambda c: str(c.get("Subnet")))


def network_body(name: str, wanted: Mapping[str, Any], pools: list[dict[str, Any]]) -> Body:
    """``network create``'s body: the options, the IPAM pools, and the name checked for duplicates."""
    out = {"Name": name, "CheckDuplicate": True, **body(NETWORK_OPTIONS, wanted)}
    out["IPAM"]["Config"] = pools  # IPAM.Driver and IPAM.Options are always there: defaults
    return out


def volume_body(name: str | None, wanted: Mapping[str, Any]) -> Body:
    return {"Name": name or "", **body(VOLUME_OPTIONS, wanted)}


def described(options: Iterable[ResourceOption]) -> str:
    """The options, a line each, for a helper's docstring."""
    return "\n".join(f"    ``{o.name}``: {o.help} ({', '.join(o.flags)})" for o in options)
