"""Progress bars for pulls and pushes (one per layer plus a total) and for a service's tasks
coming up, updated in place.

tqdm.auto draws widget bars in notebooks (with ipywidgets) and text bars elsewhere; bars refresh
at most ten times a second, so a pull never becomes one output line per progress message.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import Any


def _tqdm() -> Any:
    try:
        from tqdm.auto import tqdm

        return tqdm
    except ImportError:
        return None


DONE = {
    "Pull complete",
    "Download complete",
    "Already exists",
    "Pushed",
    "Layer already exists",
    "Mounted from",
}


def _close_in_place(bars: list[Any]) -> None:
    """Close bars drawn one above the other, leaving their final state in the same order.

    A notebook bar is a widget and stays where it is. Text bars in a terminal are lines the cursor
    moves between: closed in any order, tqdm leaves the cursor above the last bar's line, and the
    next output overwrites it and leaves that bar's line as debris below. So text bars are cleared
    and their final lines printed once, top to bottom, where the cursor then is."""
    if not bars:
        return
    if hasattr(bars[0], "container"):  # tqdm.notebook's bars: widgets
        for bar in bars:
            bar.refresh()
            bar.close()
        return
    final = [str(bar) for bar in bars]
    for bar in reversed(bars):
        bar.leave = False
        bar.close()
    print("\n".join(final), file=sys.stdout, flush=True)


class LayerProgress:
    """Consumes pull/push messages, shows bars, and keeps the messages that are not per-layer."""

    def __init__(self, what: str, show: bool = True) -> None:
        self.what, self.show = what, show
        self.bars: dict[str, Any] = {}
        self.totals: dict[str, int] = {}
        self.current: dict[str, int] = {}
        self.total_bar: Any = None
        self.present: set[str] = set()  # layers the engine or registry had already
        self.statuses: list[str] = []  # the lines without a layer id ("Digest: ...", "Status: ...")
        self.digest = ""
        self._tqdm = (
            _tqdm()
        )  # None without the progress extra: one line per layer when it completes

    def _new_bar(self, desc: str, total: int) -> Any:
        # Made once its total is known: a notebook bar made without one is a 20 px square that
        # stays so. The description comes after: tqdm's notebook bar puts one given at creation
        # into its HTML widget unescaped (later ones it escapes), and ids come from the registry.
        bar = self._tqdm(
            total=total,
            unit="B",
            unit_scale=True,
            unit_divisor=1000,
            leave=True,
            mininterval=0.1,
            file=sys.stdout,
        )
        bar.set_description_str(desc)
        return bar

    @staticmethod
    def _move(bar: Any, total: int, current: int) -> None:
        if bar.total != total:  # reset() is what resizes a notebook bar (setting total does not)
            bar.reset(total=total)
        bar.n = min(current, total)
        bar.update(0)  # redraws only if mininterval has passed: no output line per message

    def feed(self, message: dict[str, Any]) -> None:
        layer, status = message.get("id", ""), str(message.get("status", ""))
        aux = message.get("aux") or {}
        if aux.get("Digest"):
            self.digest = aux["Digest"]
        per_layer = (
            layer
            and status
            and not status.startswith(("Pulling from", "The push refers to", "Digest:"))
        )
        if not per_layer:
            if status:
                self.statuses.append(status)
                if status.startswith("Digest: "):
                    self.digest = status.removeprefix("Digest: ")
            return
        detail = message.get("progressDetail") or {}
        if detail.get("total"):
            self.totals[layer] = int(detail["total"])
        if "current" in detail:
            self.current[layer] = int(detail["current"])
        done = any(status.startswith(d) for d in DONE)
        if done:
            self.current[layer] = self.totals.get(layer, self.current.get(layer, 0))
            if layer not in self.totals:
                self.present.add(layer)  # already there: no bytes to move, no bar
        if not self.show:
            return
        if self._tqdm is None:
            if done:
                print(f"{layer}: {status}")
            return
        if layer in self.totals:
            if self.total_bar is None:  # first, so that it stays above the layers' bars
                self.total_bar = self._new_bar(f"{self.what} total", self.totals[layer])
            bar = self.bars.get(layer)
            if bar is None:
                bar = self.bars[layer] = self._new_bar(layer, self.totals[layer])
            bar.set_description_str(f"{layer} {status}", refresh=False)
            self._move(bar, self.totals[layer], self.current.get(layer, 0))
        self._update_total()

    def _update_total(self) -> None:
        if self.total_bar is None:
            return
        present = len(self.present)
        if present:
            self.total_bar.set_postfix_str(
                f"{present} layer{'s' * (present != 1)} already present", refresh=False
            )
        total = sum(self.totals.values())
        self._move(self.total_bar, total, sum(self.current.get(k, 0) for k in self.totals))

    def close(self) -> None:
        _close_in_place([b for b in (self.total_bar, *self.bars.values()) if b is not None])
        if self.show and self.present and self.total_bar is None and self._tqdm is not None:
            print(f"{self.what}: every layer already present")
        if self.show:  # the few summary lines, as the docker CLI ends: "Digest: ...", "Status: ..."
            for status in self.statuses:
                if status.startswith(("Digest:", "Status:")):
                    print(status, file=sys.stdout)

    def run(self, messages: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        try:
            for message in messages:
                self.feed(message)
                yield message
        finally:
            self.close()


class CountBar:
    """A count against the count wanted (a service's running tasks, nodes with a new certificate),
    as one bar redrawn in place with a note beside it; without tqdm, a line per change."""

    def __init__(
        self, name: str, what: str = "tasks running", show: bool = True, interrupted: str = ""
    ) -> None:
        self.name, self.what, self.show = name, what, show
        self.interrupted = interrupted  # said (on stderr) under the bar when Ctrl-C ends its block
        self._tqdm = _tqdm()
        self.bar: Any = None

    def __enter__(self) -> CountBar:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self.close()
        if kind is KeyboardInterrupt and self.interrupted:
            print(self.interrupted, file=sys.stderr)

    def update(self, count: int, wanted: int, note: str = "") -> None:
        if not self.show:
            return
        if self._tqdm is None:
            print(
                f"{self.name}: {count}/{wanted} {self.what}{', ' + note if note else ''}",
                flush=True,
            )
            return
        if self.bar is None:
            fmt = f"{{desc}} {{bar}} {{n}}/{{total}} {self.what}{{postfix}}"
            # drawn first once the name is in (a delay): given at creation it would be HTML unescaped
            self.bar = self._tqdm(
                total=wanted, bar_format=fmt, leave=True, file=sys.stdout, delay=1e-9
            )
            self.bar.set_description_str(self.name, refresh=False)
        self.bar.total, self.bar.n = wanted, count
        self.bar.set_postfix_str(note, refresh=False)
        self.bar.refresh()

    def close(self, outcome: str = "") -> None:
        """End the bar where it stands; ``outcome`` is a last line of its own."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        if self.show and outcome:
            print(f"{self.name}: {outcome}", flush=True)
