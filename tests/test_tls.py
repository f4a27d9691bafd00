"""TCP+TLS for real: a TLS endpoint with generated certificates in front of the real engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dockmagic.engine import Engine, TLSConfig
from dockmagic.engine.streams import STDOUT, demux
from dockmagic.errors import EngineUnavailable

from .tlsproxy import TLSProxy, make_certs


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_certs(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def proxy(engine: Engine, certs: Path) -> Iterator[TLSProxy]:
    p = TLSProxy(certs)
    yield p
    p.close()


def test_tls_with_client_certificate(proxy: TLSProxy, certs: Path, make_container: Any) -> None:
    remote = Engine(proxy.url, tls=TLSConfig.from_dir(certs))
    assert remote.host.base_url.startswith("https://127.0.0.1:")
    assert remote.ping() and remote.api_version
    cid = make_container(["sh", "-c", "echo over-tls; sleep 30"])
    remote.container_start(cid)
    exec_id = remote.container_exec(cid, {"Cmd": ["echo", "exec-over-tls"], "AttachStdout": True})[
        "Id"
    ]
    sock = remote.exec_start(exec_id)
    assert sock is not None
    with sock:
        assert (
            b"".join(c.data for c in demux(sock.chunks(), tty=False) if c.stream == STDOUT)
            == b"exec-over-tls\n"
        )
    remote.container_kill(cid)
    remote.close()


def test_tls_from_environment(
    proxy: TLSProxy, certs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_HOST", proxy.url)
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")
    monkeypatch.setenv("DOCKER_CERT_PATH", str(certs))
    assert Engine().ping()


def test_untrusted_server_is_refused(proxy: TLSProxy, tmp_path: Path) -> None:
    other = make_certs(tmp_path / "other", "some other CA")
    with pytest.raises(
        EngineUnavailable, match=r"signed by an authority .*ca.pem does not hold"
    ) as exc:
        Engine(proxy.url, tls=TLSConfig.from_dir(other)).ping()
    assert "\n" not in str(exc.value) and "DOCKER_CERT_PATH" in str(exc.value)


def test_missing_client_certificate_is_refused(proxy: TLSProxy, certs: Path) -> None:
    with pytest.raises(
        EngineUnavailable, match=r"requires a client certificate|closed|reset"
    ) as exc:
        Engine(proxy.url, tls=TLSConfig(ca_cert=str(certs / "ca.pem"))).ping()
    assert "\n" not in str(exc.value)
