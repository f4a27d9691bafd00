"""Swarm operations (tags ``Swarm``, ``Node``, ``Service``, ``Task``, ``Secret``, ``Config``): a
swarm manager answers them all; any other engine says 503 "not a swarm manager"."""

from __future__ import annotations

import base64
from typing import Any

from .. import shapes, versions
from ..core import EngineCore, Params, quote_segment
from ..streams import Chunk, Stream

Spec = dict[str, Any]


class SwarmAPI(EngineCore):
    # -- the swarm -------------------------------------------------------------------------------

    def swarm_inspect(self) -> dict[str, Any]:
        return self._json("GET", "/swarm", shapes.SWARM)

    def swarm_init(self, body: dict[str, Any]) -> str:
        """``body``: ListenAddr, AdvertiseAddr, DataPathAddr, DefaultAddrPool, Spec, ...; the node ID."""
        return str(self._json("POST", "/swarm/init", json=body))

    def swarm_join(self, body: dict[str, Any]) -> None:
        """``body``: ListenAddr, AdvertiseAddr, RemoteAddrs, JoinToken, ..."""
        self._ok("POST", "/swarm/join", json=body, timeout=None)

    def swarm_leave(self, force: bool = False) -> None:
        self._ok("POST", "/swarm/leave", params={"force": force}, timeout=None)

    def swarm_update(
        self,
        version: int,
        spec: Spec,
        rotate_worker_token: bool = False,
        rotate_manager_token: bool = False,
        rotate_manager_unlock_key: bool = False,
    ) -> None:
        params = {
            "version": version,
            "rotateWorkerToken": rotate_worker_token,
            "rotateManagerToken": rotate_manager_token,
            "rotateManagerUnlockKey": rotate_manager_unlock_key,
        }
        self._ok("POST", "/swarm/update", params=params, json=spec)

    def swarm_unlockkey(self) -> str:
        return str(self._json("GET", "/swarm/unlockkey", shapes.OBJ).get("UnlockKey", ""))

    def swarm_unlock(self, key: str) -> None:
        self._ok("POST", "/swarm/unlock", json={"UnlockKey": key})

    # -- nodes -----------------------------------------------------------------------------------

    def node_list(self, filters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return self._json("GET", "/nodes", [shapes.NODE], params={"filters": filters})

    def node_inspect(self, id: str) -> dict[str, Any]:
        return self._json("GET", f"/nodes/{quote_segment(id)}", shapes.NODE)

    def node_update(self, id: str, version: int, spec: Spec) -> None:
        self._ok(
            "POST", f"/nodes/{quote_segment(id)}/update", params={"version": version}, json=spec
        )

    def node_delete(self, id: str, force: bool = False) -> None:
        self._ok("DELETE", f"/nodes/{quote_segment(id)}", params={"force": force})

    # -- services and their tasks ----------------------------------------------------------------

    def service_list(
        self, filters: dict[str, Any] | None = None, status: bool = True
    ) -> list[dict[str, Any]]:
        """Services; with ``status`` (API 1.41) each has ServiceStatus: running and desired tasks."""
        params: Params = {
            "filters": filters,
            "status": status if versions.parse(self.api_version) >= (1, 41) else None,
        }
        return self._json("GET", "/services", [shapes.SERVICE], params=params)

    def service_inspect(self, id: str) -> dict[str, Any]:
        return self._json("GET", f"/services/{quote_segment(id)}", shapes.SERVICE)

    def service_create(self, spec: Spec, registry_auth: str | None = None) -> dict[str, Any]:
        """The new service's ID (and Warnings); ``spec`` is a ServiceSpec."""
        headers = {"X-Registry-Auth": registry_auth} if registry_auth else None
        return self._json(
            "POST",
            "/services/create",
            shapes.OBJ,
            json={**spec, "Labels": self.labelled("service", spec.get("Labels"))},
            headers=headers,
        )

    def service_update(
        self,
        id: str,
        version: int,
        spec: Spec,
        rollback: bool = False,
        registry_auth: str | None = None,
    ) -> dict[str, Any]:
        """Replace the spec (as of ``version``); ``rollback`` returns to the previous spec instead."""
        params: Params = {"version": version, "rollback": "previous" if rollback else None}
        headers = {"X-Registry-Auth": registry_auth} if registry_auth else None
        path = f"/services/{quote_segment(id)}/update"
        return self._json("POST", path, shapes.OBJ, params=params, json=spec, headers=headers) or {}

    def service_delete(self, id: str) -> None:
        self._ok("DELETE", f"/services/{quote_segment(id)}")

    def service_logs(
        self,
        id: str,
        *,
        follow: bool = False,
        since: int | float | None = None,
        timestamps: bool = False,
        tail: int | str | None = None,
        tty: bool = False,
    ) -> Stream[Chunk]:
        """Every task's output, each line prefixed by its ``com.docker.swarm.*`` ids (details)."""
        params: Params = {
            "follow": follow,
            "stdout": True,
            "stderr": True,
            "since": since,
            "timestamps": timestamps,
            "tail": tail,
            "details": True,
        }
        path = f"/services/{quote_segment(id)}/logs"
        return self._output(
            "GET", path, tty, params=params, timeout=None if follow else self.timeout
        )

    def task_list(self, filters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return self._json("GET", "/tasks", [shapes.TASK], params={"filters": filters})

    def task_inspect(self, id: str) -> dict[str, Any]:
        return self._json("GET", f"/tasks/{quote_segment(id)}", shapes.TASK)

    def task_logs(
        self, id: str, *, follow: bool = False, tail: int | str | None = None
    ) -> Stream[Chunk]:
        params: Params = {
            "follow": follow,
            "stdout": True,
            "stderr": True,
            "tail": tail,
            "details": True,
        }
        path = f"/tasks/{quote_segment(id)}/logs"
        return self._output(
            "GET", path, False, params=params, timeout=None if follow else self.timeout
        )

    # -- secrets and configs: the same operations on two kinds -----------------------------------

    def secret_list(self, filters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return self._json("GET", "/secrets", [shapes.SWARM_OBJECT], params={"filters": filters})

    def secret_inspect(self, id: str) -> dict[str, Any]:
        return self._json("GET", f"/secrets/{quote_segment(id)}", shapes.SWARM_OBJECT)

    def secret_create(self, name: str, data: bytes, labels: dict[str, str] | None = None) -> str:
        return self._stored("secrets", name, data, labels)

    def secret_delete(self, id: str) -> None:
        self._ok("DELETE", f"/secrets/{quote_segment(id)}")

    def secret_update(self, id: str, version: int, spec: Spec) -> None:
        """Only the labels of a secret can change (its data never does)."""
        self._ok(
            "POST", f"/secrets/{quote_segment(id)}/update", params={"version": version}, json=spec
        )

    def config_list(self, filters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return self._json("GET", "/configs", [shapes.SWARM_OBJECT], params={"filters": filters})

    def config_inspect(self, id: str) -> dict[str, Any]:
        return self._json("GET", f"/configs/{quote_segment(id)}", shapes.SWARM_OBJECT)

    def config_create(self, name: str, data: bytes, labels: dict[str, str] | None = None) -> str:
        return self._stored("configs", name, data, labels)

    def config_delete(self, id: str) -> None:
        self._ok("DELETE", f"/configs/{quote_segment(id)}")

    def config_update(self, id: str, version: int, spec: Spec) -> None:
        self._ok(
            "POST", f"/configs/{quote_segment(id)}/update", params={"version": version}, json=spec
        )

    def _stored(self, kind: str, name: str, data: bytes, labels: dict[str, str] | None) -> str:
        data64 = base64.b64encode(data).decode()
        spec = {"Name": name, "Labels": self.labelled(kind[:-1], labels), "Data": data64}
        return str(self._json("POST", f"/{kind}/create", shapes.CREATED_SWARM, json=spec)["ID"])
