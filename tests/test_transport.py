"""Connection reuse, a dead engine, and faults a real engine will not produce on demand."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import dockmagic
from dockmagic.engine import Engine
from dockmagic.engine.hosts import Host
from dockmagic.engine.transport import unavailable
from dockmagic.errors import APIError, DockerError, EngineUnavailable, Missing, StreamError

from .fakeengine import FakeEngine, chunked
from .support import LABELS, free_port


def test_many_urls_share_one_socket(engine: Engine, image: str) -> None:
    ids = [
        engine.container_create({"Image": image, "Cmd": ["true"], "Labels": LABELS})["Id"]
        for _ in range(50)
    ]
    try:
        fresh = Engine()
        for cid in ids:
            fresh.container_inspect(cid)
        assert fresh.transport.sockets_opened == 1  # /version and 50 inspects on one connection
        fresh.close()
    finally:
        for cid in ids:
            engine.container_delete(cid)


def test_missing_socket_fails_fast_with_a_hint(tmp_path: Path) -> None:
    start = time.monotonic()
    with pytest.raises(EngineUnavailable) as exc:
        Engine(f"unix://{tmp_path}/nope.sock").ping()
    assert time.monotonic() - start < 2
    text = str(exc.value)
    assert "socket does not exist" in text and "Is dockerd running?" in text and "\n" not in text
    assert f"{tmp_path}/nope.sock" in text and "from argument" in text


def test_nothing_listening_fails_fast() -> None:
    start = time.monotonic()
    with pytest.raises(EngineUnavailable, match="nothing is listening"):
        Engine(f"tcp://127.0.0.1:{free_port()}").container_list()
    assert time.monotonic() - start < 2


def test_permission_denied_names_the_docker_group() -> None:
    err = unavailable(
        Host("unix:///var/run/docker.sock", "default"), PermissionError(13, "Permission denied")
    )
    assert "permission denied" in str(err) and "docker group" in str(err)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to drop to nobody")
def test_permission_denied_for_real(tmp_path: Path) -> None:
    path = tmp_path / "private.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen()
    path.chmod(0o600)
    tmp_path.chmod(0o755)
    # Import as root, then become nobody: the connect itself meets the socket's permissions.
    code = (
        "import os, sys, dockmagic\nEngine = dockmagic.Engine  # loaded now: nobody cannot read root's Python\n"
        "os.setgroups([]); os.setgid(65534); os.setuid(65534)\n"
        "try:\n    Engine(sys.argv[1]).ping()\n"
        "except dockmagic.EngineUnavailable as e:\n    print(e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, f"unix://{path}"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parents[1],
    )
    server.close()
    assert "permission denied on the socket" in out.stdout, out.stderr


@pytest.fixture
def fake(tmp_path: Path) -> Iterator[Any]:
    made: list[FakeEngine] = []

    def make(respond: Callable[[str], bytes]) -> Engine:
        made.append(FakeEngine(tmp_path, respond))
        return made[-1].engine()

    yield make
    for f in made:
        f.server.close()


def test_connection_broken_mid_stream_raises(fake: Any) -> None:
    engine = fake(lambda path: chunked(b'{"status":"Pulling"}\n', end=False)[:-2] + b"7f\r\nabc")
    with pytest.raises(StreamError, match="broke off"):
        list(engine.image_create("x"))


def test_logs_ending_inside_a_frame_raise(fake: Any) -> None:
    engine = fake(lambda path: chunked(b"\x01\x00\x00\x00\x00\x00\x00\x10only-part"))
    with pytest.raises(StreamError, match="inside a frame"):
        list(engine.container_logs("c", tty=False))


def test_error_inside_pull_stream_raises(fake: Any) -> None:
    engine = fake(
        lambda path: chunked(
            b'{"status":"Pulling"}\n{"error":"denied: no access","errorDetail":{}}\n'
        )
    )
    with pytest.raises(Exception, match="pull failed: denied: no access"):
        list(engine.image_create("x"))


def test_non_json_error_body_is_one_line(fake: Any) -> None:
    engine = fake(
        lambda path: (
            b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 26\r\n\r\n<html>\nbad gateway\n</html>"
        )
    )
    with pytest.raises(APIError) as exc:
        engine.container_list()
    assert exc.value.status == 502 and str(exc.value).startswith(
        "<html> bad gateway </html> [HTTP 502"
    )


def test_malformed_json_answer(fake: Any) -> None:
    engine = fake(lambda path: b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n{nope")
    with pytest.raises(StreamError, match="malformed JSON"):
        engine.container_list()


def test_old_engine_refused(fake: Any) -> None:
    body = b'{"ApiVersion":"1.23"}'
    engine = fake(
        lambda path: b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    engine._version = None
    with pytest.raises(Exception, match=r"speaks API 1\.23, older than 1\.24"):
        engine.container_list()


class _Counting:
    """A transport of the test's own in front of the real one: the seam Engine(transport=...) offers
    to fault injectors and to the ssh and proxy transports to come."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.host, self.requests = inner, inner.host, []

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        self.requests.append(f"{method} {path}")
        return self.inner.request(method, path, **kwargs)

    def upgrade(self, *args: Any) -> Any:
        return self.inner.upgrade(*args)

    def download(self, *args: Any) -> Any:
        self.requests.append(f"download {args[1]}")
        return self.inner.download(*args)

    def upload(self, *args: Any) -> Any:
        self.requests.append(f"upload {args[1]}")
        return self.inner.upload(*args)

    def hijack(self, *args: Any) -> Any:
        self.requests.append(f"hijack {args[1]}")
        return self.inner.hijack(*args)

    def close(self) -> None:
        self.inner.close()


def test_an_engine_takes_a_transport_of_its_own(engine: Engine, image: str) -> None:
    from dockmagic.engine.transport import Transport

    counting = _Counting(Transport(engine.host))
    with Engine(transport=counting) as mine:
        assert mine.host == engine.host
        result = dockmagic.run(
            image, "echo through the seam", remove=True, quiet=True, engine=mine, labels=LABELS
        )
    assert result.stdout == "through the seam\n"
    assert any(r.startswith("POST ") and "/containers/create" in r for r in counting.requests)
    assert any(r.startswith("hijack ") and r.endswith("/attach") for r in counting.requests)


def test_every_way_of_the_transport_goes_through_the_seam(
    engine: Engine, image: str, tmp_path: Path
) -> None:
    """Archives in and out take the transport's upload and download: a transport of one's own
    sees them (none is found by a side door)."""
    from dockmagic.engine.transport import Transport

    (tmp_path / "in.txt").write_text("through the seam\n")
    counting = _Counting(Transport(engine.host))
    with Engine(transport=counting) as mine:
        made = dockmagic.run(image, "sleep 30", detach=True, engine=mine, labels=LABELS).container
        try:
            dockmagic.cp(str(tmp_path / "in.txt"), f"{made}:/tmp/in.txt", engine=mine)
            dockmagic.cp(f"{made}:/tmp/in.txt", str(tmp_path / "out.txt"), engine=mine)
        finally:
            mine.container_delete(made, force=True)
    assert (tmp_path / "out.txt").read_text() == "through the seam\n"
    assert any(r.startswith("upload ") and r.endswith("/archive") for r in counting.requests), (
        counting.requests
    )
    assert any(r.startswith("download ") and r.endswith("/archive") for r in counting.requests), (
        counting.requests
    )


@pytest.mark.parametrize(
    ("call", "name"),
    [
        ("container_inspect", ".."),
        ("image_inspect", "../containers/json"),
        ("container_delete", "a/../b"),
    ],
)
def test_a_name_never_reaches_another_endpoint(engine: Engine, call: str, name: str) -> None:
    """'..' and '/' in a name are escaped; what the engine still cleans (and redirects) is an error,
    never a success on some other endpoint."""
    with pytest.raises(Missing):
        getattr(engine, call)(name)


def test_a_password_in_the_url_is_never_repeated() -> None:
    with pytest.raises(DockerError) as exc:
        Engine("tcp://student:s3cret@127.0.0.1:2376")
    assert "s3cret" not in str(exc.value) and "***@127.0.0.1:2376" in str(exc.value)
