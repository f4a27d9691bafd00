"""What every module does first and last: check the state asked for, inspect the resource once,
handle ``absent``, and report. Between, a module plans: each change it finds is said in the
result with what carries it out; check mode reports the plan, otherwise ``apply`` carries it out."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..engine import Engine
from ..errors import NotFound
from ..helpers.engines.session import engine_for
from .result import ModuleError, Result


@dataclass
class Plan:
    """One module's pass over one resource: what it found, and the changes it plans."""

    engine: Engine
    current: dict[str, Any] | None  # as inspected at the start; None: it does not exist
    check: bool
    diff: bool
    result: Result = field(default_factory=Result)
    steps: list[Callable[[], Any]] = field(default_factory=list)

    def change(self, note: str, act: Callable[[], Any] | None = None) -> None:
        """Plan a change: the result says ``note``; ``apply`` carries out ``act``."""
        self.result.note(note)
        if act is not None:
            self.steps.append(act)

    def then(self, act: Callable[[], Any]) -> None:
        """Plan what a change already said needs done (a recreate's create)."""
        self.steps.append(act)

    def apply(self) -> bool:
        """Carry out the changes planned so far, in order, unless in check mode; whether it did.
        A module that plans in stages (the next depends on what this one made) applies each."""
        steps, self.steps = self.steps, []
        if self.check:
            return False
        for act in steps:
            act()
        return True

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
) -> Plan:
    """Check ``state`` (before any request), then inspect the resource once."""
    allowed = tuple(states)
    if state not in allowed:
        raise ModuleError(
            f"state must be {', '.join(allowed[:-1])} or {allowed[-1]}, not {state!r}"
        )
    engine = engine_for(engine)
    try:
        current: dict[str, Any] | None = inspect(engine)
    except NotFound:
        current = None
    return Plan(engine, current, check, diff)
