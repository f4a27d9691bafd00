"""``--dry-run`` as compose does it: the commands run as they would, against an engine that
answers every read truly and changes nothing. What would be made is remembered, so that the
rest of the command sees it (a created container can be started, waited for, inspected)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from ..engine import Engine
from ..engine.streams import Stream

PREFIX = "DRY-RUN MODE - "
_NUMBERS = itertools.count(1)


# A pretended start: running, healthy, and (for whoever waits for it to complete) done with 0.
STARTED = {
    "Status": "running",
    "Running": True,
    "ExitCode": 0,
    "Health": {"Status": "healthy"},
    "DryRun": True,
}


def _pretend_id() -> str:
    return f"{next(_NUMBERS):064x}"


def _nothing() -> Stream[Any]:
    def items() -> Iterator[Any]:
        return iter(())

    return Stream(items(), lambda: None)


class DryRunEngine:
    """An engine whose changing calls are only pretended: reads go to ``engine``; a created
    container is answered from its create body, started, stopped and waited for in memory."""

    dry_run = True  # what a caller that would run a command in a container asks

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._made: dict[str, dict[str, Any]] = {}  # pretended containers, by ID and name
        self._images: set[str] = set()  # images pretended built or pulled
        self._started: set[str] = set()  # real containers pretended started

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)

    def container_create(self, body: dict[str, Any], name: str | None = None, **_: Any) -> Any:
        cid = _pretend_id()
        info: dict[str, Any] = {
            "Id": cid,
            "Name": f"/{name or cid[:12]}",
            "Config": {**body, "Labels": body.get("Labels") or {}},
            "HostConfig": body.get("HostConfig") or {},
            "State": {"Status": "created", "Running": False, "ExitCode": 0},
            "Mounts": [],
        }
        self._made[cid] = info
        if name:
            self._made[name] = info
        return {"Id": cid, "Warnings": []}

    def container_inspect(self, id: str, **kwargs: Any) -> Any:
        if id in self._made:
            return self._made[id]
        return self._engine.container_inspect(id, **kwargs)

    def container_start(self, id: str, **_: Any) -> None:
        info = self.container_inspect(id)
        healthy = {"Health": {"Status": "healthy"}} if info["Config"].get("Healthcheck") else {}
        if id in self._made:  # as if it ran: a one-shot job has done its work
            self._made[id]["State"] = {
                "Status": "running",
                "Running": True,
                "ExitCode": 0,
                **healthy,
            }

    def container_rename(self, id: str, name: str) -> None:
        if id in self._made:
            self._made[id]["Name"] = f"/{name}"
            self._made[name] = self._made[id]

    def container_wait(self, id: str, **_: Any) -> dict[str, Any]:
        return {"StatusCode": 0}

    def network_create(self, config: dict[str, Any]) -> dict[str, Any]:
        return {"Id": _pretend_id(), "Warning": ""}

    def volume_create(self, config: dict[str, Any]) -> dict[str, Any]:
        return {"Name": config.get("Name") or _pretend_id(), "Labels": config.get("Labels")}

    def image_inspect(self, name: str) -> Any:
        if name in self._images or name.partition(":")[0] in self._images:
            return {"Id": f"sha256:{'0' * 64}", "Config": {}, "RepoTags": [name]}
        return self._engine.image_inspect(name)

    def image_build(self, *args: Any, tags: Any = None, **kwargs: Any) -> Stream[Any]:
        self._images.update(tags or [])
        return Stream(iter([{"aux": {"ID": f"sha256:{_pretend_id()}"}}]), lambda: None)

    def image_create(self, *args: Any, **kwargs: Any) -> Stream[Any]:
        name = kwargs.get("from_image") or (args[0] if args else "")
        self._images.add(str(name))
        return _nothing()

    def image_push(self, *args: Any, **kwargs: Any) -> Stream[Any]:
        return Stream(iter([{"aux": {"Digest": "sha256:" + "0" * 64}}]), lambda: None)

    def _nothing_done(self, *args: Any, **kwargs: Any) -> None:
        return None

    container_stop = container_kill = container_delete = container_restart = _nothing_done
    container_pause = container_unpause = network_connect = network_delete = _nothing_done
    volume_delete = image_delete = put_container_archive = _nothing_done
