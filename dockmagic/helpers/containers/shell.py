"""A notebook's shell in a container: one long-lived container, each cell one exec in it, with the
working directory and exported variables carried from cell to cell as in one shell session.

A new container per cell costs the engine's start (~300 ms); an exec in a running one costs a few
requests and a process. The state lives in the container (two files under /tmp), so a cell is one
exec and nothing more.
"""

from __future__ import annotations

import atexit
import uuid
from dataclasses import dataclass, field
from typing import Any

from ...engine import Engine
from ...errors import CommandError, NotFound
from ...render.results import ExecResult
from ..engines.session import engine_for
from .execs import exec_
from .run import run

# Keeps the container up with nothing to do, and stops at once on docker stop (sh as PID 1
# ignores SIGTERM without a trap).
KEEPALIVE = ["sh", "-c", "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"]

# Before the cell: the last cell's exported variables and folder; after it (however it ends),
# both saved for the next. $__dm is the state's path prefix, from the exec's argv.
_PROLOGUE = (
    '__dm="$1"; shift; [ -f "$__dm.env" ] && . "$__dm.env"; '
    'cd "$(cat "$__dm.cwd" 2>/dev/null || pwd)" 2>/dev/null; '
    'trap \'pwd > "$__dm.cwd"; export -p > "$__dm.env"\' EXIT\n'
)


@dataclass
class Shell:
    """The container cells run in; ``owned`` when this notebook started it (and removes it)."""

    container: str
    engine: Engine
    owned: bool
    state: str = field(default_factory=lambda: f"/tmp/.dockmagic-sh-{uuid.uuid4().hex[:8]}")

    def run(self, script: str, *, quiet: bool = False, check: bool = False) -> ExecResult:
        """Run ``script`` (a cell) in the shell: output live, stdout and stderr apart, exit code kept."""
        argv = ["sh", "-c", _PROLOGUE + script + "\n", "dockmagic-sh", self.state]
        result = exec_(self.container, argv, quiet=quiet, check=check, engine=self.engine)
        result.command = ["sh", "-c", script]
        return result

    def close(self) -> None:
        """Remove the container if this notebook made it; an adopted one is left as it was."""
        if self.owned:
            try:
                self.engine.container_delete(self.container, force=True, v=True)
            except NotFound:
                pass
            self.owned = False


_current: Shell | None = None


def shell(
    target: str | None = None,
    *,
    engine: Engine | None = None,
    labels: Any = None,
    **run_options: Any,
) -> Shell:
    """The notebook's shell: adopt the running container ``target``, or start one from the image
    ``target`` (with ``run_options``, as for ``run``; removed at exit). Without ``target``, the
    current one."""
    global _current
    if target is None:
        if _current is None:
            raise CommandError("no shell yet: %docker shell IMAGE_OR_CONTAINER starts one")
        return _current
    engine = engine_for(engine)
    if _current is not None:
        _current.close()
    try:
        info = engine.container_inspect(target)
        adopt = bool(info["State"].get("Running"))
    except NotFound:
        info, adopt = None, False
    if info is not None and not adopt:
        raise CommandError(f"{target} is not running: %docker start {target} first")
    if adopt and info is not None:
        _current = Shell(info["Name"].lstrip("/"), engine, owned=False)
    else:
        given = [labels] if isinstance(labels, str) else list(labels or [])
        options = {
            **run_options,
            "detach": True,
        }  # -d or not, a shell's container runs in the background
        started = run(
            target, KEEPALIVE, engine=engine, labels=[*given, "dockmagic.shell=1"], **options
        )
        _current = Shell(started.container[:12], engine, owned=True)
    return _current


def shell_close() -> None:
    """Remove the notebook's shell container (if this notebook started it)."""
    global _current
    if _current is not None:
        _current.close()
        _current = None


atexit.register(shell_close)  # a kernel that exits cleanly leaves no shell behind

__all__ = ["KEEPALIVE", "Shell", "shell", "shell_close"]
