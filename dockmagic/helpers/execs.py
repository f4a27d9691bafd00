"""``exec``: run a command in a running container; the exit code always comes from exec inspect."""

from __future__ import annotations

import functools
import time
from collections.abc import Iterable, Mapping
from typing import Any

from ..engine import Engine
from ..errors import ContainerFailed
from ..options import as_command
from ..options.values import as_env, env_entry, read_kv_file
from ..render.results import ExecResult
from .output import LiveOutput
from .session import pick
from .streaming import pump
from .terminal import converse


def exec_(
    container: str,
    command: str | Iterable[str],
    *,
    stdin: str | bytes | None = None,
    user: str | None = None,
    workdir: str | None = None,
    env: Mapping[str, Any] | Iterable[str] | None = None,
    env_file: Iterable[str] | None = None,
    tty: bool = False,
    privileged: bool = False,
    detach: bool = False,
    check: bool = False,
    quiet: bool = False,
    terminal: bool = False,
    detach_keys: str | None = None,
    engine: Engine | None = None,
) -> ExecResult:
    """Like ``docker exec``: output shown live, ``stdin`` fed and closed, exit code returned.
    ``detach`` starts the command and returns at once (no output, no exit code yet). ``terminal``
    joins the user's terminal to the command (``docker exec -it`` in a terminal IPython)."""
    engine = pick(engine)
    cmd = as_command(command) or []
    terminal = terminal and not detach
    data = None if detach or terminal else stdin.encode() if isinstance(stdin, str) else stdin
    from_files = [e for f in env_file or [] for e in map(env_entry, read_kv_file(f, "env file")) if "=" in e]
    config = {
        "Cmd": cmd,
        "AttachStdout": not detach,
        "AttachStderr": not detach,
        "AttachStdin": data is not None or terminal,
        "Tty": tty,
        "User": user,
        "WorkingDir": workdir,
        "Env": [*from_files, *(as_env(env) or [])] or None,
        "Privileged": privileged,
    }
    exec_id = engine.container_exec(container, {k: v for k, v in config.items() if v is not None})["Id"]
    if detach:
        engine.exec_start(exec_id, detach=True)
        return ExecResult(container=container, command=cmd, detached=True)
    started = time.monotonic()
    live = LiveOutput(show=not quiet)
    try:
        sock = engine.exec_start(exec_id, tty=tty)
        assert sock is not None
        if terminal:
            if converse(sock, tty=tty, resize=functools.partial(engine.exec_resize, exec_id), detach_keys=detach_keys):
                print(f"\r\ndetached from {' '.join(cmd)}; it keeps running", flush=True)
                return ExecResult(container=container, command=cmd, detached=True)
        else:
            pump(sock, tty, live, data)
    finally:
        live.close()
    result = ExecResult(
        stdout=live.stdout,
        stderr=live.stderr,
        hidden_lines=live.hidden_lines,
        exit_code=engine.exec_inspect(exec_id).get("ExitCode"),
        container=container,
        command=cmd,
        duration=time.monotonic() - started,
    )
    if check and result.exit_code != 0:
        raise ContainerFailed(f"exec {' '.join(cmd)}", result.exit_code or 0, result.stderr)
    return result
