"""``--format``: the docker CLI's fields for each kind of row, its ``table`` directive and its
tab-aligned columns, rendered through the Go template subset in ``gotemplate``."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from .gotemplate import TemplateError, parse, render
from .text import go_quote, pre_html, shorten, tabwrite, visible
from .units import ago, binary_size, human_size, parse_time, ports


class Formatted(str):
    """Text made by a --format template: printed as it is (HTML-escaped in a notebook)."""

    @classmethod
    def lines(cls, lines: Iterable[object]) -> Formatted:
        """The text of these lines, each ended by a newline."""
        return cls("".join(f"{line}\n" for line in lines))

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(visible(self.rstrip("\n")))

    def _repr_html_(self) -> str:
        return pre_html(self.rstrip("\n"))


class Printed(Formatted):
    """--format text already printed line by line as it came (``events``): the value keeps it,
    and a notebook does not show it a second time."""

    def _ipython_display_(self) -> None:
        pass


class Fields(dict[str, Any]):
    """A row as the CLI's formatter shows it: its fields, and ``.Label "key"``. Keys are sorted, as
    Go writes a map, so ``{{json .}}`` prints what the CLI prints."""

    def __init__(self, _labels: dict[str, str] | None = None, **fields: Any) -> None:
        super().__init__(sorted(fields.items()))
        self.labels = _labels or {}

    def Label(self, key: str) -> str:
        return str(self.labels.get(key, ""))


class _Headers:
    """What a ``table`` template prints as its header: each field's column title."""

    def __init__(self, titles: dict[str, str]) -> None:
        self._titles = titles

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._titles.get(name) or re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).upper()

    def Label(self, key: str) -> str:
        return "LABEL"


def _created_at(value: Any) -> str:
    t = parse_time(value)
    if t is None:
        return ""
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%d %H:%M:%S +0000 UTC")


def _rfc3339(value: Any) -> str:
    t = parse_time(value)
    return (
        "" if t is None else datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    )


def _labels(labels: dict[str, str] | None) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted((labels or {}).items()))


def _short(value: Any, trunc: bool) -> str:
    text = str(value or "").removeprefix("sha256:")
    return text[:12] if trunc else str(value or "")


def _size(row: dict[str, Any]) -> str:
    size = human_size(row.get("SizeRw") or 0)
    if row.get("SizeRootFs"):
        size += f" (virtual {human_size(row['SizeRootFs'])})"
    return size


def _networks(row: dict[str, Any]) -> dict[str, Any]:
    return (row.get("NetworkSettings") or {}).get("Networks") or {}


def _image(image: str, trunc: bool) -> str:
    """A container's image as ps shows it: an image ID as its 12 characters, a reference
    without its digest (unless --no-trunc), as the CLI."""
    if not image:
        return "<no image>"
    if not trunc:
        return image
    if re.fullmatch(r"(sha256:)?[0-9a-f]{64}", image):
        return image.removeprefix("sha256:")[:12]
    return image.split("@", 1)[0]


def _plain(value: Any, trunc: bool) -> Any:
    return value


@dataclass(frozen=True)
class Field:
    """One field of a listed row: its value (raw, as a table keeps it for to_pandas), how the CLI
    shows it (``trunc`` unless --no-trunc), and its column title where it is not the name's."""

    value: Callable[[dict[str, Any]], Any]
    show: Callable[[Any, bool], Any] = _plain
    title: str = ""

    def truncated(self, value: Any) -> Any:
        return self.show(value, True)


# The fields of docker ps --format, once: container_fields, the ps table and its titles read them.
CONTAINER_FIELDS = {
    "ID": Field(lambda r: r.get("Id"), _short, "CONTAINER ID"),
    "Image": Field(lambda r: r.get("Image", ""), lambda image, trunc: _image(image, trunc)),
    "Command": Field(
        lambda r: r.get("Command") or "",
        lambda command, trunc: go_quote(shorten(command, 20) if trunc else command),
    ),
    "CreatedAt": Field(lambda r: r.get("Created"), lambda t, _: _created_at(t), "CREATED AT"),
    "RunningFor": Field(lambda r: r.get("Created"), lambda t, _: ago(t), "CREATED"),
    "Ports": Field(lambda r: r.get("Ports"), lambda found, _: ports(found)),
    "State": Field(lambda r: r.get("State", "")),
    "Status": Field(lambda r: r.get("Status", "")),
    "Size": Field(_size),
    "Names": Field(lambda r: ",".join(n.lstrip("/") for n in r.get("Names") or [])),
    "Labels": Field(lambda r: r.get("Labels"), lambda labels, _: _labels(labels)),
    "Mounts": Field(
        lambda r: r.get("Mounts") or [],
        lambda mounts, trunc: ",".join(_mount_name(m, trunc) for m in mounts),
    ),
    "Networks": Field(lambda r: ",".join(sorted(_networks(r)))),
    "LocalVolumes": Field(
        lambda r: str(sum(1 for m in r.get("Mounts") or [] if m.get("Driver") == "local")),
        title="LOCAL VOLUMES",
    ),
    "Platform": Field(lambda r: None),  # set only by engines that report it (API 1.46+)
    "HealthStatus": Field(lambda r: _health(str(r.get("Status") or ""))),
    "IPAddresses": Field(
        lambda r: [
            f"{name}/{net['IPAddress']}"
            for name, net in sorted(_networks(r).items())
            if net.get("IPAddress")
        ],
        title="IP ADDRESSES",
    ),
}
CONTAINER_TITLES = {name: f.title for name, f in CONTAINER_FIELDS.items() if f.title}
PS_FIELDS = (
    "ID",
    "Image",
    "Command",
    "RunningFor",
    "Status",
    "Ports",
    "Names",
)  # docker ps's table


def container_fields(row: dict[str, Any], trunc: bool = True) -> Fields:
    shown = {name: f.show(f.value(row), trunc) for name, f in CONTAINER_FIELDS.items()}
    return Fields(_labels=row.get("Labels") or {}, **shown)


def _mount_name(mount: dict[str, Any], trunc: bool) -> str:
    name = str(mount.get("Name") or mount.get("Source", ""))
    return shorten(name, 15) if trunc else name


def _health(status: str) -> str:
    """The health the engine writes into a listed container's status: "Up 3 minutes (healthy)"."""
    found = re.search(r"\((?:health: )?(starting|healthy|unhealthy)\)", status)
    return found.group(1) if found else ""


def image_fields(row: dict[str, Any], trunc: bool = True) -> Fields:
    """One row per repository:tag, as ``docker images``; ``_ref`` is the tag the row is for."""
    repo, _, tag = str(row.get("_ref") or "<none>:<none>").rpartition(":")
    digests = row.get("RepoDigests") or []
    containers = row.get("Containers", -1)
    return Fields(
        ID=_short(row.get("Id"), trunc),
        Repository=repo,
        Tag=tag,
        Digest=(digests[0].partition("@")[2] if digests else "<none>"),
        CreatedSince=ago(row.get("Created")),
        CreatedAt=_created_at(row.get("Created")),
        Size=human_size(row.get("Size")),
        VirtualSize=human_size(row.get("VirtualSize", row.get("Size"))),
        SharedSize="N/A" if row.get("SharedSize", -1) < 0 else human_size(row.get("SharedSize")),
        UniqueSize="N/A",
        Containers="N/A" if containers < 0 else str(containers),
        Labels=_labels(row.get("Labels")),
        _labels=row.get("Labels") or {},
    )


IMAGE_TITLES = {"ID": "IMAGE ID", "CreatedSince": "CREATED", "CreatedAt": "CREATED AT"}


def network_fields(row: dict[str, Any], trunc: bool = True) -> Fields:
    return Fields(
        ID=_short(row.get("Id"), trunc),
        Name=row.get("Name", ""),
        Driver=row.get("Driver", ""),
        Scope=row.get("Scope", ""),
        IPv6=str(bool(row.get("EnableIPv6"))).lower(),
        Internal=str(bool(row.get("Internal"))).lower(),
        Labels=_labels(row.get("Labels")),
        CreatedAt=_created_at(row.get("Created")),
        _labels=row.get("Labels") or {},
    )


NETWORK_TITLES = {"ID": "NETWORK ID", "IPv6": "IPV6", "CreatedAt": "CREATED AT"}


def volume_fields(row: dict[str, Any], trunc: bool = True) -> Fields:
    return Fields(
        Name=row.get("Name", ""),
        Driver=row.get("Driver", ""),
        Scope=row.get("Scope", ""),
        Mountpoint=row.get("Mountpoint", ""),
        Labels=_labels(row.get("Labels")),
        Links="N/A",
        Size="N/A",
        _labels=row.get("Labels") or {},
    )


VOLUME_TITLES = {"Name": "VOLUME NAME"}


def history_fields(row: dict[str, Any], trunc: bool = True, human: bool = True) -> Fields:
    """A layer as ``docker history`` shows it: the command on one line, cut at 45 with ``trunc``."""
    layer = str(row.get("Id") or "")
    created_by = str(row.get("CreatedBy") or "").replace("\t", " ")
    created = row.get("Created")
    return Fields(
        ID=layer if layer == "<missing>" else _short(layer, trunc),
        CreatedSince=ago(created) if human else _rfc3339(created),
        CreatedAt=_rfc3339(created),
        CreatedBy=shorten(created_by, 45) if trunc else created_by,
        Size=human_size(row.get("Size")) if human else str(row.get("Size") or 0),
        Comment=row.get("Comment") or "",
    )


HISTORY_TITLES = {
    "ID": "IMAGE",
    "CreatedSince": "CREATED",
    "CreatedAt": "CREATED AT",
    "CreatedBy": "CREATED BY",
}


def reclaimable(free: int, size: int) -> str:
    """What pruning would free, and its share of the whole (as ``docker system df``)."""
    return human_size(free, 4) + (f" ({round(free * 100 / size)}%)" if size else "")


def df_fields(row: dict[str, Any], trunc: bool = True) -> Fields:
    """A row of ``docker system df``: sizes with four digits, the reclaimable share in percent."""
    size = row.get("Size") or 0
    return Fields(
        Type=row["Type"],
        TotalCount=str(row["TotalCount"]),
        Active=str(row["Active"]),
        Size=human_size(size, 4),
        Reclaimable=reclaimable(row.get("Reclaimable") or 0, size),
    )


DF_TITLES = {"TotalCount": "TOTAL"}


def _pair(a: Any, b: Any, show: Callable[[Any], str]) -> str:
    return "--" if a is None else f"{show(a)} / {show(b)}"


def _percent(value: Any) -> str:
    return "--" if value is None or value != value else f"{value:.2f}%"  # NaN: not measured


def stats_fields(row: dict[str, Any], trunc: bool = True) -> Fields:
    """A ``docker stats`` row: memory in binary units, network and block I/O in decimal ones."""
    return Fields(
        Container=row.get("target") or row.get("name", ""),
        Name=row.get("name", ""),
        ID=_short(row.get("id"), trunc),
        CPUPerc=_percent(row.get("cpu_percent")),
        MemUsage=_pair(row.get("memory"), row.get("memory_limit"), binary_size),
        MemPerc=_percent(row.get("memory_percent")),
        NetIO=_pair(row.get("net_rx"), row.get("net_tx"), human_size),
        BlockIO=_pair(row.get("block_read"), row.get("block_write"), human_size),
        PIDs=str(row.get("pids", "--")),
    )


STATS_TITLES = {
    "Container": "CONTAINER",
    "ID": "CONTAINER ID",
    "CPUPerc": "CPU %",
    "MemUsage": "MEM USAGE / LIMIT",
    "MemPerc": "MEM %",
    "NetIO": "NET I/O",
    "BlockIO": "BLOCK I/O",
    "PIDs": "PIDS",
}


def format_rows(
    template: str,
    rows: Iterable[dict[str, Any]],
    fields: Callable[[dict[str, Any], bool], Any] = lambda row, trunc: row,
    titles: dict[str, str] | None = None,
    trunc: bool = True,
) -> Formatted:
    """Each row through the template, one line each; ``table ...`` adds a header and aligns."""
    if template == "json":
        template = "{{json .}}"
    table = template.startswith("table")
    body = template.removeprefix("table").lstrip() if table else template
    body = body.replace("\\t", "\t").replace("\\n", "\n")
    nodes = parse(body)
    lines = [render(nodes, fields(row, trunc)) for row in rows]
    if table:
        header = render(nodes, _Headers(titles or {}))
        return Formatted(tabwrite([header, *lines]) + "\n")
    return Formatted.lines(lines)


def format_one(template: str, value: Any) -> Formatted:
    """``inspect -f``, ``info -f``, ``version -f``: one value, one line."""
    if template == "json":
        template = "{{json .}}"
    return Formatted(render(template.replace("\\t", "\t").replace("\\n", "\n"), value) + "\n")


__all__ = ["Formatted", "Printed", "TemplateError", "format_one", "format_rows"]
