"""Results of commands whose output was already streamed live: they keep all of it, and show
only a one-line summary (the output itself is above them in the cell)."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Any

from .palette import GREEN, GREY, RED
from .text import esc, visible


@dataclass(repr=False)
class Output:
    """Everything a container printed, stdout and stderr apart."""

    stdout: str = ""
    stderr: str = ""
    hidden_lines: int = 0  # lines not shown live (all still here in stdout/stderr)

    @property
    def lines(self) -> list[str]:
        return self.stdout.splitlines()

    def summary(self) -> str:
        return f"{len(self.stdout.splitlines())} stdout line(s), {len(self.stderr.splitlines())} stderr line(s)"

    color = GREY

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {visible(self.summary())}>"

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(visible(self.summary()))

    def _repr_html_(self) -> str:
        return f"<div style='color:{self.color}'>{esc(self.summary())}</div>"


@dataclass(repr=False)
class Exited(Output):
    """Output of a process that ended with an exit code."""

    exit_code: int | None = None
    container: str = ""  # id
    command: list[str] = field(default_factory=list)
    duration: float = 0.0
    detached: bool = False  # started in the background: no exit code yet

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    @property
    def color(self) -> str:  # type: ignore[override]
        return GREEN if self.ok or self.detached else RED


@dataclass(repr=False)
class RunResult(Exited):
    name: str = ""
    image: str = ""
    removed: bool = False
    stats: Any = None  # a StatsSeries when run with stats=True

    def _repr_html_(self) -> str:
        html = super()._repr_html_()
        if self.stats is None:
            return html
        if not self.stats.records:
            return (
                html
                + "<div style='color:#666'>no usage samples were recorded"
                + " (the engine sends one about every second)</div>"
            )
        return html + self.stats._repr_html_()

    def summary(self) -> str:
        who = (
            self.name
            if self.name == self.container[:12]
            else f"{self.name} ({self.container[:12]})"
        )
        if self.detached:
            return f"started {who} from {self.image} in the background"
        if self.exit_code is None:
            return f"{who} was interrupted after {self.duration:.2f}s"
        gone = ", removed" if self.removed else ""
        return f"{who} exited with code {self.exit_code} after {self.duration:.2f}s{gone}"


@dataclass(repr=False)
class ExecResult(Exited):
    def summary(self) -> str:
        if self.detached:
            return f"exec {shlex.join(self.command)} started in {self.container[:12]} in the background"
        return f"exec {shlex.join(self.command)} in {self.container[:12]} exited with code {self.exit_code}"


@dataclass(repr=False)
class LogsResult(Output):
    container: str = ""

    def summary(self) -> str:
        return f"logs of {self.container}: {super().summary()}"


@dataclass(repr=False)
class ImageResult(Output):
    """What a pull, push, load or import did; ``stdout`` has the status lines."""

    action: str = ""
    ref: str = ""
    digest: str = ""
    color = GREEN

    def summary(self) -> str:
        return f"{self.action} {self.ref}" + (f" ({self.digest})" if self.digest else "")


@dataclass(repr=False)
class BuildResult(Output):
    """The build's step output is ``stdout``."""

    image_id: str = ""
    tags: list[str] = field(default_factory=list)
    color = GREEN

    def summary(self) -> str:
        return f"built {self.image_id[:19]}" + (
            f" tagged {', '.join(self.tags)}" if self.tags else ""
        )


@dataclass
class CopyResult:
    src: str
    dst: str
    files: int | None = None  # known when copying to the host
    bytes: int | None = None

    def __repr__(self) -> str:
        size = f" ({self.files} entries, {self.bytes} bytes)" if self.files is not None else ""
        return visible(f"<copied {self.src} -> {self.dst}{size}>")
