"""Many engines at once: the local engine and two extra ones (each a dockerd of its own, in a network
namespace of its own): ``%docker --host a,b,c``, contexts in the list, ``dockmagic.engines``, an
engine that is down."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import dockmagic
from dockmagic.engine import Engine
from dockmagic.helpers.images.busybox import lab_image
from tools.extra_engines import ExtraEngine, missing

from .support import IMAGE, LABEL, LABELS, require, unique

HOST = "unix:///var/run/docker.sock"


@pytest.fixture(scope="module")
def extra(engine: Engine, image: str) -> Iterator[list[ExtraEngine]]:
    require(missing(), "extra engines")
    started = [ExtraEngine("e1", "10.211.0.0/16"), ExtraEngine("e2", "10.212.0.0/16")]
    try:
        for each in started:
            lab_image(IMAGE, labels=LABELS, engine=each.start())
        yield started
    finally:
        for each in started:
            each.stop()
    # the local engine kept its bridge: a container on the default network still starts
    assert (
        dockmagic.run(
            IMAGE, "true", remove=True, quiet=True, labels=LABELS, engine=engine
        ).exit_code
        == 0
    )


@pytest.fixture
def boxes(engine: Engine, extra: list[ExtraEngine]) -> Iterator[dict[str, str]]:
    """One labelled container per engine, by engine URL."""
    made: dict[str, str] = {}
    for url in (HOST, extra[0].url, extra[1].url):
        with Engine(url) as each:
            made[url] = dockmagic.create(IMAGE, "true", name=unique(), labels=LABELS, engine=each)  # type: ignore[arg-type]
    yield made
    for url, cid in made.items():
        with Engine(url) as each:
            each.container_delete(cid, force=True)  # type: ignore[attr-defined]


def test_ps_over_three_engines(ip: Any, boxes: dict[str, str]) -> None:
    hosts = ",".join(boxes)
    table = ip.run_line_magic("docker", f"--host {hosts} ps -a --filter label={LABEL}")
    assert [c.title for c in table.columns][:2] == ["ENGINE", "CONTAINER ID"]
    seen = {(row["_engine"], row["Id"]) for row in table}
    assert seen == {(url, cid) for url, cid in boxes.items()}
    assert "ERROR" not in [c.title for c in table.columns]


def test_an_engine_that_is_down_is_one_row(ip: Any, boxes: dict[str, str], tmp_path: Path) -> None:
    gone = f"unix://{tmp_path}/nobody.sock"
    table = ip.run_line_magic("docker", f"--host {HOST},{gone} ps -a --filter label={LABEL}")
    rows = {row["_engine"]: row for row in table}
    assert rows[HOST]["Id"] == boxes[HOST]
    assert (
        "nothing is listening" in rows[gone]["_error"] or "does not exist" in rows[gone]["_error"]
    )
    assert [c.title for c in table.columns][-1] == "ERROR"
    assert table.to_text().count("\n") == 2  # a header and two rows


def test_contexts_and_hosts_together(
    ip: Any, boxes: dict[str, str], extra: list[ExtraEngine], tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "cfg"))
    dockmagic.context_create("lab-e2", f"host={extra[1].url}")
    table = ip.run_line_magic("docker", f"--host {HOST},lab-e2 images --filter label={LABEL}")
    assert {row["_engine"] for row in table} == {HOST, "lab-e2"}


def test_engines_in_python(boxes: dict[str, str], extra: list[ExtraEngine]) -> None:
    many = dockmagic.engines([HOST, extra[0].url, extra[1].url])
    try:
        table = many.ps(all=True, filters={"label": [LABEL]})
        assert {row["Id"] for row in table} == set(boxes.values())
        stats = many.stats(all=True)  # a snapshot on each engine, sampled at once
        assert next(c.title for c in stats.columns) == "ENGINE"
    finally:
        many.close()
