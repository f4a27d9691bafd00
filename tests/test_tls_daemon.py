"""A real ``dockerd --tlsverify`` (tests/tlsengine.py): certificates made as Docker's page makes
them, the daemon verifying clients itself. What a remote engine's user meets first: a cell as
stdin ends (the engine hears end of input: a TLS close_notify), and every way TLS can fail is
one line naming its cause and what to check, the docker CLI's verdict beside it."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import dockmagic
from dockmagic.engine import Engine, TLSConfig
from dockmagic.errors import DockerError
from dockmagic.helpers.images.busybox import lab_image
from dockmagic.lab.engine import missing

from .support import LABEL, require, unique
from .tlsengine import TLSEngine
from .tlsproxy import make_certs

DOCKER = shutil.which("docker")


@dataclass
class TLSd:
    daemon: TLSEngine
    certs: Path
    engine: Engine  # over TLS, with the client's certificate
    image: str

    def flags(self, certs: Path | None = None) -> str:
        """The global flags that name the engine as the CLI's are written."""
        d = certs or self.certs
        return (
            f"-H {self.daemon.tcp_url} --tlsverify --tlscacert {d / 'ca.pem'} "
            f"--tlscert {d / 'cert.pem'} --tlskey {d / 'key.pem'}"
        )


@pytest.fixture(scope="module")
def tlsd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TLSd]:
    require(missing(), "a dockerd --tlsverify of its own")
    certs = make_certs(tmp_path_factory.mktemp("tlsd"), names=("10.251.0.2", "localhost"))
    daemon = TLSEngine(certs)
    try:
        local = daemon.start()  # its unix socket: to set it up
        image = lab_image(engine=local)
        local.close()
        remote = Engine(daemon.tcp_url, tls=TLSConfig.from_dir(certs))
        yield TLSd(daemon, certs, remote, image)
        remote.close()
    finally:
        daemon.stop()


def cli(tlsd: TLSd, flags: str, *args: str) -> subprocess.CompletedProcess[str]:
    assert DOCKER
    return subprocess.run(
        [DOCKER, *flags.split(), *args], capture_output=True, text=True, timeout=60
    )


# -- stdin over TLS ends --------------------------------------------------------------------------


def test_a_cell_as_stdin_ends_over_tls(ip: Any, tlsd: TLSd) -> None:
    """``%%docker run -i``: the cell goes in, end of input follows, output after it comes whole."""
    script = "cat; seq 1 50000 | tail -n 1"  # output after stdin ends: nothing is cut
    started = time.monotonic()
    r = ip.run_cell_magic(
        "docker",
        f"{tlsd.flags()} run -i --rm --label {LABEL}=1 {tlsd.image} sh -c '{script}'",
        "line one\nline two\n",
    )
    assert (r.stdout, r.exit_code) == ("line one\nline two\n50000\n", 0)
    assert time.monotonic() - started < 30


def test_exec_i_and_the_helpers_stdin_end_over_tls(ip: Any, tlsd: TLSd) -> None:
    name = unique("tlsd")
    engine = tlsd.engine
    dockmagic.run(
        tlsd.image, ["sleep", "300"], name=name, detach=True, labels={LABEL: "1"}, engine=engine
    )
    try:
        r = ip.run_cell_magic("docker", f"{tlsd.flags()} exec -i {name} wc -l", "a\nb\nc\n")
        assert (r.stdout.strip(), r.exit_code) == ("3", 0)
        big = b"x" * 3_000_000  # more than any buffer between: stdin and output both flow
        done = dockmagic.run(
            tlsd.image, ["wc", "-c"], stdin=big, remove=True, labels={LABEL: "1"}, engine=engine
        )
        assert done.stdout.strip() == str(len(big))
    finally:
        engine.container_delete(name, force=True)


def test_ps_over_tls_matches_the_cli(ip: Any, tlsd: TLSd) -> None:
    names = ip.run_line_magic("docker", f"{tlsd.flags()} ps -a -q")
    done = cli(tlsd, tlsd.flags(), "ps", "-a", "-q")
    assert done.returncode == 0 and list(names) == done.stdout.split()


# -- TLS failures, each one line naming its cause ---------------------------------------------------


def _said(ip: Any, line: str) -> str:
    with pytest.raises(Exception) as failed:
        ip.run_line_magic("docker", line)
    text = str(failed.value)
    assert "\n" not in text.strip() and "Traceback" not in text, text
    return text


def test_a_server_signed_by_another_ca(ip: Any, tlsd: TLSd, tmp_path: Path) -> None:
    other = make_certs(tmp_path / "other", "some other CA")
    said = _said(ip, f"{tlsd.flags(other)} version")
    assert "signed by an authority" in said and str(other / "ca.pem") in said, said
    assert "--tlscacert" in said
    assert (
        "certificate signed by unknown authority" in cli(tlsd, tlsd.flags(other), "version").stderr
    )


@contextmanager
def another_daemon(certs: Path, name: str, subnet: str) -> Iterator[str]:
    """A second TLS engine, on a wire of its own: the global flags that reach it."""
    require(missing(), "a dockerd --tlsverify of its own")
    daemon = TLSEngine(certs, name, subnet)
    try:
        daemon.start()
        yield (
            f"-H {daemon.tcp_url} --tlsverify --tlscacert {certs / 'ca.pem'} "
            f"--tlscert {certs / 'cert.pem'} --tlskey {certs / 'key.pem'}"
        )
    finally:
        daemon.stop()


def test_an_expired_server_certificate(ip: Any, tlsd: TLSd, tmp_path: Path) -> None:
    certs = make_certs(tmp_path / "expired", names=("10.251.1.2",), expired=True)
    with another_daemon(certs, "tlsx", "10.251.1") as flags:
        said = _said(ip, f"{flags} version")
        assert "certificate has expired" in said and "clock" in said, said
        assert "expired" in cli(tlsd, flags, "version").stderr


def test_an_address_the_certificate_does_not_name(ip: Any, tlsd: TLSd, tmp_path: Path) -> None:
    certs = make_certs(tmp_path / "names", names=("10.9.9.9", "localhost"))
    with another_daemon(certs, "tlsn", "10.251.2") as flags:
        said = _said(ip, f"{flags} version")
        assert "does not name 10.251.2.2" in said and "subjectAltName" in said, said
        assert "10.251.2.2" in cli(tlsd, flags, "version").stderr  # "doesn't contain ... IP SANs"


def test_the_engine_refuses_our_client_certificate(ip: Any, tlsd: TLSd, tmp_path: Path) -> None:
    """A client certificate from another CA, then none at all: the engine's alert, said plainly."""
    other = make_certs(tmp_path / "client", "the client's own CA")
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    shutil.copy(tlsd.certs / "ca.pem", mixed)
    for f in ("cert.pem", "key.pem"):
        shutil.copy(other / f, mixed)
    said = _said(ip, f"{tlsd.flags(mixed)} version")
    assert "the engine refused this client's certificate" in said and "--tlscacert" in said, said
    assert cli(tlsd, tlsd.flags(mixed), "version").returncode != 0
    said = _said(
        ip, f"-H {tlsd.daemon.tcp_url} --tlsverify --tlscacert {tlsd.certs / 'ca.pem'} version"
    )
    assert "requires a client certificate and none was given" in said and "--tlscert" in said, said


def test_missing_files_and_an_encrypted_key(ip: Any, tlsd: TLSd, tmp_path: Path) -> None:
    said = _said(
        ip, f"-H {tlsd.daemon.tcp_url} --tlsverify --tlscacert {tmp_path / 'nope.pem'} version"
    )
    assert f"the CA certificate {tmp_path / 'nope.pem'} does not exist" in said, said
    flags = tlsd.flags().replace(str(tlsd.certs / "cert.pem"), str(tmp_path / "gone.pem"))
    assert f"{tmp_path / 'gone.pem'} does not exist" in _said(ip, f"{flags} version")

    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key((tlsd.certs / "key.pem").read_bytes(), None)
    secret = b"correct horse"
    locked = tmp_path / "locked-key.pem"
    locked.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(secret),
        )
    )
    flags = tlsd.flags().replace(str(tlsd.certs / "key.pem"), str(locked))
    said = _said(ip, f"{flags} version")
    assert "protected by a passphrase" in said and str(locked) in said, said
    assert secret.decode() not in said and "PRIVATE KEY" not in said


def test_cert_path_missing_or_empty(
    ip: Any, tlsd: TLSd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_HOST", tlsd.daemon.tcp_url)
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")
    for folder in (tmp_path / "missing", tmp_path):
        monkeypatch.setenv("DOCKER_CERT_PATH", str(folder))
        with pytest.raises(DockerError) as failed:
            Engine()
        said = str(failed.value)
        assert f"{folder / 'ca.pem'} (from DOCKER_CERT_PATH)" in said, said
        cli_said = subprocess.run(
            [DOCKER or "docker", "version"], capture_output=True, text=True
        ).stderr
        assert str(folder / "ca.pem") in cli_said  # the CLI names it too


def test_a_context_says_it_is_the_context(
    ip: Any, tlsd: TLSd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    made = cli(tlsd, "", "context", "create", "far", "--docker", "host=tcp://10.251.0.9:2376")
    assert made.returncode == 0, made.stderr
    monkeypatch.setenv("DOCKMAGIC_CONNECT_TIMEOUT", "1")
    said = _said(ip, "--context far version")
    assert "(from context far)" in said and "DOCKMAGIC_CONNECT_TIMEOUT" in said, said
