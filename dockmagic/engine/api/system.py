"""System operations (tag ``System``): ping, version, info, events, disk usage, registry login."""

from __future__ import annotations

from typing import Any

from .. import shapes
from ..core import EngineCore
from ..streams import Stream


class SystemAPI(EngineCore):
    def system_auth(self, auth_config: dict[str, Any]) -> dict[str, Any]:
        """Check registry credentials (``username``, ``password``, ``serveraddress``)."""
        return self._json("POST", "/auth", json=auth_config)

    def system_info(self) -> dict[str, Any]:
        return self._json("GET", "/info", shapes.OBJ)

    def system_version(self) -> dict[str, Any]:
        return self.version_info()

    def ping(self) -> bool:
        """True when the engine answers; raises EngineUnavailable when it cannot be reached."""
        return self.system_ping() == "OK"

    def system_ping(self) -> str:
        return self._request("GET", "/_ping", versioned=False, timeout=5).text

    def system_ping_head(self) -> dict[str, str]:
        """The ping headers: API-Version, Docker-Experimental, OSType, Builder-Version."""
        resp = self._request("HEAD", "/_ping", versioned=False, timeout=5)
        resp.close()
        return dict(resp.headers)

    def system_events(
        self, since: Any = None, until: Any = None, filters: dict[str, Any] | None = None
    ) -> Stream[dict[str, Any]]:
        """Events as they happen; endless unless ``until`` is given."""
        return self._json_stream(
            "GET",
            "/events",
            "events",
            shapes.EVENT,
            params={"since": since, "until": until, "filters": filters},
        )

    def system_data_usage(self, type: list[str] | None = None) -> dict[str, Any]:
        if type:
            self.require("1.42", "system df type")
        return self._json("GET", "/system/df", shapes.DF, params={"type": type}, timeout=None)
