"""Image operations against the real engine, push and pull through a local registry."""

from __future__ import annotations

import io
import tarfile
from typing import Any

import pytest

from dockmagic.engine import Engine
from dockmagic.errors import APIError, NotFound, OperationFailed
from dockmagic.helpers.images.busybox import rootfs_tar

from .support import LABEL, LABELS, Registry, add_file, unique


def test_build_streams_messages_and_tags(engine: Engine, image: str) -> None:
    info = engine.image_inspect(image)
    assert info["Config"]["Labels"][LABEL] == "1"
    assert image in info["RepoTags"]
    assert engine.image_history(image)[0]["Id"] == info["Id"]
    assert any(
        image in (i.get("RepoTags") or []) for i in engine.image_list(filters={"label": LABEL})
    )


def test_build_with_args_target_and_failure(engine: Engine, image: str) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        add_file(
            tar,
            "Custom.Dockerfile",
            f"FROM {image} AS base\nARG GREETING\nRUN echo $GREETING > /greeting\n"
            f"FROM base AS broken\nRUN exit 7\n".encode(),
        )
    tag = f"dockmagic-test/args:{unique()}"
    msgs = list(
        engine.image_build(
            buf.getvalue(),
            tags=[tag],
            dockerfile="Custom.Dockerfile",
            buildargs={"GREETING": "hi"},
            target="base",
            labels=LABELS,
            nocache=True,
        )
    )
    assert any("Successfully tagged" in m.get("stream", "") for m in msgs)
    engine.image_delete(tag)
    with pytest.raises(OperationFailed, match=r"build failed: .*returned a non-zero code: 7"):
        list(
            engine.image_build(
                buf.getvalue(), dockerfile="Custom.Dockerfile", labels=LABELS, forcerm=True
            )
        )
    engine.image_prune(filters={"label": LABEL, "dangling": "true"})  # the stages that did build


def test_import_from_src(engine: Engine) -> None:
    repo, tag = "dockmagic-test/imported", unique()
    msgs = list(
        engine.image_create(
            from_src="-",
            repo=repo,
            tag=tag,
            data=rootfs_tar(),
            changes=[f"LABEL {LABEL}=1", 'CMD ["sh"]'],
            message="from the tests",
        )
    )
    image_id = msgs[-1]["status"]
    assert engine.image_inspect(f"{repo}:{tag}")["Id"] == image_id
    engine.image_delete(f"{repo}:{tag}")


def test_tag_save_load_commit_delete(engine: Engine, image: str, make_container: Any) -> None:
    alias = f"dockmagic-test/alias:{unique()}"
    engine.image_tag(image, "dockmagic-test/alias", alias.split(":")[1])
    saved = b"".join(engine.image_get(alias))
    both = b"".join(engine.image_get_all([alias, image]))
    with tarfile.open(fileobj=io.BytesIO(both)) as tar:
        assert any(n.endswith("layer.tar") for n in tar.getnames())
    engine.image_delete(alias)
    msgs = list(engine.image_load(saved, quiet=True))
    assert any(alias in m.get("stream", "") for m in msgs)
    cid = make_container(["sh", "-c", "echo committed > /c"])
    engine.container_start(cid)
    engine.container_wait(cid)
    committed = engine.image_commit(
        cid,
        repo="dockmagic-test/committed",
        tag=unique(),
        comment="test",
        changes=f"LABEL {LABEL}=1",
    )["Id"]
    deleted = engine.image_delete(committed)
    assert any(d.get("Deleted") == committed for d in deleted)
    engine.image_delete(alias)
    with pytest.raises(NotFound):
        engine.image_inspect(alias)


def test_commit_to_a_reference_with_a_registry_port(engine: Engine, make_container: Any) -> None:
    """``docker commit C host:5000/repo:tag``: the port is part of the repository, not a tag."""
    import dockmagic

    cid = make_container(["true"])
    ref = f"127.0.0.1:5000/dockmagic-test/committed:{unique()}"
    committed = dockmagic.commit(cid, ref, changes=[f"LABEL {LABEL}=1"], engine=engine).strip()
    try:
        assert ref in engine.image_inspect(committed)["RepoTags"]
        untagged = repr(dockmagic.rmi(ref, engine=engine))  # printed as the CLI prints it
        assert f"Untagged: {ref}" in untagged.splitlines() and f"Deleted: {committed}" in untagged
    finally:
        try:
            engine.image_delete(committed, force=True)
        except NotFound:
            pass


def test_prune_and_search_errors(engine: Engine) -> None:
    assert "ImagesDeleted" in engine.image_prune(filters={"label": f"{LABEL}=nothing-has-this"})
    assert "SpaceReclaimed" in engine.build_prune(filters={"until": "1h"})
    with pytest.raises(APIError) as exc:  # no registry is reachable from here
        engine.image_search("busybox", limit=1)
    assert "\n" not in str(exc.value)


def test_push_and_pull_through_local_registry(
    engine: Engine, image: str, registry: Registry
) -> None:
    ref = f"{registry.address}/dockmagic-test/pushed"
    tag = unique()
    engine.image_tag(image, ref, tag)
    pushed = list(engine.image_push(ref, tag=tag))
    digest = next(m["aux"]["Digest"] for m in pushed if "aux" in m)
    engine.image_delete(f"{ref}:{tag}")
    pulled = list(engine.image_create(ref, tag=tag))
    assert any(digest in m.get("status", "") for m in pulled)
    assert f"{ref}@{digest}" in engine.image_inspect(f"{ref}:{tag}")["RepoDigests"]
    engine.image_delete(f"{ref}:{tag}")
    with pytest.raises((OperationFailed, NotFound), match=r"not found|manifest unknown"):
        list(engine.image_create(ref, tag="no-such-tag"))
