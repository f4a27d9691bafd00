"""Volume operations (tag ``Volume``)."""

from __future__ import annotations

from typing import Any

from .. import shapes
from ..core import EngineCore, quote_segment


class VolumeAPI(EngineCore):
    def volume_list(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """``{"Volumes": [...], "Warnings": [...]}``."""
        return self._json("GET", "/volumes", shapes.VOLUME_LIST, params={"filters": filters})

    def volume_create(self, config: dict[str, Any]) -> dict[str, Any]:
        """``config``: Name, Driver, DriverOpts, Labels."""
        return self._json(
            "POST",
            "/volumes/create",
            json={**config, "Labels": self.labelled("volume", config.get("Labels"))},
        )

    def volume_inspect(self, name: str) -> dict[str, Any]:
        return self._json("GET", f"/volumes/{quote_segment(name)}")

    def volume_update(self, name: str, version: int, spec: dict[str, Any]) -> None:
        """Update a Swarm cluster volume (needs API 1.42 and a swarm manager)."""
        self.require("1.42", "volume update")
        self._ok(
            "PUT",
            f"/volumes/{quote_segment(name)}",
            params={"version": version},
            json={"Spec": spec},
        )

    def volume_delete(self, name: str, force: bool = False) -> None:
        self._ok("DELETE", f"/volumes/{quote_segment(name)}", params={"force": force})

    def volume_prune(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._json("POST", "/volumes/prune", params={"filters": filters}, timeout=None)
