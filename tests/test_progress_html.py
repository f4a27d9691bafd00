"""Progress bars in a notebook are HTML widgets: what the engine and registry send is escaped."""

from __future__ import annotations

from typing import Any

import pytest

from dockmagic.helpers.progress import LayerProgress

HOSTILE = "<img src=x onerror=alert(1)>"


def test_layer_ids_and_statuses_are_escaped_in_notebook_bars(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every value the HTML widgets ever held, not only the last: a frontend renders each one."""
    notebook = pytest.importorskip("tqdm.notebook")
    widgets = pytest.importorskip("ipywidgets")
    held: list[str] = []

    class Recorded(widgets.HTML):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.observe(lambda change: held.append(str(change["new"])), "value")

    monkeypatch.setattr(notebook, "HTML", Recorded)
    progress = LayerProgress("pull")
    progress._tqdm = notebook.tqdm  # what tqdm.auto picks in a notebook
    progress.feed({"id": HOSTILE, "status": "Downloading <b>", "progressDetail": {"current": 1, "total": 10}})
    progress.feed({"id": "a1", "status": HOSTILE})
    progress.close()
    assert held and not any("<" in text for text in held), held
