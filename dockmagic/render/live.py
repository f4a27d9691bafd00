"""Output that updates in place: a display handle in notebooks, plain reprints elsewhere."""

from __future__ import annotations

import shutil
import sys
from typing import Any

from .text import strip_ansi


def in_notebook() -> bool:
    """True inside a Jupyter kernel (display updates replace output there)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


class LiveDisplay:
    """Show an object, then replace it with newer ones in the same output area.

    In Jupyter the update replaces the output (one display id, not a new output per tick), and
    the last update is what the saved notebook keeps. Without IPython, each update is printed.
    """

    def __init__(self) -> None:
        self._handle: Any = None
        self.updates = 0
        self.bytes_sent = 0  # size of the data sent for the last update (for the benchmark)
        self._drawn = 0  # terminal rows the last update took

    def show(self, obj: Any) -> None:
        if not in_notebook() and sys.stdout.isatty():
            self._redraw(obj if isinstance(obj, str) else repr(obj))
            return
        try:
            from IPython import get_ipython
            from IPython.display import display
        except ImportError:  # plain Python: no IPython installed
            print(repr(obj))
            return
        if get_ipython() is None:
            print(repr(obj))
        elif self._handle is None:
            self._handle = display(obj, display_id=True)
        else:
            self._handle.update(obj)
        self.updates += 1

    def _redraw(self, text: str) -> None:
        """A terminal: the last update's rows are taken back (cursor up, clear to the end) and the
        new one drawn in their place, as the CLI's live stats redraws."""
        width = max(shutil.get_terminal_size().columns, 1)
        back = f"\x1b[{self._drawn}F\x1b[J" if self._drawn else ""
        sys.stdout.write(f"{back}{text}\n")
        sys.stdout.flush()
        self._drawn = sum(max(1, -(-len(strip_ansi(line)) // width)) for line in text.split("\n"))
        self.updates += 1


class PNG:
    """A PNG image for display()."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def _repr_png_(self) -> bytes:
        return self.data

    def __repr__(self) -> str:
        return f"<plot, {len(self.data)} bytes of PNG>"
