"""Inspect results: a collapsible tree in notebooks, JSON text in terminals."""

from __future__ import annotations

import json
from typing import Any

from .text import esc, visible


def _node(key: str, value: Any, depth: int) -> str:
    label = f"<b>{esc(key)}</b>" if key else ""
    if isinstance(value, dict | list) and value:
        items = value.items() if isinstance(value, dict) else enumerate(value)
        inner = "".join(_node(str(k), v, depth + 1) for k, v in items)
        kind = f"{{{len(value)}}}" if isinstance(value, dict) else f"[{len(value)}]"
        opened = " open" if depth < 1 else ""
        return (
            f"<details{opened} style='margin-left:{depth and 1.2}em'><summary>{label} "
            f"<span style='color:#888'>{kind}</span></summary>{inner}</details>"
        )
    shown = (
        json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else json.dumps(value)
    )
    return f"<div style='margin-left:{depth and 1.2}em'>{label}{': ' if label else ''}<code>{esc(shown)}</code></div>"


class Inspection(dict[str, Any]):
    """An inspect result: a plain dict that shows itself as a tree."""

    def _repr_html_(self) -> str:
        title = self.get("Name") or self.get("Id", "")
        return (
            f"<div class='dockmagic-inspect'>{_node(str(title).lstrip('/'), dict(self), 0)}</div>"
        )

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(cli_json([self]))


class Inspections(list[Inspection]):
    """Several inspect results: a list, shown as the docker CLI prints them (or as trees)."""

    def _repr_html_(self) -> str:
        return "".join(item._repr_html_() for item in self)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(cli_json(list(self)))


def cli_json(items: list[Any]) -> str:
    """What ``docker ... inspect`` prints: a JSON list, four spaces of indent."""
    return visible(json.dumps(items, indent=4, ensure_ascii=False))
