"""Malformed answers a real engine will not give on demand (a broken proxy, an incompatible
engine, a hostile endpoint): each command ends as a result or a one-line error, never a traceback."""

from __future__ import annotations

import base64
import json
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import dockmagic
from dockmagic.engine import Engine
from dockmagic.errors import DockerError
from dockmagic.helpers.containers.copy import stat as copy_stat
from dockmagic.helpers.stats.series import stats as stats_table

from .fakeengine import FakeEngine, chunked


def answer(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> bytes:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    head = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    return (
        f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nConnection: close\r\n"
        f"Content-Length: {len(data)}\r\n{head}\r\n"
    ).encode() + data


MISSING = answer({"message": "No such thing"}, 404)
RUNNING = {"Id": "c" * 64, "Name": "/c", "State": {"Running": True}, "Config": {"Tty": False}}
Routes = dict[str, bytes]


def lines(*objects: Any) -> bytes:
    return chunked(
        *[(o if isinstance(o, bytes) else json.dumps(o).encode()) + b"\n" for o in objects]
    )


def stat_header(value: str) -> dict[str, str]:
    return {"X-Docker-Container-Path-Stat": value}


# name: (routes by path pattern, the call)
CORPUS: dict[str, tuple[Routes, Callable[[Engine], Any]]] = {
    "create without Id": (
        {"/containers/create": answer({})},
        lambda e: dockmagic.run("i", "x", engine=e),
    ),
    "create Id a number": (
        {"/containers/create": answer({"Id": 5})},
        lambda e: dockmagic.create("i", engine=e),
    ),
    "create a list": (
        {"/containers/create": answer([])},
        lambda e: dockmagic.create("i", engine=e),
    ),
    "create Warnings a string": (
        {"/containers/create": answer({"Id": "a" * 64, "Warnings": "careful"})},
        lambda e: dockmagic.create("i", engine=e),
    ),
    "ps not a list": ({"/containers/json": answer({})}, lambda e: dockmagic.ps(engine=e)),
    "ps items not objects": (
        {"/containers/json": answer([1, "x", None])},
        lambda e: dockmagic.ps(engine=e),
    ),
    "ps empty item": ({"/containers/json": answer([{}])}, lambda e: dockmagic.ps(engine=e)),
    "ps odd cells": (
        {
            "/containers/json": answer(
                [
                    {
                        "Id": None,
                        "Names": "x",
                        "Ports": "80",
                        "Created": "yesterday",
                        "Labels": [],
                        "State": 5,
                    }
                ]
            )
        },
        lambda e: dockmagic.ps(engine=e),
    ),
    "ps huge numbers": (
        {
            "/containers/json": answer(
                [{"Id": "a", "Created": 10**30, "SizeRw": -1, "Ports": [{"PublicPort": 1e300}]}]
            )
        },
        lambda e: dockmagic.ps(engine=e),
    ),
    "ps malformed JSON": ({"/containers/json": answer(b"[{")}, lambda e: dockmagic.ps(engine=e)),
    "ps empty body": ({"/containers/json": answer(b"")}, lambda e: dockmagic.ps(engine=e)),
    "images odd cells": (
        {"/images/json": answer([{"Id": 7, "RepoTags": "x", "Size": "big", "Created": "x"}])},
        lambda e: dockmagic.images(engine=e),
    ),
    "images not a list": (
        {"/images/json": answer({"Id": "x"})},
        lambda e: dockmagic.images(engine=e),
    ),
    "inspect a list": (
        {"/containers/c/json": answer([])},
        lambda e: dockmagic.inspect("c", engine=e),
    ),
    "inspect nulls": (
        {"/containers/c/json": answer({"Id": "c", "State": None, "Config": None})},
        lambda e: dockmagic.inspect("c", engine=e),
    ),
    "logs of a container with no Config": (
        {"/containers/c/json": answer({"Id": "c", "Name": "/c", "Config": None})},
        lambda e: dockmagic.logs("c", quiet=True, engine=e),
    ),
    "networks odd cells": (
        {"/networks": answer([{"Name": None, "Id": 1, "IPAM": "x", "Containers": []}])},
        lambda e: dockmagic.networks(engine=e),
    ),
    "volumes not a list": (
        {"/volumes": answer({"Volumes": "x"})},
        lambda e: dockmagic.volumes(engine=e),
    ),
    "volumes null": (
        {"/volumes": answer({"Volumes": None, "Warnings": None})},
        lambda e: dockmagic.volumes(engine=e),
    ),
    "system df empty": ({"/system/df": answer({})}, lambda e: dockmagic.system_df(engine=e)),
    "system df odd cells": (
        {
            "/system/df": answer(
                {"Images": [{"Size": "x"}], "Containers": None, "Volumes": [1], "LayersSize": "x"}
            )
        },
        lambda e: dockmagic.system_df(engine=e),
    ),
    "version empty": ({"/version": answer({})}, lambda e: dockmagic.system_version(engine=e)),
    "info a list": ({"/info": answer([])}, lambda e: dockmagic.system_info(engine=e)),
    "top nulls": (
        {"/containers/c/top": answer({"Titles": None, "Processes": [[1]]})},
        lambda e: dockmagic.top("c", engine=e),
    ),
    "top ragged rows": (
        {
            "/containers/c/top": answer(
                {"Titles": ["PID", "CMD"], "Processes": [["1"], ["2", "x", "y"]]}
            )
        },
        lambda e: dockmagic.top("c", engine=e),
    ),
    "diff odd kinds": (
        {"/containers/c/changes": answer([{"Kind": 9, "Path": None}, {}])},
        lambda e: dockmagic.diff("c", engine=e),
    ),
    "history odd cells": (
        {"/images/i/history": answer([{"Created": "x", "Size": None, "CreatedBy": 5}])},
        lambda e: dockmagic.history("i", engine=e),
    ),
    "wait StatusCode a string": (
        {"/containers/c/wait": answer({"StatusCode": "x"})},
        lambda e: dockmagic.wait("c", engine=e),
    ),
    "wait empty": ({"/containers/c/wait": answer({})}, lambda e: dockmagic.wait("c", engine=e)),
    "stat without its header": (
        {"/containers/c/archive": answer(b"")},
        lambda e: copy_stat("c", "/x", e),
    ),
    "stat header not base64": (
        {"/containers/c/archive": answer(b"", headers=stat_header("%%%"))},
        lambda e: copy_stat("c", "/x", e),
    ),
    "stat header not JSON": (
        {
            "/containers/c/archive": answer(
                b"", headers=stat_header(base64.b64encode(b"{no").decode())
            )
        },
        lambda e: copy_stat("c", "/x", e),
    ),
    "stat header without mode": (
        {
            "/containers/c/archive": answer(
                b"", headers=stat_header(base64.b64encode(b'{"name":"x"}').decode())
            )
        },
        lambda e: dockmagic.cp("c:/x", tempfile.gettempdir() + "/dm-never", engine=e),
    ),
    "pull current 1e999": (
        {
            "/images/create": lines(
                {"id": "l1", "status": "Downloading", "progressDetail": {"current": 1e999}}
            )
        },
        lambda e: dockmagic.pull("i", quiet=False, engine=e),
    ),
    "pull negative total": (
        {
            "/images/create": lines(
                {"id": "l1", "status": "Downloading", "progressDetail": {"current": 5, "total": -1}}
            )
        },
        lambda e: dockmagic.pull("i", engine=e),
    ),
    "pull progressDetail a string": (
        {"/images/create": lines({"id": "l1", "status": "Downloading", "progressDetail": "x"})},
        lambda e: dockmagic.pull("i", engine=e),
    ),
    "pull id a number, status null": (
        {"/images/create": lines({"id": 5, "status": None}, {"status": "Status: done"})},
        lambda e: dockmagic.pull("i", engine=e),
    ),
    "pull aux not an object": (
        {"/images/create": lines({"aux": "x"}, {"status": "Status: done"})},
        lambda e: dockmagic.pull("i", engine=e),
    ),
    "pull a list item": (
        {"/images/create": lines([1, 2])},
        lambda e: dockmagic.pull("i", engine=e),
    ),
    "pull error not a string": (
        {"/images/create": lines({"error": {"x": 1}, "errorDetail": 5})},
        lambda e: dockmagic.pull("i", engine=e),
    ),
    "build aux ID not a string": (
        {"/build": lines({"stream": "Step 1/1"}, {"aux": {"ID": 5}})},
        lambda e: dockmagic.build(dockerfile_text="FROM scratch\n", quiet=True, engine=e),
    ),
    "build stream a number": (
        {"/build": lines({"stream": 5}, {"aux": {"ID": "sha256:" + "a" * 64}})},
        lambda e: dockmagic.build(dockerfile_text="FROM scratch\n", quiet=True, engine=e),
    ),
    "stats sample empty": (
        {
            "/containers/json": answer([{"Id": "c" * 64, "Names": ["/c"], "State": "running"}]),
            "/stats": answer({}),
        },
        lambda e: stats_table(engine=e),
    ),
    "stats sample odd": (
        {
            "/containers/json": answer([{"Id": "c" * 64, "Names": ["/c"], "State": "running"}]),
            "/stats": answer({"cpu_stats": "x", "memory_stats": {"usage": "x"}, "networks": [1]}),
        },
        lambda e: stats_table(engine=e),
    ),
    "exec create without Id": (
        {"/containers/c/exec": answer({})},
        lambda e: dockmagic.exec("c", "true", engine=e),
    ),
    "error message not a string": (
        {"/containers/json": answer({"message": {"nested": 1}}, 500)},
        lambda e: dockmagic.ps(engine=e),
    ),
    "error body a list": ({"/containers/json": answer([1], 409)}, lambda e: dockmagic.ps(engine=e)),
    "status 1xx then nothing": (
        {"/containers/json": b"HTTP/1.1 199 Odd\r\nConnection: close\r\n\r\n"},
        lambda e: dockmagic.ps(engine=e),
    ),
    "not HTTP at all": (
        {"/containers/json": b"SSH-2.0-OpenSSH_9.2\r\n"},
        lambda e: dockmagic.ps(engine=e),
    ),
    "version a list": ({"/version": answer([1, 2])}, lambda e: Engine(e.host).api_version),
    "version ApiVersion a dict": (
        {"/version": answer({"ApiVersion": {"x": 1}})},
        lambda e: Engine(e.host).api_version,
    ),
    "rmi answered null": ({"/images/x": answer(None)}, lambda e: dockmagic.rmi("x", engine=e)),
    "rmi answered with odd items": (
        {"/images/x": answer([5, {"Deleted": 7}])},
        lambda e: dockmagic.rmi("x", engine=e),
    ),
    "diff odd shape": (
        {"/containers/c/changes": answer([{"Path": 5, "Kind": "x"}, 3])},
        lambda e: dockmagic.diff("c", engine=e),
    ),
    "a 1 MB error": (
        {"/containers/json": answer({"message": "x" * 1_000_000}, 500)},
        lambda e: dockmagic.ps(engine=e),
    ),
    "events garbage": (
        {"/events": lines({"Type": 5, "Action": None, "time": "x"}, b"not json")},
        lambda e: dockmagic.events(until="1s", engine=e),
    ),
}


@pytest.fixture
def fake() -> Iterator[Callable[[Routes], Engine]]:
    folder = Path(tempfile.mkdtemp(prefix="dmfa-", dir="/tmp"))
    made: list[FakeEngine] = []

    def make(routes: Routes) -> Engine:
        def respond(path: str) -> bytes:
            path = re.sub(r"^/v[\d.]+", "", path.split("?")[0])
            for pattern, canned in routes.items():
                if pattern in path:
                    return canned
            return RUNNING_ANSWER if path.startswith("/containers/c/json") else MISSING

        made.append(FakeEngine(folder, respond))
        return made[-1].engine()

    yield make
    for f in made:
        f.server.close()
    shutil.rmtree(folder)


RUNNING_ANSWER = answer(RUNNING)


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_faked_answer(fake: Callable[[Routes], Engine], case: str) -> None:
    routes, call = CORPUS[case]
    engine = fake(routes)
    try:
        result = call(engine)
    except DockerError as exc:
        assert str(exc) and "\n" not in str(exc), str(exc)
        return
    repr(result)  # a result is also rendered without a traceback
    if hasattr(result, "_repr_html_"):
        result._repr_html_()


def test_a_long_error_is_cut_and_says_how_long(fake: Callable[[Routes], Engine]) -> None:
    engine = fake({"/containers/json": answer({"message": "x" * 1_000_000}, 500)})
    with pytest.raises(DockerError) as failed:
        dockmagic.ps(engine=engine)
    said = str(failed.value)
    assert len(said) < 1000 and "1,000,000 characters" in said, said[:300]


def test_the_corpus_is_large() -> None:
    assert len(CORPUS) >= 45
