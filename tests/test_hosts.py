"""Finding the engine: argument, DOCKER_HOST, context, default — as the docker CLI does."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from dockmagic.engine.hosts import DEFAULT_HOST, HostError, TLSConfig, resolve_host


def make_context(cfg: Path, name: str, host: str, tls: bool = False) -> None:
    digest = hashlib.sha256(name.encode()).hexdigest()
    meta = cfg / "contexts" / "meta" / digest
    meta.mkdir(parents=True)
    (meta / "meta.json").write_text(
        json.dumps({"Name": name, "Endpoints": {"docker": {"Host": host}}})
    )
    if tls:
        tls_dir = cfg / "contexts" / "tls" / digest / "docker"
        tls_dir.mkdir(parents=True)
        for f in ("ca.pem", "cert.pem", "key.pem"):
            (tls_dir / f).write_text("x")


def test_default_is_the_unix_socket(tmp_path: Path) -> None:
    host = resolve_host(env={"DOCKER_CONFIG": str(tmp_path)})
    assert (host.url, host.source, host.tls) == (DEFAULT_HOST, "default", None)
    assert host.base_url == "http+unix://%2Fvar%2Frun%2Fdocker.sock"


def test_argument_beats_environment(tmp_path: Path) -> None:
    env = {"DOCKER_HOST": "tcp://a:1", "DOCKER_CONFIG": str(tmp_path)}
    assert resolve_host("unix:///tmp/x.sock", env=env).url == "unix:///tmp/x.sock"
    assert resolve_host("/tmp/y.sock", env=env).socket_path == "/tmp/y.sock"


def test_docker_host_beats_context(tmp_path: Path) -> None:
    make_context(tmp_path, "remote", "tcp://remote:2375")
    env = {
        "DOCKER_HOST": "tcp://b:2375",
        "DOCKER_CONTEXT": "remote",
        "DOCKER_CONFIG": str(tmp_path),
    }
    host = resolve_host(env=env)
    assert (host.url, host.source, host.base_url) == (
        "tcp://b:2375",
        "DOCKER_HOST",
        "http://b:2375",
    )


def test_docker_context_env_then_current_context(tmp_path: Path) -> None:
    make_context(tmp_path, "one", "tcp://one:2375")
    make_context(tmp_path, "two", "unix:///run/two.sock")
    (tmp_path / "config.json").write_text(json.dumps({"currentContext": "two"}))
    env = {"DOCKER_CONFIG": str(tmp_path)}
    assert resolve_host(env=env).url == "unix:///run/two.sock"
    assert resolve_host(env={**env, "DOCKER_CONTEXT": "one"}).source == "context one"
    assert resolve_host(env={**env, "DOCKER_CONTEXT": "default"}).url == DEFAULT_HOST


def test_context_with_tls_material(tmp_path: Path) -> None:
    make_context(tmp_path, "secure", "tcp://secure.example:2376", tls=True)
    host = resolve_host(env={"DOCKER_CONFIG": str(tmp_path), "DOCKER_CONTEXT": "secure"})
    assert host.tls is not None and host.tls.ca_cert and host.tls.ca_cert.endswith("ca.pem")
    assert host.base_url == "https://secure.example:2376"


def test_tls_from_environment(tmp_path: Path) -> None:
    for f in ("ca.pem", "cert.pem", "key.pem"):
        (tmp_path / f).write_text("x")
    env = {
        "DOCKER_HOST": "tcp://h:2376",
        "DOCKER_TLS_VERIFY": "1",
        "DOCKER_CERT_PATH": str(tmp_path),
    }
    host = resolve_host(env=env)
    assert host.tls == TLSConfig(
        str(tmp_path / "ca.pem"), str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")
    )
    assert "key" not in repr(host.tls).replace("client_key", "")  # paths, never key material


def test_cert_without_key_is_refused(tmp_path: Path) -> None:
    (tmp_path / "cert.pem").write_text("x")
    with pytest.raises(HostError, match=r"only one of cert\.pem and key\.pem"):
        TLSConfig.from_dir(tmp_path)


@pytest.mark.parametrize(
    "bad, message",
    [
        ("ssh://me@host/var/run/docker.sock", "takes no path"),
        ("ftp://h", "unsupported Docker host"),
        ("tcp://", "names no host"),
        ("unix://", "no socket path"),
        ("tcp://h:notaport", "invalid port"),
    ],
)
def test_bad_hosts_are_one_clear_line(bad: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(HostError, match=message) as exc:
        resolve_host(bad, env={"DOCKER_CONFIG": str(tmp_path)})
    assert "\n" not in str(exc.value)


def test_unknown_context(tmp_path: Path) -> None:
    with pytest.raises(HostError, match="context 'nope' not found"):
        resolve_host(env={"DOCKER_CONFIG": str(tmp_path), "DOCKER_CONTEXT": "nope"})
