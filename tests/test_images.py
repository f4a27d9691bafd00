"""Images: streamed build contexts with .dockerignore, push/pull with progress through a real
registry (open and with basic auth), credentials from config.json and helpers, save/load/import."""

from __future__ import annotations

import base64
import json
import os
import re
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from IPython.core.error import UsageError

import dockmagic
from dockmagic.engine import Engine
from dockmagic.errors import APIError, DockerError, OperationFailed
from dockmagic.helpers.images.busybox import rootfs_tar
from dockmagic.helpers.images.dockerignore import Ignore, parse

from .support import LABEL, LABELS, Registry, unique


@pytest.mark.parametrize(
    "path, excluded",
    [
        ("a.log", True),
        ("keep.log", False),
        ("sub/a.log", False),
        ("build/x/y", True),
        ("build", True),
        ("deep/er/node_modules/pkg", True),
        ("docs/a/b.md", True),
        ("docs/top.md", True),
        ("docs/important/c.md", False),
        ("secret", True),
        ("tmp1", True),
        ("tmp12", False),
        ("src/x.py", False),
    ],
)
def test_dockerignore_rules(path: str, excluded: bool) -> None:
    rules = Ignore(
        parse(
            "# c\n*.log\n!keep.log\nbuild/\n**/node_modules\ndocs/**/*.md\n!docs/important/*.md\n/secret\ntmp?\n"
        )
    )
    assert rules.excluded(path) is excluded


def test_build_from_a_folder_honours_dockerignore(
    engine: Engine, image: str, tmp_path: Path
) -> None:
    ctx = tmp_path / "ctx"
    (ctx / "app" / "cache").mkdir(parents=True)
    (ctx / "app" / "main.sh").write_text("echo main\n")
    (ctx / "app" / "cache" / "big.bin").write_bytes(b"x" * 100_000)
    (ctx / "notes.log").write_text("log")
    (ctx / "keep.log").write_text("kept")
    (ctx / ".dockerignore").write_text("app/cache\n*.log\n!keep.log\nbuild.Dockerfile\n")
    (ctx / "build.Dockerfile").write_text(
        f"FROM {image}\nARG WHO\nCOPY . /ctx/\nRUN echo $WHO > /who\n"
    )
    tag = f"dockmagic-test/ctx:{unique()}"
    result = dockmagic.build(
        ctx,
        tag=tag,
        dockerfile="build.Dockerfile",
        buildargs={"WHO": "me"},
        labels=LABELS,
        quiet=True,
        engine=engine,
    )
    try:
        assert result.image_id.startswith("sha256:") and "Successfully tagged" in result.stdout
        out = dockmagic.run(
            tag,
            "sh -c 'cd /ctx && find . | sort; cat /who'",
            remove=True,
            quiet=True,
            labels=LABELS,
            engine=engine,
        ).stdout.split()
        # The Dockerfile is sent (the builder needs it) and, being ignored, left out of COPY, as docker does.
        assert out == [".", "./.dockerignore", "./app", "./app/main.sh", "./keep.log", "me"]
    finally:
        engine.image_delete(tag)


def test_failing_build_names_the_step(engine: Engine, image: str) -> None:
    with pytest.raises(OperationFailed) as exc:
        dockmagic.build(
            dockerfile_text=f"FROM {image}\nRUN true\nRUN echo doomed; exit 3\n",
            labels=LABELS,
            quiet=True,
            engine=engine,
        )
    # Step 3/N: the labels (the caller's, and the session's) are steps of their own at the end
    assert re.search(
        r"Step 3/\d+ : RUN echo doomed; exit 3", str(exc.value)
    ) and "non-zero code: 3" in str(exc.value)
    engine.container_prune(
        {"label": LABEL}
    )  # the failed step's container, kept as docker build does
    engine.image_prune({"label": LABEL, "dangling": "true"})


def test_push_pull_with_progress(
    engine: Engine, image: str, registry: Registry, capsys: Any
) -> None:
    ref = f"{registry.address}/dockmagic-test/lab:{unique()}"
    dockmagic.tag(image, ref, engine=engine)
    pushed = dockmagic.push(ref, engine=engine)
    dockmagic.rmi(ref, engine=engine)
    pulled = dockmagic.pull(ref, engine=engine)
    try:
        assert pushed.digest.startswith("sha256:") and pulled.digest == pushed.digest
        assert (
            f"{ref.rsplit(':', 1)[0]}@{pushed.digest}" in engine.image_inspect(ref)["RepoDigests"]
        )
        shown = capsys.readouterr().out
        # a bar of bytes, or (the registry has these layers from an earlier test) no empty bar
        assert "push total" in shown or "push: every layer already present" in shown, shown
        assert f"Digest: {pushed.digest}" in shown
        assert shown.count("\n") < 20  # bars redraw in place: no line per progress message
    finally:
        dockmagic.rmi(ref, engine=engine)


@pytest.fixture(scope="module")
def secure_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    root = tmp_path_factory.mktemp("auth-registry")
    htpasswd = subprocess.run(
        ["htpasswd", "-Bbn", "alice", "s3cret-pw"], capture_output=True, text=True, check=True
    ).stdout
    (root / "htpasswd").write_text(htpasswd)
    reg = Registry(root, htpasswd=root / "htpasswd")
    yield reg
    reg.stop()


def test_registry_with_basic_auth(
    engine: Engine,
    image: str,
    secure_registry: Registry,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ref = f"{secure_registry.address}/dockmagic-test/private:{unique()}"
    dockmagic.tag(image, ref, engine=engine)
    try:
        monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))  # no stored credentials
        with pytest.raises(OperationFailed, match=r"no basic auth credentials|unauthorized"):
            dockmagic.push(ref, quiet=True, engine=engine)
        with pytest.raises((OperationFailed, APIError)) as exc:
            dockmagic.push(ref, auth=("alice", "wrong-pw"), quiet=True, engine=engine)
        assert "wrong-pw" not in str(exc.value) and "\n" not in str(exc.value)
        pushed = dockmagic.push(ref, auth=("alice", "s3cret-pw"), quiet=True, engine=engine)
        assert pushed.digest and "s3cret" not in repr(pushed) + pushed.stdout

        # Stored like `docker login` does: auths in config.json ...
        token = base64.b64encode(b"alice:s3cret-pw").decode()
        (tmp_path / "config.json").write_text(
            json.dumps({"auths": {secure_registry.address: {"auth": token}}})
        )
        dockmagic.rmi(ref, engine=engine)
        assert dockmagic.pull(ref, quiet=True, engine=engine).digest == pushed.digest

        # ... or behind a credential helper on PATH.
        helper = tmp_path / "bin" / "docker-credential-dmtest"
        helper.parent.mkdir()
        helper.write_text(
            '#!/bin/sh\nread server\necho "{\\"ServerURL\\":\\"$server\\",'
            '\\"Username\\":\\"alice\\",\\"Secret\\":\\"s3cret-pw\\"}"\n'
        )
        helper.chmod(helper.stat().st_mode | stat.S_IEXEC)
        monkeypatch.setenv("PATH", f"{helper.parent}{os.pathsep}{os.environ['PATH']}")
        (tmp_path / "config.json").write_text(json.dumps({"credsStore": "dmtest"}))
        dockmagic.rmi(ref, engine=engine)
        assert dockmagic.pull(ref, quiet=True, engine=engine).digest == pushed.digest
    finally:
        dockmagic.rmi(ref, force=True, engine=engine)


def test_missing_credential_helper_is_clear(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    (tmp_path / "config.json").write_text(json.dumps({"credsStore": "nonexistent-helper"}))
    with pytest.raises(
        DockerError, match="docker-credential-nonexistent-helper is configured but not installed"
    ):
        dockmagic.pull("127.0.0.1:1/x:y", quiet=True)


def test_save_load_import_history_prune(
    engine: Engine, image: str, tmp_path: Path, ip: Any
) -> None:
    alias = f"dockmagic-test/saved:{unique()}"
    ip.run_line_magic("docker", f"tag {image} {alias}")
    ip.run_line_magic("docker", f"save -o {tmp_path}/saved.tar {alias}")
    ip.run_line_magic("docker", f"rmi {alias}")
    loaded = ip.run_line_magic("docker", f"load -q -i {tmp_path}/saved.tar")
    assert alias in loaded.stdout
    assert len(ip.run_line_magic("docker", f"history {alias}")) >= 2
    assert alias in ip.run_line_magic("docker", f"image inspect {alias}")["RepoTags"]
    ip.run_line_magic("docker", f"rmi {alias}")
    (tmp_path / "rootfs.tar").write_bytes(rootfs_tar())
    imported_ref = f"dockmagic-test/imported:{unique()}"
    result = ip.run_line_magic(
        "docker",
        f"import -c 'LABEL {LABEL}=1' -c 'CMD [\"sh\"]' {tmp_path}/rootfs.tar {imported_ref}",
    )
    assert result.digest.startswith("sha256:")
    assert engine.image_inspect(imported_ref)["Config"]["Labels"][LABEL] == "1"
    ip.run_line_magic("docker", f"rmi {imported_ref}")
    assert "ImagesDeleted" in ip.run_line_magic(
        "docker", f"image prune -f --filter label={LABEL}=none"
    )


def test_push_and_pull_every_tag(ip: Any, engine: Engine, image: str, registry: Registry) -> None:
    """``push -a`` and ``pull -a``: every tag of the repository, none named (a tag with -a is
    refused, as the CLI refuses it)."""
    repo = f"{registry.address}/dockmagic-test/all-{unique()}"
    tags = [f"{repo}:one", f"{repo}:two"]
    for ref in tags:
        engine.image_tag(image, *ref.rsplit(":", 1))
    try:
        ip.run_line_magic("docker", f"push -q -a {repo}")
        for ref in tags:
            engine.image_delete(ref)
        ip.run_line_magic("docker", f"pull -q --all-tags {repo}")
        for ref in tags:
            assert ref in engine.image_inspect(ref)["RepoTags"]
        with pytest.raises(UsageError, match="cannot be used with --all-tags"):
            ip.run_line_magic("docker", f"pull -a {repo}:one")
    finally:
        for ref in tags:
            try:
                engine.image_delete(ref)
            except DockerError:
                pass


def test_build_hosts_and_cache_from(ip: Any, engine: Engine, image: str, tmp_path: Path) -> None:
    """``--add-host`` twice (IPv6 too) reaches /etc/hosts of the RUN steps; ``--cache-from``
    takes the steps of the image named."""
    (tmp_path / "Dockerfile").write_text(f"FROM {image}\nRUN cat /etc/hosts\nRUN echo step > /s\n")
    first, second = f"dockmagic-test/hosts:{unique()}", f"dockmagic-test/hosts:{unique()}"
    try:
        built = ip.run_line_magic(
            "docker",
            f"build --add-host one=10.9.8.7 --add-host two=fd00::7 --label {LABEL}=1 -t {first} {tmp_path}",
        )
        shown = str(built.stdout if hasattr(built, "stdout") else built)
        assert "10.9.8.7\tone" in shown and "fd00::7\ttwo" in shown, shown
        again = ip.run_line_magic(
            "docker", f"build --cache-from {first} --label {LABEL}=1 -t {second} {tmp_path}"
        )
        assert "Using cache" in str(again.stdout if hasattr(again, "stdout") else again)
    finally:
        for ref in (second, first):
            try:
                engine.image_delete(ref, force=True)
            except DockerError:
                pass
