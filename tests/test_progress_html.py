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


def test_notebook_bars_are_full_width_with_the_total_first() -> None:
    """A bar is made once its size is known (a notebook bar made without one is a 20 px square
    for good); a layer the engine already has gets no empty bar, the total says it; the total's
    bar comes first, above the layers'."""
    notebook = pytest.importorskip("tqdm.notebook")
    pytest.importorskip("ipywidgets")
    progress = LayerProgress("pull")
    progress._tqdm = notebook.tqdm
    progress.feed({"id": "aaa", "status": "Already exists", "progressDetail": {}})
    progress.feed({"id": "bbb", "status": "Waiting", "progressDetail": {}})
    progress.feed(
        {"id": "bbb", "status": "Downloading", "progressDetail": {"current": 5, "total": 10}}
    )
    progress.feed(
        {"id": "ccc", "status": "Downloading", "progressDetail": {"current": 1, "total": 30}}
    )
    assert list(progress.bars) == ["bbb", "ccc"]  # none for the layer already present
    total = progress.total_bar
    assert total.total == 40 and total.n == 6 and "1 layer already present" in str(total)
    for bar in (total, *progress.bars.values()):
        assert bar.container.children[1].layout.width != "20px"
        assert bar.container.children[1].max == bar.total  # the widget's own size follows
    progress.close()
