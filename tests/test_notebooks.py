"""Every notebook in notebooks/ runs top to bottom in a real kernel against the real engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockmagic.engine import Engine
from dockmagic.errors import NotFound
from dockmagic.helpers.lab import LAB_IMAGE
from tools.notebooks import errors, execute

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_clean(engine: Engine, path: Path, tmp_path: Path) -> None:
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
    finally:
        for c in engine.container_list(all=True, filters={"label": f"dockmagic.notebook={path.stem}"}):
            engine.container_delete(c["Id"], force=True)
        if not had_lab:
            engine.image_delete(LAB_IMAGE, force=True)


def test_there_are_notebooks() -> None:
    assert any(p.name == "quickstart.ipynb" for p in NOTEBOOKS)
