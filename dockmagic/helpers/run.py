"""``run``: the docker run sequence — create, attach before start (no output is lost), start, wait."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Mapping
from typing import Any

from ..engine import Engine
from ..errors import ContainerFailed, NotFound, TimedOut
from ..render.results import RunResult
from ..settings import settings
from .config import as_command, container_config
from .output import LiveOutput
from .session import pick
from .stats import Sampler, StatsSeries
from .streaming import pump


def _encode(stdin: str | bytes | None) -> bytes | None:
    return stdin.encode() if isinstance(stdin, str) else stdin


def _after_interrupt(engine: Engine, cid: str, remove: bool) -> None:
    """Ctrl-C: stop (or kill, or leave) the container; remove it when asked. Never raises."""
    try:
        if remove:
            engine.container_delete(cid, force=True)
        elif settings.on_interrupt == "kill":
            engine.container_kill(cid)
        elif settings.on_interrupt == "stop":
            engine.container_stop(cid, t=settings.stop_timeout)
    except (Exception, KeyboardInterrupt):
        pass


def run(
    image: str,
    command: str | Iterable[str] | None = None,
    *,
    name: str | None = None,
    detach: bool = False,
    remove: bool = False,
    stdin: str | bytes | None = None,
    tty: bool = False,
    timeout: float | None = None,
    check: bool = False,
    quiet: bool = False,
    stats: bool = False,
    env: Mapping[str, Any] | Iterable[str] | None = None,
    labels: Mapping[str, Any] | Iterable[str] | None = None,
    engine: Engine | None = None,
    **options: Any,
) -> RunResult:
    """Run a command in a new container, showing its output live; like ``docker run``.

    Options are those of :func:`dockmagic.helpers.config.container_config` (volumes, mounts,
    ports, workdir, user, entrypoint, network, memory, cpus, hostname, privileged, restart, extra).
    ``stdin`` text is fed to the command and closed. A non-zero exit raises only with ``check``.
    ``stats`` records the container's resource usage while it runs (``result.stats``, plotted
    with the result).
    """
    engine = pick(engine)
    data = _encode(stdin)
    config = container_config(
        image,
        command,
        env=env,
        labels=labels,
        stdin=data is not None,
        tty=tty,
        auto_remove=remove and detach,
        **options,
    )
    created = engine.container_create(config, name=name)
    cid = created["Id"]
    for warning in created.get("Warnings") or []:
        print(f"warning: {warning}", file=sys.stderr)
    result = RunResult(
        container=cid, name=name or cid[:12], image=image, command=as_command(command) or [], detached=detach
    )
    if detach:
        engine.container_start(cid)
        return result

    started = time.monotonic()
    live = LiveOutput(show=not quiet)
    deadline = started + timeout if timeout else None
    sampler = Sampler(engine, [{"id": cid, "name": result.name}]) if stats else None
    interrupted = False
    try:
        sock = engine.container_attach(cid, stdin=data is not None)
        engine.container_start(cid)
        if sampler:
            sampler.start()
        pump(sock, tty, live, data, deadline)
        result.exit_code = engine.container_wait(cid)["StatusCode"]
    except TimeoutError:
        engine.container_stop(cid, t=settings.stop_timeout)
        raise TimedOut(f"{result.name} ran longer than {timeout}s and was stopped") from None
    except KeyboardInterrupt:
        interrupted = True
        _after_interrupt(engine, cid, remove)
        raise
    finally:
        if sampler:
            sampler.stop()
            result.stats = StatsSeries(sampler.snapshot())
        live.close()
        result.stdout, result.stderr, result.hidden_lines = live.stdout, live.stderr, live.hidden_lines
        result.duration = time.monotonic() - started
        if remove and not interrupted:  # also after a timeout or a failed start, as docker run --rm
            try:
                engine.container_delete(cid, force=True)
            except NotFound:
                pass
            result.removed = True
    if check and result.exit_code != 0:
        raise ContainerFailed(result.name, result.exit_code or 0, result.stderr)
    return result
