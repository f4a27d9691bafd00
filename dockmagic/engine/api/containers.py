"""Container operations (tag ``Container`` of the Engine API)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from typing import IO, Any, Literal, overload

from ...errors import NotFound, Unsupported
from .. import shapes
from ..core import EngineCore, Params, Pending, quote_segment
from ..shapes import MalformedAnswer, check
from ..streams import Chunk, Stream
from ..transport import HijackedSocket
from ..websocket import WebSocket

Body = bytes | Iterable[bytes] | IO[bytes]


def path_stat(headers: Any) -> dict[str, Any]:
    """Decode the ``X-Docker-Container-Path-Stat`` header (base64 JSON: name, size, mode, ...)."""
    raw = headers.get("x-docker-container-path-stat")
    if not raw:
        raise MalformedAnswer(
            "the engine's answer about a path in the container has no stat header"
        )
    try:
        value = json.loads(base64.b64decode(raw, validate=True))
    except ValueError:
        raise MalformedAnswer("the engine's stat header of a path is not base64 JSON") from None
    return check(value, {**shapes.PATH_STAT, "mode!": int}, "a path stat")


def _attach_params(
    stdin: bool, stdout: bool, stderr: bool, logs: bool, stream: bool, detach_keys: str | None
) -> Params:
    return {
        "stdin": stdin,
        "stdout": stdout,
        "stderr": stderr,
        "logs": logs,
        "stream": stream,
        "detachKeys": detach_keys,
    }


class ContainerAPI(EngineCore):
    def container_list(
        self,
        all: bool = False,
        limit: int | None = None,
        size: bool = False,
        filters: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        params = {"all": all, "limit": limit, "size": size, "filters": filters}
        return self._json("GET", "/containers/json", shapes.CONTAINER_LIST, params=params)

    def container_create(
        self, config: dict[str, Any], name: str | None = None, platform: str | None = None
    ) -> dict[str, Any]:
        if platform:
            self.require("1.41", "platform")
        params = {"name": name, "platform": platform}
        config = {**config, "Labels": self.labelled("container", config.get("Labels"))}
        return self._json("POST", "/containers/create", shapes.CREATED, params=params, json=config)

    def container_inspect(self, id: str, size: bool = False) -> dict[str, Any]:
        return self._json(
            "GET", f"/containers/{quote_segment(id)}/json", shapes.CONTAINER, params={"size": size}
        )

    def container_top(self, id: str, ps_args: str | None = None) -> dict[str, Any]:
        return self._json(
            "GET", f"/containers/{quote_segment(id)}/top", shapes.TOP, params={"ps_args": ps_args}
        )

    def container_logs(
        self,
        id: str,
        *,
        follow: bool = False,
        stdout: bool = True,
        stderr: bool = True,
        since: int | float | None = None,
        until: int | float | None = None,
        timestamps: bool = False,
        tail: int | str | None = None,
        details: bool = False,
        tty: bool | None = None,
    ) -> Stream[Chunk]:
        """Logs as stdout/stderr chunks. ``tty`` says how the container was made (asked when None)."""
        if until is not None:
            self.require("1.35", "logs until")
        if tty is None:
            tty = bool(self.container_inspect(id)["Config"].get("Tty"))
        params: Params = {
            "follow": follow,
            "stdout": stdout,
            "stderr": stderr,
            "since": since,
            "until": until,
            "timestamps": timestamps,
            "tail": tail,
            "details": details,
        }
        # without follow the engine sends what it has at once; silence is a hung engine
        timeout = None if follow else self.timeout
        # without follow, read in bulk: the engine sends each line as its own HTTP chunk
        path = f"/containers/{quote_segment(id)}/logs"
        return self._output("GET", path, tty, bulk=not follow, params=params, timeout=timeout)

    def container_changes(self, id: str) -> list[dict[str, Any]]:
        path = f"/containers/{quote_segment(id)}/changes"
        return check(self._json("GET", path) or [], shapes.CHANGES, f"GET {path}")  # null: none

    def container_export(self, id: str) -> Stream[memoryview]:
        return self._download("GET", f"/containers/{quote_segment(id)}/export")[1]

    @overload
    def container_stats(
        self, id: str, stream: Literal[True] = ..., one_shot: bool = ...
    ) -> Stream[dict[str, Any]]: ...

    @overload
    def container_stats(
        self, id: str, stream: Literal[False], one_shot: bool = ...
    ) -> dict[str, Any]: ...

    def container_stats(
        self, id: str, stream: bool = True, one_shot: bool = False
    ) -> Stream[dict[str, Any]] | dict[str, Any]:
        """One sample (``stream=False``) or an endless stream of samples."""
        if one_shot:
            self.require("1.41", "stats one-shot")
        params = {"stream": stream, "one-shot": one_shot or None}
        if stream:
            # a sample a second: a minute of silence is a hung engine
            return self._json_stream(
                "GET",
                f"/containers/{quote_segment(id)}/stats",
                "stats",
                shape=shapes.STATS,
                params=params,
                timeout=self.timeout,
            )
        return dict(
            self._json("GET", f"/containers/{quote_segment(id)}/stats", shapes.STATS, params=params)
        )

    def container_resize(self, id: str, h: int, w: int) -> None:
        self._ok("POST", f"/containers/{quote_segment(id)}/resize", params={"h": h, "w": w})

    def container_start(self, id: str) -> None:
        self._ok("POST", f"/containers/{quote_segment(id)}/start")

    def _stop_params(self, t: int | None, signal: str | None) -> dict[str, Any]:
        if signal:
            self.require("1.42", "stop signal")
        # The engine waits t seconds before killing: the answer may take that long.
        wait = (t if t is not None else 10) + self.timeout
        return {"params": {"t": t, "signal": signal}, "timeout": wait}

    def container_stop(self, id: str, t: int | None = None, signal: str | None = None) -> None:
        self._ok("POST", f"/containers/{quote_segment(id)}/stop", **self._stop_params(t, signal))

    def container_restart(self, id: str, t: int | None = None, signal: str | None = None) -> None:
        self._ok("POST", f"/containers/{quote_segment(id)}/restart", **self._stop_params(t, signal))

    def container_kill(self, id: str, signal: str | None = None) -> None:
        self._ok("POST", f"/containers/{quote_segment(id)}/kill", params={"signal": signal})

    def container_update(self, id: str, update: dict[str, Any]) -> dict[str, Any]:
        try:
            return self._json("POST", f"/containers/{quote_segment(id)}/update", json=update)
        except NotFound as exc:
            podman = self.podman_version()
            if podman is None or "container" in exc.message.lower():  # "no such container"
                raise
            raise Unsupported(
                f"Podman {podman} has no 'docker update' (POST /containers/ID/update): "
                "recreate the container with the new limits (a play's container task does so itself)"
            ) from None

    def container_rename(self, id: str, name: str) -> None:
        self._ok("POST", f"/containers/{quote_segment(id)}/rename", params={"name": name})

    def container_pause(self, id: str) -> None:
        self._ok("POST", f"/containers/{quote_segment(id)}/pause")

    def container_unpause(self, id: str) -> None:
        self._ok("POST", f"/containers/{quote_segment(id)}/unpause")

    def container_attach(
        self,
        id: str,
        *,
        stdin: bool = False,
        stdout: bool = True,
        stderr: bool = True,
        logs: bool = False,
        stream: bool = True,
        detach_keys: str | None = None,
    ) -> HijackedSocket:
        """A raw two-way stream; decode its output with ``streams.demux(sock.chunks(), tty)``."""
        params = _attach_params(stdin, stdout, stderr, logs, stream, detach_keys)
        return self._hijack("POST", f"/containers/{quote_segment(id)}/attach", params)

    def container_attach_websocket(
        self,
        id: str,
        *,
        stdin: bool = False,
        stdout: bool = True,
        stderr: bool = True,
        logs: bool = False,
        stream: bool = True,
        detach_keys: str | None = None,
    ) -> WebSocket:
        """Attach over a websocket (what browsers use); frames carry raw, un-multiplexed output."""
        params = _attach_params(stdin, stdout, stderr, logs, stream, detach_keys)
        return WebSocket.connect(
            self.transport, self._path(f"/containers/{quote_segment(id)}/attach/ws"), params
        )

    def container_wait(
        self, id: str, condition: str | None = None, timeout: float | None = None
    ) -> dict[str, Any]:
        """Block until the container stops (or reaches ``condition``: not-running, next-exit, removed)."""
        if condition:
            self.require("1.30", "wait condition")
        return self._json(
            "POST",
            f"/containers/{quote_segment(id)}/wait",
            shapes.WAIT,
            params={"condition": condition},
            timeout=timeout,
        )

    def container_wait_registered(self, id: str, condition: str = "next-exit") -> Pending:
        """A wait the engine has registered when this returns (it sends the answer's head at once);
        its body, the exit code, comes when the container reaches ``condition``. Asked before start,
        as the docker CLI does: an exit (or an AutoRemove removal) cannot come before it."""
        self.require("1.30", "wait condition")
        path = f"/containers/{quote_segment(id)}/wait"
        resp = self._request(
            "POST", path, params={"condition": condition}, stream=True, timeout=None
        )
        return Pending(resp, f"POST {path}")

    def container_delete(
        self, id: str, v: bool = False, force: bool = False, link: bool = False
    ) -> None:
        self._ok(
            "DELETE",
            f"/containers/{quote_segment(id)}",
            params={"v": v, "force": force, "link": link},
        )

    def container_archive(self, id: str, path: str) -> tuple[dict[str, Any], Stream[memoryview]]:
        """A tar stream of ``path`` in the container, with the path's stat."""
        fields, pieces = self._download(
            "GET", f"/containers/{quote_segment(id)}/archive", params={"path": path}
        )
        try:
            return path_stat(fields), pieces
        except BaseException:
            pieces.close()
            raise

    def put_container_archive(
        self,
        id: str,
        path: str,
        data: Body,
        *,
        no_overwrite_dir_non_dir: bool = False,
        copy_uid_gid: bool = False,
    ) -> None:
        """Extract a tar (bytes, an iterable of chunks, a file object or a body of file slices:
        streamed) into ``path``."""
        params = {
            "path": path,
            "noOverwriteDirNonDir": no_overwrite_dir_non_dir,
            "copyUIDGID": copy_uid_gid or None,
        }
        where, headers = (
            f"/containers/{quote_segment(id)}/archive",
            {"Content-Type": "application/x-tar"},
        )
        answer = self._upload("PUT", where, data, params=params, headers=headers)
        if answer is None:
            self._ok("PUT", where, params=params, data=data, headers=headers, timeout=None)
            return
        with answer:
            for _ in answer:
                pass  # the answer's body, if any, is read to its end

    def container_archive_info(self, id: str, path: str) -> dict[str, Any]:
        resp = self._request(
            "HEAD", f"/containers/{quote_segment(id)}/archive", params={"path": path}
        )
        resp.close()
        return path_stat(resp.headers)

    def container_prune(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._json("POST", "/containers/prune", params={"filters": filters}, timeout=None)
