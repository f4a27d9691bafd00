"""Acting on several targets as the CLI does: every one tried, the failures reported together."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import DockerError, PartlyFailed


class Done(list[str]):
    """The names a command acted on: a list, shown as the CLI prints them, one a line."""

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text("\n".join(self))


def for_each(
    targets: tuple[str, ...] | list[str], action: Callable[[str], Any], verb: str
) -> list[str]:
    """Apply one engine call to every target, in order, as the docker CLI does: a failure does not
    stop the rest; one error at the end names the failed ones. The names done come back."""
    done: list[str] = []
    errors: dict[str, DockerError] = {}
    for target in targets:
        try:
            action(target)
            done.append(target)
        except DockerError as exc:
            errors[target] = exc
    if errors:
        raise PartlyFailed.of(verb, done, errors)
    return Done(done)
