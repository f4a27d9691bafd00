"""``--format``: the docker CLI's fields for each kind of row, its ``table`` directive and its
tab-aligned columns, rendered through the Go template subset in ``gotemplate``."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any

from .gotemplate import TemplateError, parse, render
from .text import esc, visible
from .units import ago, human_size, parse_time, ports


class Formatted(str):
    """Text made by a --format template: printed as it is (HTML-escaped in a notebook)."""

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(visible(self.rstrip("\n")))

    def _repr_html_(self) -> str:
        return f"<pre class='dockmagic'>{esc(self.rstrip(chr(10)))}</pre>"


class Fields(dict[str, Any]):
    """A row as the CLI's formatter shows it: its fields, and ``.Label "key"``."""

    def Label(self, key: str) -> str:
        return str((self.get("_labels") or {}).get(key, ""))


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


def _labels(labels: dict[str, str] | None) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted((labels or {}).items()))


def _short(value: Any, trunc: bool) -> str:
    text = str(value or "").removeprefix("sha256:")
    return text[:12] if trunc else str(value or "")


def container_fields(row: dict[str, Any], trunc: bool = True) -> Fields:
    command = row.get("Command") or ""
    if trunc and len(command) > 20:
        command = command[:19] + "…"
    size = ""
    if "SizeRw" in row or "SizeRootFs" in row:
        size = f"{human_size(row.get('SizeRw') or 0)} (virtual {human_size(row.get('SizeRootFs') or 0)})"
    networks = ((row.get("NetworkSettings") or {}).get("Networks") or {}).keys()
    return Fields(
        ID=_short(row.get("Id"), trunc),
        Image=row.get("Image", ""),
        Command=f'"{command}"',
        CreatedAt=_created_at(row.get("Created")),
        RunningFor=ago(row.get("Created")),
        Ports=ports(row.get("Ports")),
        State=row.get("State", ""),
        Status=row.get("Status", ""),
        Size=size,
        Names=",".join(n.lstrip("/") for n in row.get("Names") or []),
        Labels=_labels(row.get("Labels")),
        Mounts=",".join(m.get("Name") or m.get("Source", "") for m in row.get("Mounts") or []),
        Networks=",".join(sorted(networks)),
        LocalVolumes=str(sum(1 for m in row.get("Mounts") or [] if m.get("Driver") == "local")),
        _labels=row.get("Labels") or {},
    )


CONTAINER_TITLES = {
    "ID": "CONTAINER ID",
    "RunningFor": "CREATED",
    "CreatedAt": "CREATED AT",
    "LocalVolumes": "LOCAL VOLUMES",
}


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


def tabwrite(lines: list[str], minwidth: int = 10, padding: int = 3) -> str:
    """Align tab-separated cells as Go's tabwriter does for the docker CLI (min width 10, padding 3)."""
    rows = [line.split("\t") for line in lines]
    widths: dict[int, int] = {}
    for cells in rows:
        for i, cell in enumerate(cells[:-1]):
            widths[i] = max(widths.get(i, 0), len(cell) + padding, minwidth)
    return "\n".join("".join(c.ljust(widths[i]) for i, c in enumerate(cells[:-1])) + cells[-1] for cells in rows)


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
    return Formatted("".join(line + "\n" for line in lines))


def format_one(template: str, value: Any) -> Formatted:
    """``inspect -f``, ``info -f``, ``version -f``: one value, one line."""
    if template == "json":
        template = "{{json .}}"
    return Formatted(render(template.replace("\\t", "\t").replace("\\n", "\n"), value) + "\n")


__all__ = ["Formatted", "TemplateError", "format_one", "format_rows"]
