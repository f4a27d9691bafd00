"""Views of a play: a line per task (with its diff and warnings), the recap, in text and HTML."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from .palette import STATUS
from .text import esc, visible


class Reported(Protocol):
    """What a module reports (modules.result.Result), as far as a view needs it."""

    changed: bool
    failed: bool
    msg: str
    diff: dict[str, Any]
    warnings: list[str]
    actions: list[str]


@dataclass
class TaskRun:
    name: str
    module: str
    status: str  # ok, changed, failed, skipping
    result: Reported | None = None
    item: Any = None

    def line(self, diff: bool) -> str:
        label = f"{self.status}: [{self.name}]" + (
            f" (item={self.item})" if self.item is not None else ""
        )
        detail = ""
        if self.result is not None:
            if self.result.actions:
                detail = " => " + ", ".join(self.result.actions)
            if self.result.msg:
                detail += f" - {self.result.msg}"
        text = label + detail
        for warning in self.result.warnings if self.result is not None else []:
            text += f"\n    [WARNING]: {warning}"
        if diff and self.result is not None and self.result.diff.get("before") is not None:
            for key, after in self.result.diff.get("after", {}).items():
                text += f"\n    {key}: {self.result.diff['before'].get(key)!r} -> {after!r}"
        return visible(text)


@dataclass
class PlayResult:
    tasks: list[TaskRun] = field(default_factory=list)
    check: bool = False
    diff: bool = False
    registered: dict[str, Any] = field(default_factory=dict)
    failed_task: str | None = None  # the task that stopped the play
    part: str = "all"  # all | tasks (the live view) | recap (the value under a live view): the recap shows once

    @property
    def recap(self) -> dict[str, int]:
        counts = {"ok": 0, "changed": 0, "failed": 0, "skipped": 0}
        for t in self.tasks:
            counts["skipped" if t.status == "skipping" else t.status] += 1
        return counts

    @property
    def failed(self) -> bool:
        return self.failed_task is not None

    def recap_line(self) -> str:
        return "  ".join(f"{k}={v}" for k, v in self.recap.items()) + (
            "  (check mode)" if self.check else ""
        )

    def __repr__(self) -> str:
        lines = [t.line(self.diff) for t in self.tasks] if self.part != "recap" else []
        recap = ["PLAY RECAP  " + self.recap_line()] if self.part != "tasks" else []
        return "\n".join([*lines, *recap])

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(repr(self))

    def _repr_html_(self) -> str:
        rows = []
        for t in self.tasks if self.part != "recap" else []:
            lines = t.line(self.diff).split("\n")
            head, rest = lines[0], lines[1:]
            more = "".join(
                f"<div style='color:#555;margin-left:2em'>{esc(r.strip())}</div>" for r in rest
            )
            rows.append(f"<div style='color:{STATUS[t.status]}'>{esc(head)}</div>{more}")
        recap = " ".join(  # a count of nothing in black: failed=0 is no alarm (as Ansible)
            f"<span style='color:{STATUS.get(k, '#000') if v else '#000'}'>{k}={v}</span>"
            for k, v in self.recap.items()
        )
        check = " <i>(check mode)</i>" if self.check else ""
        tail = (
            f"<div style='margin-top:4px'><b>PLAY RECAP</b> {recap}{check}</div>"
            if self.part != "tasks"
            else ""
        )
        return (
            f"<div class='dockmagic-play' style='font-family:monospace'>{''.join(rows)}{tail}</div>"
        )
