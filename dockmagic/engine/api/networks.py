"""Network operations (tag ``Network``)."""

from __future__ import annotations

from typing import Any

from .. import shapes
from ..core import EngineCore, quote_segment


class NetworkAPI(EngineCore):
    def network_list(self, filters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return self._json("GET", "/networks", shapes.NETWORK_LIST, params={"filters": filters})

    def network_inspect(
        self, id: str, verbose: bool = False, scope: str | None = None
    ) -> dict[str, Any]:
        return self._json(
            "GET", f"/networks/{quote_segment(id)}", params={"verbose": verbose, "scope": scope}
        )

    def network_delete(self, id: str) -> None:
        self._ok("DELETE", f"/networks/{quote_segment(id)}")

    def network_create(self, config: dict[str, Any]) -> dict[str, Any]:
        """``config`` as the API has it: Name, Driver, Internal, IPAM, Options, Labels, ..."""
        return self._json(
            "POST",
            "/networks/create",
            json={**config, "Labels": self.labelled("network", config.get("Labels"))},
        )

    def network_connect(
        self, id: str, container: str, endpoint_config: dict[str, Any] | None = None
    ) -> None:
        body = {"Container": container, "EndpointConfig": endpoint_config or {}}
        self._ok("POST", f"/networks/{quote_segment(id)}/connect", json=body)

    def network_disconnect(self, id: str, container: str, force: bool = False) -> None:
        self._ok(
            "POST",
            f"/networks/{quote_segment(id)}/disconnect",
            json={"Container": container, "Force": force},
        )

    def network_prune(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._json("POST", "/networks/prune", params={"filters": filters}, timeout=None)
