"""Image operations (tag ``Image``): build, pull/import, push, tag, save/load, commit."""

from __future__ import annotations

import base64
import json
from typing import Any

from .. import shapes
from ..core import EngineCore, Params, quote_image
from ..streams import Stream
from .containers import Body

Progress = Stream[dict[str, Any]]


def auth_header(auth: dict[str, Any] | None) -> dict[str, str]:
    """``X-Registry-Auth``: base64url JSON. Its value never appears in errors or reprs."""
    if not auth:
        return {}
    return {"X-Registry-Auth": base64.urlsafe_b64encode(json.dumps(auth).encode()).decode()}


class ImageAPI(EngineCore):
    def image_list(
        self, all: bool = False, filters: dict[str, Any] | None = None, digests: bool = False
    ) -> list[dict[str, Any]]:
        params = {"all": all, "filters": filters, "digests": digests}
        return self._json("GET", "/images/json", shapes.IMAGE_LIST, params=params)

    def image_build(
        self,
        context: Body,
        *,
        tags: list[str] | None = None,
        dockerfile: str | None = None,
        buildargs: dict[str, str] | None = None,
        labels: dict[str, str] | None = None,
        target: str | None = None,
        nocache: bool = False,
        pull: bool = False,
        rm: bool = True,
        forcerm: bool = False,
        quiet: bool = False,
        platform: str | None = None,
        extra: Params | None = None,
        registry_config: dict[str, Any] | None = None,
    ) -> Progress:
        """Build from a tar context (bytes, chunks or a file: streamed); yields the build's messages."""
        params: Params = {
            "t": tags,
            "dockerfile": dockerfile,
            "buildargs": buildargs,
            "labels": self.labelled("image", labels),
            "target": target,
            "nocache": nocache,
            "pull": pull or None,
            "rm": rm,
            "forcerm": forcerm,
            "q": quiet,
            "platform": platform,
            **(extra or {}),
        }
        headers = {"Content-Type": "application/x-tar"}
        if registry_config:
            headers["X-Registry-Config"] = base64.urlsafe_b64encode(
                json.dumps(registry_config).encode()
            ).decode()
        return self._json_stream(
            "POST", "/build", "build", params=params, data=context, headers=headers
        )

    def build_prune(
        self,
        keep_storage: int | None = None,
        all: bool = False,
        filters: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        self.require("1.31", "build prune")
        params = {"keep-storage": keep_storage, "all": all, "filters": filters}
        return self._json("POST", "/build/prune", params=params, timeout=None)

    def image_create(
        self,
        from_image: str | None = None,
        *,
        from_src: str | None = None,
        repo: str | None = None,
        tag: str | None = None,
        message: str | None = None,
        changes: list[str] | None = None,
        platform: str | None = None,
        data: Body | None = None,
        auth: dict[str, Any] | None = None,
    ) -> Progress:
        """Pull (``from_image``) or import (``from_src``: a URL, or ``-`` with ``data`` as the tar)."""
        params = {
            "fromImage": from_image,
            "fromSrc": from_src,
            "repo": repo,
            "tag": tag,
            "message": message,
            "changes": changes,
            "platform": platform,
        }
        operation = "pull" if from_image else "import"
        return self._json_stream(
            "POST", "/images/create", operation, params=params, data=data, headers=auth_header(auth)
        )

    def image_inspect(self, name: str) -> dict[str, Any]:
        return self._json("GET", f"/images/{quote_image(name)}/json")

    def distribution_inspect(self, name: str, auth: dict[str, Any] | None = None) -> dict[str, Any]:
        """What the registry says of ``name``: its Descriptor (digest) and Platforms, as the engine asks it."""
        return self._json(
            "GET", f"/distribution/{quote_image(name)}/json", headers=auth_header(auth)
        )

    def image_history(self, name: str) -> list[dict[str, Any]]:
        return self._json("GET", f"/images/{quote_image(name)}/history", shapes.HISTORY)

    def image_push(
        self, name: str, tag: str | None = None, auth: dict[str, Any] | None = None
    ) -> Progress:
        # The engine refuses a push with no auth header at all; an empty one means anonymous.
        headers = auth_header(auth) or {"X-Registry-Auth": base64.urlsafe_b64encode(b"{}").decode()}
        return self._json_stream(
            "POST",
            f"/images/{quote_image(name)}/push",
            "push",
            params={"tag": tag},
            headers=headers,
        )

    def image_tag(self, name: str, repo: str, tag: str | None = None) -> None:
        self._ok("POST", f"/images/{quote_image(name)}/tag", params={"repo": repo, "tag": tag})

    def image_delete(
        self, name: str, force: bool = False, noprune: bool = False
    ) -> list[dict[str, Any]]:
        return self._json(
            "DELETE",
            f"/images/{quote_image(name)}",
            shapes.IMAGE_DELETED,
            params={"force": force, "noprune": noprune},
        )

    def image_search(
        self, term: str, limit: int | None = None, filters: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        return self._json(
            "GET", "/images/search", params={"term": term, "limit": limit, "filters": filters}
        )

    def image_prune(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._json("POST", "/images/prune", params={"filters": filters}, timeout=None)

    def image_commit(
        self,
        container: str,
        *,
        repo: str | None = None,
        tag: str | None = None,
        comment: str | None = None,
        author: str | None = None,
        pause: bool = True,
        changes: str | None = None,
        config: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        params = {
            "container": container,
            "repo": repo,
            "tag": tag,
            "comment": comment,
            "author": author,
            "pause": pause,
            "changes": changes,
        }
        config = {**(config or {}), "Labels": self.labelled("commit", (config or {}).get("Labels"))}
        return self._json("POST", "/commit", params=params, json=config, timeout=None)

    def image_get(self, name: str) -> Stream[memoryview]:
        """``docker save`` of one image: a tar stream."""
        return self._download("GET", f"/images/{quote_image(name)}/get")[1]

    def image_get_all(self, names: list[str]) -> Stream[memoryview]:
        """``docker save`` of several images into one tar stream."""
        return self._download("GET", "/images/get", params={"names": list(names)})[1]

    def image_load(self, data: Body, quiet: bool = False) -> Progress:
        return self._json_stream(
            "POST",
            "/images/load",
            "load",
            params={"quiet": quiet},
            data=data,
            headers={"Content-Type": "application/x-tar"},
        )
