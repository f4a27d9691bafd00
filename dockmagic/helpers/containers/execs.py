"""``exec``: run a command in a running container; the exit code always comes from exec inspect."""

from __future__ import annotations

import functools
import os
import signal
import time
from collections.abc import Iterable, Mapping
from typing import Any

from ...engine import Engine
from ...errors import ContainerFailed, DockerError
from ...options import as_command
from ...options.values import as_env, env_entry, read_kv_file
from ...render.results import ExecResult
from ..engines.session import engine_for
from .output import LiveOutput
from .streaming import confirm_ended, pump, stdin_plan
from .terminal import converse


def exec_(
    container: str,
    command: str | Iterable[str],
    *,
    stdin: str | bytes | None = None,
    interactive: bool = False,
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
    """Like ``docker exec``: output shown live, ``stdin`` fed and closed, exit code returned;
    ``interactive`` without ``stdin``: typed into the notebook, if it can ask, else empty.
    ``detach`` starts the command and returns at once (no output, no exit code yet). ``terminal``
    joins the user's terminal to the command (``docker exec -it`` in a terminal IPython)."""
    engine = engine_for(engine)
    cmd = as_command(command) or []
    terminal = terminal and not detach
    data = None if detach or terminal else stdin.encode() if isinstance(stdin, str) else stdin
    data, ask = stdin_plan(data, interactive, attached=not detach and not terminal)
    from_files = [
        e for f in env_file or [] for e in map(env_entry, read_kv_file(f, "env file")) if "=" in e
    ]
    config = {
        "Cmd": cmd,
        "AttachStdout": not detach,
        "AttachStderr": not detach,
        "AttachStdin": data is not None or terminal or ask,
        "Tty": tty,
        "User": user,
        "WorkingDir": workdir,
        "Env": [*from_files, *(as_env(env) or [])] or None,
        "Privileged": privileged,
    }
    exec_id = engine.container_exec(container, {k: v for k, v in config.items() if v is not None})[
        "Id"
    ]
    if detach:
        engine.exec_start(exec_id, detach=True)
        return ExecResult(container=container, command=cmd, detached=True)
    started = time.monotonic()
    live = LiveOutput(show=not quiet)
    sock = None
    try:
        sock = engine.exec_start(exec_id, tty=tty)
        assert sock is not None
        if terminal:
            if converse(
                sock,
                tty=tty,
                resize=functools.partial(engine.exec_resize, exec_id),
                detach_keys=detach_keys,
            ):
                print(f"\r\ndetached from {' '.join(cmd)}; it keeps running", flush=True)
                return ExecResult(container=container, command=cmd, detached=True)
        else:
            pump(sock, tty, live, data, ask=ask)
        confirm_ended(
            lambda: _exec_running(engine, exec_id), f"exec {' '.join(cmd)} in {container}"
        )
    except KeyboardInterrupt:
        _interrupt(engine, exec_id)
        raise
    finally:
        if sock is not None:
            sock.close()
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


def _exec_running(engine: Engine, exec_id: str) -> bool:
    return bool(engine.exec_inspect(exec_id).get("Running"))


def _host_process(engine: Engine, exec_id: str) -> int | None:
    """The exec's process as this machine sees it, when the engine runs here and this is that
    process (its cgroup names the container): the Engine API has no way to signal an exec."""
    info = engine.exec_inspect(exec_id)
    pid, container = info.get("Pid"), str(info.get("ContainerID") or "")
    if (
        not info.get("Running")
        or not pid
        or not container
        or not engine.host.url.startswith("unix://")
    ):
        return None
    try:
        with open(f"/proc/{int(pid)}/cgroup", encoding="ascii", errors="replace") as f:
            return int(pid) if container in f.read() else None
    except OSError:
        return None


def _tree(pid: int) -> list[int]:
    """``pid`` and the processes it started, children first (``sh -c 'sleep 30'`` leaves its
    sleep behind when only sh is signalled)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                    parents[int(entry)] = int(f.read().rpartition(")")[2].split()[1])
            except (OSError, ValueError, IndexError):
                pass  # gone meanwhile
    found, todo = [pid], [pid]
    while todo:
        parent = todo.pop()
        children = [p for p, pp in parents.items() if pp == parent]
        found += children
        todo += children
    return found[::-1]


def _alive(pid: int) -> bool:
    """Running still (a zombie has ended: it only waits for its parent to read its status)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rpartition(")")[2].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return False


def _interrupt(engine: Engine, exec_id: str) -> None:
    """Ctrl-C: the command stops too, with what it started (SIGINT, then SIGKILL half a second
    later), as at a terminal; the docker CLI leaves it running. Never raises: the interrupt is what
    the user sees."""
    try:
        pid = _host_process(engine, exec_id)
        if pid is None:
            return
        for sig in (signal.SIGINT, signal.SIGKILL):
            tree = [p for p in _tree(pid) if _alive(p)]
            for p in tree:
                try:
                    os.kill(p, sig)
                except (
                    PermissionError
                ):  # not root here: the container's root sends it, by its own number
                    _kill_inside(engine, exec_id, p, sig)
                except ProcessLookupError:
                    pass
            for _ in range(25):
                if not any(_alive(p) for p in tree):
                    return
                time.sleep(0.02)
    except (DockerError, OSError, KeyboardInterrupt):
        pass


def _kill_inside(engine: Engine, exec_id: str, pid: int, sig: signal.Signals) -> None:
    with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
        inner = next((line.split()[-1] for line in f if line.startswith("NSpid:")), None)
    if inner:
        container = engine.exec_inspect(exec_id)["ContainerID"]
        cmd = ["kill", "-s", sig.name.removeprefix("SIG"), inner]
        engine.exec_start(
            engine.container_exec(container, {"Cmd": cmd, "User": "0"})["Id"], detach=True
        )
