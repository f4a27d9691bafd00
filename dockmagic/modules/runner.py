"""What every module does first and last: check the state asked for, inspect the resource once,
handle ``absent``, and report. Each module then only compares and acts."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..engine import Engine
from ..errors import NotFound
from ..helpers.engines.session import pick
from .result import ModuleError, Result


@dataclass
class Run:
    """One module's pass over one resource."""

    engine: Engine
    current: dict[str, Any] | None  # as inspected at the start; None: it does not exist
    check: bool
    diff: bool
    result: Result = field(default_factory=Result)

    def absent(self, remove: Callable[[dict[str, Any]], Any], **facts: Any) -> Result:
        """state=absent: remove what is there (in check mode, only say so)."""
        current = self.current
        self.result.remove(current is not None, self.check, lambda: remove(current or {}))
        return self.finish(**facts)

    def finish(self, **facts: Any) -> Result:
        return self.result.finish(self.diff, **facts)


def begin(
    engine: Engine | None,
    inspect: Callable[[Engine], dict[str, Any]],
    state: str,
    states: Iterable[str],
    check: bool,
    diff: bool,
) -> Run:
    """Check ``state`` (before any request), then inspect the resource once."""
    allowed = tuple(states)
    if state not in allowed:
        raise ModuleError(
            f"state must be {', '.join(allowed[:-1])} or {allowed[-1]}, not {state!r}"
        )
    engine = pick(engine)
    try:
        current: dict[str, Any] | None = inspect(engine)
    except NotFound:
        current = None
    return Run(engine, current, check, diff)
