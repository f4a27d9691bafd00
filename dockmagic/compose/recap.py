"""A Compose command's outcome as a play's recap, for ``%%docker_compose``: each container,
network, volume and image a task, ``changed`` if anything was done to it (or, in check mode,
would be), ``ok`` if it was found as the file asks."""

from __future__ import annotations

from ..modules.result import Result
from ..render.plays import PlayResult, TaskRun
from .project import Outcome

# What leaves a resource as it was: found current, or seen to run and be healthy.
_UNCHANGED = {"Kept", "Running", "Healthy", "Exited"}


def as_play(outcome: Outcome, *, check: bool = False) -> PlayResult:
    """The recap of ``outcome``: the resources in the order first met."""
    results: dict[tuple[str, str], Result] = {}
    for kind, name, what in outcome.events:
        result = results.setdefault((kind, name), Result())
        if what not in _UNCHANGED:
            result.note(what.lower())
    tasks = [
        TaskRun(name=f"{kind.lower()} {name}", module=kind.lower(), status=r.status, result=r)
        for (kind, name), r in results.items()
    ]
    return PlayResult(tasks=tasks, check=check, part="recap")
