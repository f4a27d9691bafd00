"""Every notebook in notebooks/ runs top to bottom in a real kernel against the real engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockmagic.engine import Engine
from dockmagic.errors import NotFound
from dockmagic.helpers.images.busybox import LAB_IMAGE
from tools.extra_engines import missing
from tools.notebooks import errors, execute

from .support import require

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize(
    "path",
    [pytest.param(p, marks=pytest.mark.podman) if p.stem == "quickstart" else p for p in NOTEBOOKS],
    ids=[p.stem for p in NOTEBOOKS],
)
def test_notebook_runs_clean(
    engine: Engine, path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if (
        path.stem == "swarm"
    ):  # its practice engines come from this repository's tools/ and need root
        require(missing(), "the swarm notebook's practice engines")
        monkeypatch.setenv("PYTHONPATH", str(path.parents[1]))
    try:
        engine.image_inspect(LAB_IMAGE)
        had_lab = True
    except NotFound:
        had_lab = False
    try:
        nb = execute(path, cwd=tmp_path, timeout=300)
        assert not errors(nb)
        left = engine.container_list(all=True, filters={"label": f"dockmagic.notebook={path.stem}"})
        assert not left, f"{path.name} left containers: {[c['Names'] for c in left]}"
        assert not list(tmp_path.iterdir()), "the notebook left files behind"
        for i, cell in enumerate(
            nb.cells
        ):  # a play shows its recap once: live lines, then the value
            first = cell.source.split("\n", 1)[0]
            if (
                cell.cell_type == "code"
                and first.startswith(("%%docker_play", "%%docker_compose"))
                and "--export" not in first
            ):
                shown = "".join(
                    str(o.get("data", {}).get("text/html", "")) for o in cell.get("outputs", [])
                )
                assert shown.count("PLAY RECAP") == 1, (
                    f"cell {i} shows the recap {shown.count('PLAY RECAP')} times"
                )
    finally:
        for c in engine.container_list(
            all=True, filters={"label": f"dockmagic.notebook={path.stem}"}
        ):
            engine.container_delete(c["Id"], force=True)
        if not had_lab:
            try:
                engine.image_delete(LAB_IMAGE, force=True)
            except NotFound:  # a notebook that built it elsewhere (swarm: on its practice engines)
                pass


def test_there_are_notebooks() -> None:
    assert any(p.name == "quickstart.ipynb" for p in NOTEBOOKS)
