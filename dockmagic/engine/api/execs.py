"""Exec operations (tag ``Exec``): run a command in a running container."""

from __future__ import annotations

from typing import Any

from .. import shapes
from ..core import EngineCore, quote_segment
from ..transport import HijackedSocket


class ExecAPI(EngineCore):
    def container_exec(self, id: str, config: dict[str, Any]) -> dict[str, Any]:
        """Create an exec instance (``Cmd``, ``AttachStdout``, ``Tty``, ``User``, ...); returns its Id."""
        return self._json(
            "POST", f"/containers/{quote_segment(id)}/exec", {"Id!": str}, json=config
        )

    def exec_start(
        self, exec_id: str, *, tty: bool = False, detach: bool = False
    ) -> HijackedSocket | None:
        """Start it: a raw two-way stream (stdin, output), or None when detached."""
        body = {"Detach": detach, "Tty": tty}
        if detach:
            self._ok("POST", f"/exec/{quote_segment(exec_id)}/start", json=body)
            return None
        return self._hijack("POST", f"/exec/{quote_segment(exec_id)}/start", json=body)

    def exec_resize(self, exec_id: str, h: int, w: int) -> None:
        self._ok("POST", f"/exec/{quote_segment(exec_id)}/resize", params={"h": h, "w": w})

    def exec_inspect(self, exec_id: str) -> dict[str, Any]:
        return self._json("GET", f"/exec/{quote_segment(exec_id)}/json", shapes.EXEC)
