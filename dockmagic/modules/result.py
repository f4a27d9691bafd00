"""What a module reports: changed or not, failed or not, the diff of what it compared, warnings
and the facts of the resource."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import DockerError
from ..render.palette import STATUS
from ..render.text import esc, visible


class ModuleError(DockerError):
    """A module could not do what was asked (bad arguments, an unhealthy container, ...)."""


@dataclass
class Result:
    changed: bool = False
    failed: bool = False
    msg: str = ""
    diff: dict[str, Any] = field(default_factory=dict)  # {"before": {...}, "after": {...}}
    warnings: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    actions: list[str] = field(default_factory=list)  # what was (or, in check mode, would be) done

    @property
    def status(self) -> str:
        return "failed" if self.failed else "changed" if self.changed else "ok"

    def note(self, action: str) -> None:
        self.changed = True
        self.actions.append(action)

    def compare(self, key: str, before: Any, after: Any) -> None:
        self.diff.setdefault("before", {})[key] = before
        self.diff.setdefault("after", {})[key] = after

    def finish(self, diff: bool, **facts: Any) -> Result:
        """Attach the facts; drop the diff unless it was asked for."""
        self.facts.update(facts)
        if not diff:
            self.diff = {}
        return self

    def remove(self, present: bool, check_mode: bool, remove: Callable[[], Any]) -> None:
        """state=absent: remove what is there (in check mode, only say so)."""
        if present:
            self.compare("state", "present", "absent")
            self.note("remove")
            if not check_mode:
                remove()

    def as_dict(self) -> dict[str, Any]:
        return {
            "changed": self.changed,
            "failed": self.failed,
            "msg": self.msg,
            "diff": self.diff,
            "warnings": self.warnings,
            "actions": self.actions,
            **self.facts,
        }

    def __getitem__(
        self, key: str
    ) -> Any:  # so plays can write result.changed or result['changed']
        return self.as_dict()[key]

    def __repr__(self) -> str:
        detail = f": {', '.join(self.actions)}" if self.actions else ""
        return visible(f"<{self.status}{detail}{' - ' + self.msg if self.msg else ''}>")

    def _repr_html_(self) -> str:
        color = STATUS[self.status]
        diff = (
            f"<pre>{esc(json.dumps(self.diff, indent=2, default=str))}</pre>" if self.diff else ""
        )
        return f"<div style='color:{color}'>{esc(repr(self))}</div>{diff}"
