"""Progress bars in a notebook are HTML widgets: what the engine and registry send is escaped."""

from __future__ import annotations

from typing import Any

import pytest

from dockmagic.helpers.images.progress import CountBar, LayerProgress

HOSTILE = "<img src=x onerror=alert(1)>"


def _recorded(monkeypatch: pytest.MonkeyPatch) -> tuple[Any, list[str]]:
    """tqdm's notebook bars, with every value their HTML widgets ever held (not only the last: a
    frontend renders each one)."""
    notebook = pytest.importorskip("tqdm.notebook")
    widgets = pytest.importorskip("ipywidgets")
    held: list[str] = []

    class Recorded(widgets.HTML):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.observe(lambda change: held.append(str(change["new"])), "value")

    monkeypatch.setattr(notebook, "HTML", Recorded)
    return notebook, held


def test_layer_ids_and_statuses_are_escaped_in_notebook_bars(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    notebook, held = _recorded(monkeypatch)
    progress = LayerProgress("pull")
    progress._tqdm = notebook.tqdm  # what tqdm.auto picks in a notebook
    progress.feed(
        {"id": HOSTILE, "status": "Downloading <b>", "progressDetail": {"current": 1, "total": 10}}
    )
    progress.feed({"id": "a1", "status": HOSTILE})
    progress.close()
    assert held and not any("<" in text for text in held), held


def test_service_names_and_swarm_messages_are_escaped_in_notebook_bars(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    notebook, held = _recorded(monkeypatch)
    count = CountBar(HOSTILE)
    count._tqdm = notebook.tqdm
    count.update(0, 6)
    count.update(2, 6, f"tasks wait: {HOSTILE}")
    count.close("converged")
    assert held and not any("<" in text for text in held), held


def test_the_count_is_one_line_redrawn_in_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    count = CountBar("web")
    for running in range(7):
        count.update(running, 6, "updating" if running < 6 else "")
    count.close("converged after 1.2 s")
    out = capsys.readouterr().out
    assert (
        out.count("\n") == 2
        and "6/6 tasks running" in out
        and out.endswith("web: converged after 1.2 s\n")
    )
