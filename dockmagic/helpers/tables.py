"""The tables helpers return, with the columns the docker CLI shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..render.formats import CONTAINER_FIELDS, PS_FIELDS, reclaimable
from ..render.table import Column, Row, Table
from ..render.units import ago, human_size


def _short_id(value: Any) -> str:
    return str(value).removeprefix("sha256:")[:12]


def _name(row: Row) -> str:
    return ",".join(n.lstrip("/") for n in row.get("Names") or [])


def _matches_container(row: Row, key: str) -> bool:
    return key in (n.lstrip("/") for n in row.get("Names") or []) or row["Id"].startswith(key)


def containers_table(rows: list[Row]) -> Table:
    """docker ps's table, its columns from the fields --format knows (render/formats.py)."""
    fields = [(name, CONTAINER_FIELDS[name]) for name in PS_FIELDS]
    columns = [Column(f.title or name.upper(), f.value, f.truncated) for name, f in fields]
    return Table(rows, columns, title="containers", lookup=_matches_container)


def _repo_tag(row: Row) -> tuple[str, str]:
    repo, _, version = str(row.get("_ref") or "<none>:<none>").rpartition(":")
    return repo, version


def per_tag(rows: list[Row]) -> list[Row]:
    """One row per repository:tag, as ``docker images`` shows an image with several tags."""
    out = []
    for row in rows:
        tags = [t for t in row.get("RepoTags") or [] if t != "<none>:<none>"]
        if not tags:
            digests = row.get("RepoDigests") or []
            tags = [f"{digests[0].partition('@')[0]}:<none>"] if digests else ["<none>:<none>"]
        out += [{**row, "_ref": tag} for tag in tags]
    return out


def _matches_image(row: Row, key: str) -> bool:
    wanted = key if ":" in key.rsplit("/", 1)[-1] else f"{key}:latest"
    return wanted in (row.get("RepoTags") or []) or _short_id(row["Id"]).startswith(
        key.removeprefix("sha256:")
    )


def images_table(rows: list[Row]) -> Table:
    return Table(
        per_tag(rows),
        [
            Column("REPOSITORY", lambda r: _repo_tag(r)[0]),
            Column("TAG", lambda r: _repo_tag(r)[1]),
            Column.key("IMAGE ID", "Id", _short_id),
            Column.key("CREATED", "Created", ago),
            Column.key("SIZE", "Size", human_size),
        ],
        title="images",
        lookup=_matches_image,
    )


def _matches_named(row: Row, key: str) -> bool:
    return row.get("Name") == key or str(row.get("Id", "")).startswith(key)


def networks_table(rows: list[Row]) -> Table:
    return Table(
        rows,
        [
            Column.key("NETWORK ID", "Id", _short_id),
            Column.key("NAME", "Name"),
            Column.key("DRIVER", "Driver"),
            Column.key("SCOPE", "Scope"),
        ],
        title="networks",
        lookup=_matches_named,
    )


def volumes_table(rows: list[Row]) -> Table:
    return Table(
        rows,
        [Column.key("DRIVER", "Driver"), Column.key("VOLUME NAME", "Name")],
        title="volumes",
        lookup=_matches_named,
    )


def contexts_table(rows: list[Row]) -> Table:
    """Rows shaped as ``docker context ls --format json`` prints them."""
    return Table(
        rows,
        [
            Column("NAME", lambda r: r["Name"] + (" *" if r.get("Current") else "")),
            Column.key("DESCRIPTION", "Description"),
            Column.key("DOCKER ENDPOINT", "DockerEndpoint"),
            Column.key("ERROR", "Error"),
        ],
        title="contexts",
        lookup=_matches_named,
    )


def top_table(result: dict[str, Any]) -> Table:
    titles = result.get("Titles") or []
    rows = [dict(zip(titles, proc, strict=False)) for proc in result.get("Processes") or []]
    return Table(rows, [Column.key(t, t) for t in titles], title="processes")


_KINDS = {0: "C", 1: "A", 2: "D"}


def changes_table(rows: list[Row]) -> Table:
    return Table(
        rows,
        [Column.key("KIND", "Kind", lambda k: _KINDS.get(k, str(k))), Column.key("PATH", "Path")],
        title="changes",
    )


def events_table(rows: list[Row]) -> Table:
    return Table(
        rows,
        [
            Column("TIME", lambda r: r.get("time"), lambda t: ago(t)),
            Column.key("TYPE", "Type"),
            Column.key("ACTION", "Action"),
            Column(
                "ACTOR",
                lambda r: (
                    (r.get("Actor") or {}).get("Attributes", {}).get("name")
                    or str((r.get("Actor") or {}).get("ID", ""))[:12]
                ),
            ),
        ],
        title="events",
    )


def _usage(v: Row) -> dict[str, Any]:
    return v.get("UsageData") or {}


def df_table(usage: dict[str, Any]) -> Table:
    """`docker system df`: one row per kind of thing, shaped as ``--format json`` prints it."""
    kinds: list[tuple[str, str, Callable[[Row], int], Callable[[Row], bool]]] = [
        (
            "Images",
            "Images",
            lambda i: i.get("Size") or 0,
            lambda i: (i.get("Containers") or 0) > 0,
        ),
        (
            "Containers",
            "Containers",
            lambda c: c.get("SizeRw") or 0,
            lambda c: c.get("State") == "running",
        ),
        (
            "Local Volumes",
            "Volumes",
            lambda v: max(_usage(v).get("Size", 0), 0),
            lambda v: _usage(v).get("RefCount", 0) > 0,
        ),
        ("Build Cache", "BuildCache", lambda b: b.get("Size") or 0, lambda b: bool(b.get("InUse"))),
    ]
    rows = []
    for title, key, size, active in kinds:
        items = usage.get(key) or []
        rows.append(
            {
                "Type": title,
                "TotalCount": len(items),
                "Active": sum(1 for i in items if active(i)),
                "Size": sum(size(i) for i in items),
                "Reclaimable": sum(size(i) for i in items if not active(i)),
            }
        )
    return Table(
        rows,
        [
            Column.key("TYPE", "Type"),
            Column.key("TOTAL", "TotalCount"),
            Column.key("ACTIVE", "Active"),
            Column.key("SIZE", "Size", lambda v: human_size(v, 4)),
            Column(
                "RECLAIMABLE", lambda r: (r["Reclaimable"], r["Size"]), lambda v: reclaimable(*v)
            ),
        ],
        title="disk usage",
    )
