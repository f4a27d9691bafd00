"""docker context: the CLI's store, written and read by both the docker CLI and %docker."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import pytest
from IPython.core.error import UsageError

import dockmagic
from dockmagic.engine import Engine
from dockmagic.errors import DockerError

from .tlsproxy import make_certs

DOCKER = shutil.which("docker")


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty docker config folder of the test's own, for the CLI and dockmagic alike."""
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    monkeypatch.delenv("DOCKER_CONTEXT", raising=False)
    return tmp_path


def cli(*args: str) -> str:
    assert DOCKER
    done = subprocess.run([DOCKER, *args], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.skipif(DOCKER is None, reason="the docker CLI is not installed")
def test_contexts_are_shared_with_the_docker_cli(ip: Any, store: Path) -> None:
    (store / "ca.pem").write_text("CA")
    (store / "cert.pem").write_text("CERT")
    (store / "key.pem").write_text("KEY")
    ip.run_line_magic(
        "docker",
        f'context create lab1 --description "a lab" --docker host=tcp://127.0.0.1:2999,ca={store}/ca.pem,'
        f"cert={store}/cert.pem,key={store}/key.pem",
    )
    cli("context", "create", "lab2", "--docker", "host=unix:///run/lab2.sock")

    theirs = [json.loads(line) for line in cli("context", "ls", "--format", "json").splitlines()]
    mine = list(ip.run_line_magic("docker", "context ls"))
    assert mine == theirs
    assert [c["Name"] for c in mine] == ["default", "lab1", "lab2"]
    assert cli("context", "inspect", "lab1") and json.loads(cli("context", "inspect", "lab1"))[
        0
    ] == dict(ip.run_line_magic("docker", "context inspect lab1"))
    tls = json.loads(cli("context", "inspect", "lab1"))[0]["TLSMaterial"]["docker"]
    assert sorted(tls) == ["ca.pem", "cert.pem", "key.pem"]
    assert ip.run_line_magic("docker", "context ls -q") == ["default", "lab1", "lab2"]
    text = ip.run_line_magic("docker", 'context ls --format "{{.Name}}={{.DockerEndpoint}}"')
    assert text.splitlines()[1:] == ["lab1=tcp://127.0.0.1:2999", "lab2=unix:///run/lab2.sock"]

    ip.run_line_magic("docker", "context update lab2 --description changed")
    assert json.loads(cli("context", "inspect", "lab2"))[0]["Metadata"] == {
        "Description": "changed"
    }
    ip.run_line_magic("docker", "context rm lab1 lab2")
    assert cli("context", "ls", "-q").split() == ["default"]


@pytest.mark.skipif(DOCKER is None, reason="the docker CLI is not installed")
def test_use_moves_the_cli_and_the_default_engine(ip: Any, engine: Engine, store: Path) -> None:
    ip.run_line_magic(
        "docker", "context create nowhere --docker host=unix:///run/dockmagic-nowhere.sock"
    )
    ip.run_line_magic(
        "docker", f"context create here --docker host=unix://{engine.host.socket_path}"
    )
    dockmagic.use(None)  # a default engine found from the environment, as in a fresh kernel
    try:
        assert "now" in ip.run_line_magic("docker", "context use nowhere")
        assert cli("context", "show").strip() == "nowhere"
        assert json.loads((store / "config.json").read_text())["currentContext"] == "nowhere"
        with pytest.raises(UsageError, match=r"dockmagic-nowhere\.sock"):
            ip.run_line_magic("docker", "ps -q")
        with pytest.raises(
            UsageError, match='context "nowhere" is in use, set -f flag to force remove'
        ):
            ip.run_line_magic("docker", "context rm nowhere")
        cli("context", "use", "here")
        dockmagic.use(None)
        assert ip.run_line_magic("docker", "context show").strip() == "here"
        ip.run_line_magic("docker", "ps -q")  # reaches the engine through the context
        ip.run_line_magic(
            "docker", "context rm -f here"
        )  # the current one: default becomes current
        assert "currentContext" not in json.loads((store / "config.json").read_text())
    finally:
        dockmagic.use(None)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("context create 'bad name'", 'context name "bad name" is invalid'),
        ("context create xx --docker skip-tls-verify=true", "always verifies"),
        ("context create xx --docker host=ftp://h", "unsupported Docker host"),
        (
            "context create xx --docker host=tcp://h:1,cert=/nope.pem",
            "cert=/nope.pem: no such file",
        ),
        ("context create xx --docker nokey", "expected key=value"),
        ("context inspect nope", 'context "nope" not found'),
        ("context use nope", 'context "nope" not found'),
        ("context rm default", 'context "default" cannot be removed'),
        ("context export nope", 'context "nope" not found'),
        ("context import xx /nope.dockercontext", "cannot read /nope.dockercontext"),
    ],
)
def test_context_errors_are_one_line(ip: Any, store: Path, line: str, message: str) -> None:
    with pytest.raises(UsageError) as exc:
        ip.run_line_magic("docker", line)
    assert message in str(exc.value) and "\n" not in str(exc.value)
    assert not (store / "contexts" / "meta").exists() or not list(
        (store / "contexts" / "meta").iterdir()
    )


@pytest.mark.skipif(DOCKER is None, reason="the docker CLI is not installed")
def test_export_and_import_both_ways_with_the_cli(ip: Any, store: Path, tmp_path: Path) -> None:
    tls = make_certs(tmp_path / "tls")
    host = f"host=tcp://10.0.0.1:2376,ca={tls}/ca.pem,cert={tls}/cert.pem,key={tls}/key.pem"
    cli("context", "create", "by-cli", "--description", "made by the CLI", "--docker", host)
    cli(
        "context", "export", "by-cli", str(tmp_path / "by-cli.dockercontext")
    )  # written without an end marker
    ip.run_line_magic("docker", f"context import from-cli {tmp_path / 'by-cli.dockercontext'}")
    ip.run_line_magic("docker", f"context create by-dm --description 'made here' --docker {host}")
    ip.run_line_magic("docker", f"context export by-dm {tmp_path / 'by-dm.dockercontext'}")
    cli("context", "import", "from-dm", str(tmp_path / "by-dm.dockercontext"))
    seen = {
        c["Name"]: c
        for c in json.loads(cli("context", "inspect", "by-cli", "from-cli", "by-dm", "from-dm"))
    }
    for made, imported in (("by-cli", "from-cli"), ("by-dm", "from-dm")):
        for part in ("Metadata", "Endpoints", "TLSMaterial"):
            assert seen[made][part] == seen[imported][part], (made, part)
        tls_dir = Path(seen[imported]["Storage"]["TLSPath"]) / "docker"
        assert (tls_dir / "key.pem").read_text() == (tls / "key.pem").read_text()
    assert isinstance(ip.run_line_magic("docker", "context export by-dm -"), bytes)


@pytest.mark.parametrize(
    ("members", "said"),
    [
        ({"../../evil": b"x"}, "it holds '../../evil'"),
        ({"meta.json": b"{}"}, "no docker endpoint"),
        ({"tls/docker/ca.pem": b"x"}, "no meta.json"),
    ],
)
def test_a_bad_context_archive_is_one_line(
    store: Path, members: dict[str, bytes], said: str
) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    with pytest.raises(DockerError, match=said):
        dockmagic.context_import("bad", buf.getvalue())
    cut = buf.getvalue()[: 512 + 1]  # a header, then its content cut
    with pytest.raises(DockerError):
        dockmagic.context_import("cut", cut)


@pytest.mark.skipif(DOCKER is None, reason="the docker CLI is not installed")
def test_copies_of_contexts_as_the_cli_makes_them(ip: Any, store: Path) -> None:
    """A copy of the current context, ``--from``, ``--docker from=``: each tool makes the same,
    and ``context inspect`` prints what the CLI prints (a JSON list, four spaces)."""
    cli(
        "context", "create", "base", "--description", "first", "--docker", "host=tcp://1.2.3.4:2375"
    )
    made = {
        "current": "",
        "from": "--from base",
        "docker-from": "--docker from=base,host=tcp://5.5.5.5:1",  # from= wins: the CLI's way
    }
    for kind, flags in made.items():
        cli("context", "create", f"cli-{kind}", *flags.split())
        ip.run_line_magic("docker", f"context create dm-{kind} {flags}")
        ours, theirs = (
            json.loads(cli("context", "inspect", f"{who}-{kind}"))[0] for who in ("dm", "cli")
        )
        for key in ("Metadata", "Endpoints"):
            assert ours[key] == theirs[key], (kind, key, ours[key], theirs[key])
    shown = ip.run_line_magic("docker", "context inspect base")
    printed = cli("context", "inspect", "base").rstrip("\n")
    assert repr_pretty(shown) == printed
    several = ip.run_line_magic("docker", "context inspect base dm-from")
    assert repr_pretty(several) == cli("context", "inspect", "base", "dm-from").rstrip("\n")


def repr_pretty(value: Any) -> str:
    from IPython.lib.pretty import pretty

    return pretty(value)
