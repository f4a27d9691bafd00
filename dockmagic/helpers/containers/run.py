"""``run`` and ``create``: the docker run sequence — create (pulling a missing image), attach
before start (no output is lost), start, wait."""

from __future__ import annotations

import functools
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from ...engine import Engine, shapes, versions
from ...engine.transport import HijackedSocket
from ...errors import Conflict, ContainerFailed, HostFileError, NotFound, OptionError, TimedOut
from ...options import as_command, check_api, container_config
from ...render.results import RunResult
from ...render.stats import StatsSeries
from ...settings import settings
from ..engines.session import engine_for
from ..images.registry import pull as pull_image
from ..stats.sampling import Sampler
from .output import LiveOutput
from .streaming import GRACE, confirm_ended, container_running, pump, stdin_plan
from .terminal import converse

_PULL_POLICIES = ("missing", "always", "never")
# Flags for the client's own terminal, not the container: none of them is sent to the engine.
_TERMINAL_ONLY = ("detach_keys", "sig_proxy", "disable_content_trust")


def _encode(stdin: str | bytes | None) -> bytes | None:
    return stdin.encode() if isinstance(stdin, str) else stdin


class _ExitWaiter:
    """The exit code from a wait registered before start, as the docker CLI does: for "removed" when
    the engine removes the container itself (AutoRemove: afterwards there is nothing left to ask),
    else for "next-exit". Its answer also proves that the output's end was the container's end, with
    no inspect racing the engine's clean-up (an inspect then waits ~60 ms for the container's lock)."""

    def __init__(self, engine: Engine, cid: str, remove: bool) -> None:
        self._engine, self._cid = engine, cid
        # Podman 4.3 answers a wait for "removed" with exit code 0 whatever the code was (the
        # docker CLI's `run --rm` then exits 0 too): there, wait for the exit and remove after.
        self.remove = remove and engine.podman_version() is None
        self._answer = None
        if versions.parse(engine.api_version) >= versions.parse("1.30"):
            self._answer = engine.container_wait_registered(
                cid, "removed" if self.remove else "next-exit"
            )

    def code(self, what: str) -> int:
        """The exit code once the output has ended; StreamCut if the container still runs."""
        if self._answer is None:  # engines before API 1.30: ask after the fact
            confirm_ended(lambda: container_running(self._engine, self._cid), what)
            return int(self._engine.container_wait(self._cid)["StatusCode"])
        if not self._answer.arrived(GRACE):  # the output has ended, so the container should have
            confirm_ended(lambda: container_running(self._engine, self._cid), what)
        return int(self._answer.json(shapes.WAIT)["StatusCode"])

    @property
    def removed(self) -> bool:
        """Whether the answer came for "removed": the engine has removed the container already."""
        return self.remove and self._answer is not None

    def close(self) -> None:
        if self._answer is not None:
            self._answer.close()


def _remove(engine: Engine, cid: str) -> None:
    """Remove a --rm container and its anonymous volumes; if the engine is removing it already
    (AutoRemove, at its exit), wait until it is gone."""
    try:
        engine.container_delete(cid, force=True, v=True)
    except NotFound:
        pass
    except Conflict:
        try:
            engine.container_wait(cid, condition="removed", timeout=30)
        except NotFound:
            pass


def _after_interrupt(engine: Engine, cid: str, remove: bool) -> None:
    """Ctrl-C: stop (or kill, or leave) the container; remove it when asked. Never raises."""
    try:
        if remove:
            _remove(engine, cid)
        elif settings.on_interrupt == "kill":
            engine.container_kill(cid)
        elif settings.on_interrupt == "stop":
            engine.container_stop(cid, t=settings.stop_timeout)
    except (Exception, KeyboardInterrupt):
        pass


def _create(
    engine: Engine,
    config: dict[str, Any],
    name: str | None,
    pull: str,
    platform: str | None,
    quiet_pull: bool,
    cidfile: str | None,
) -> str:
    """POST /containers/create, pulling the image first as ``--pull`` says; the new ID."""
    if pull not in _PULL_POLICIES:
        raise OptionError(f"invalid --pull {pull!r} (missing, always or never)")
    image = config["Image"]
    if (
        cidfile
    ):  # as the CLI sends it (the engine keeps it in HostConfig; the file is ours to write)
        config.setdefault("HostConfig", {})["ContainerIDFile"] = cidfile
    with _id_file(cidfile) as record:
        if pull == "always":
            pull_image(image, platform=platform, quiet=quiet_pull, engine=engine)
        try:
            created = engine.container_create(config, name=name, platform=platform)
        except NotFound as exc:
            if pull != "missing" or "image" not in exc.message.lower():
                raise
            print(f"Unable to find image '{image}' locally", file=sys.stderr)
            pull_image(image, platform=platform, quiet=quiet_pull, engine=engine)
            created = engine.container_create(config, name=name, platform=platform)
        record(created["Id"])
    for warning in created.get("Warnings") or []:
        print(f"warning: {warning}", file=sys.stderr)
    return str(created["Id"])


@contextmanager
def _id_file(path: str | None) -> Iterator[Callable[[str], object]]:
    """``--cidfile``: made before the container, as the CLI makes it (one already there means another
    container may be running from it), given the new ID, and removed if the create fails."""
    if not path:
        yield lambda cid: None
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise OptionError(
            f"container ID file found, make sure the other container isn't running: {path}"
        ) from None
    except OSError as exc:
        raise HostFileError(
            f"cannot create the container ID file {path!r}: {exc.strerror or exc}"
        ) from None
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        try:
            yield f.write
        except BaseException:
            os.unlink(path)
            raise


def create(
    image: str,
    command: str | Iterable[str] | None = None,
    *,
    name: str | None = None,
    pull: str = "missing",
    platform: str | None = None,
    quiet_pull: bool = False,
    cidfile: str | None = None,
    remove: bool = False,
    engine: Engine | None = None,
    extra: dict[str, Any] | None = None,
    **options: Any,
) -> str:
    """``docker create``: a new container, not started; its ID. Options are the rows of
    :data:`dockmagic.options.OPTIONS` by name (``memory="64m"``, ``ports=["8080:80"]``, ...)."""
    engine = engine_for(engine)
    check_api(options, engine.api_version)
    for flag in _TERMINAL_ONLY:
        options.pop(flag, None)
    # as the CLI: -i means a later `start -a -i` attaches stdin once; -a picks the streams
    attach_in, attach_out, attach_err = _streams(
        options.pop("attach", None), bool(options.get("interactive"))
    )
    fields: dict[str, Any] = {
        "AttachStdin": attach_in,
        "AttachStdout": attach_out,
        "AttachStderr": attach_err,
    }
    if attach_in and options.get(
        "interactive"
    ):  # the CLI: StdinOnce when stdin is open and attached
        fields["StdinOnce"] = True
    if remove:
        fields["HostConfig"] = {"AutoRemove": True}
    config = container_config(image, command, extra={**fields, **(extra or {})}, **options)
    return _create(engine, config, name, pull, platform, quiet_pull, cidfile)


def _streams(attach: Iterable[str] | None, stdin: bool) -> tuple[bool, bool, bool]:
    """Which of stdin, stdout, stderr to attach (``-a``; all output by default)."""
    if not attach:
        return stdin, True, True
    wanted = {a.lower() for a in attach}
    unknown = wanted - {"stdin", "stdout", "stderr"}
    if unknown:
        raise OptionError(
            f"invalid --attach {', '.join(sorted(unknown))} (stdin, stdout or stderr)"
        )
    return "stdin" in wanted, "stdout" in wanted, "stderr" in wanted


def run(
    image: str,
    command: str | Iterable[str] | None = None,
    *,
    name: str | None = None,
    detach: bool = False,
    remove: bool = False,
    stdin: str | bytes | None = None,
    interactive: bool = False,
    tty: bool = False,
    attach: Iterable[str] | None = None,
    timeout: float | None = None,
    check: bool = False,
    quiet: bool = False,
    stats: bool = False,
    pull: str = "missing",
    platform: str | None = None,
    quiet_pull: bool = False,
    cidfile: str | None = None,
    terminal: bool = False,
    engine: Engine | None = None,
    extra: dict[str, Any] | None = None,
    created: Callable[[str], object] | None = None,
    **options: Any,
) -> RunResult:
    """Run a command in a new container, showing its output live; like ``docker run``.

    Options are the rows of :data:`dockmagic.options.OPTIONS` by name (env, volumes, mounts,
    ports, workdir, user, entrypoint, network, memory, cpus, ...); ``extra`` merges raw API fields.
    ``stdin`` text is fed to the command and closed; ``interactive`` without ``stdin`` gives an
    empty stdin (closed at once), as ``docker run -i`` fed from nothing. A non-zero exit raises only
    with ``check``. ``stats`` records the container's resource usage while it runs. ``terminal``
    joins the user's terminal to the container (``docker run -it`` in a terminal IPython): its output
    is then shown, not kept. ``created`` is told the new container's ID before it starts (what
    ``compose run`` connects networks and writes secrets in by).
    """
    engine = engine_for(engine)
    check_api(options, engine.api_version)
    detach_keys = options.get("detach_keys")
    for flag in _TERMINAL_ONLY:
        options.pop(flag, None)
    terminal = terminal and not detach
    data, ask = stdin_plan(_encode(stdin), interactive, attached=not detach and not terminal)
    feeding = data is not None or terminal or ask  # stdin will be sent: a cell, a terminal, the box
    streams = _streams(attach, feeding)
    fields = _attach_fields(streams, detach, remove)
    # As the CLI: `-a stdin` alone attaches stdin but opens it only with -i (or what we feed).
    opened = streams[0] and not detach and (interactive or feeding)
    config = container_config(
        image,
        command,
        stdin=opened,
        interactive=interactive or opened,
        tty=tty,
        extra={**fields, **(extra or {})},
        **options,
    )
    cid = _create(engine, config, name, pull, platform, quiet_pull, cidfile)
    if created is not None:
        try:
            created(cid)
        except BaseException:
            if remove:
                _remove(engine, cid)
            raise
    result = RunResult(
        container=cid,
        name=name or cid[:12],
        image=image,
        command=as_command(command) or [],
        detached=detach,
    )
    if detach:
        engine.container_start(cid)
        return result

    watch = _Watch(engine, cid, result.name, quiet=quiet, stats=stats, remove=remove)
    interrupted = removed = False
    try:
        if terminal:
            if _converse(watch, streams, tty, detach_keys):
                result.detached = True
                remove = False  # as the CLI: a detached container keeps running, --rm applies at its exit
                print(f"\r\ndetached from {result.name}; it keeps running", flush=True)
                return result
        else:
            deadline = time.monotonic() + timeout if timeout else None
            _pump(watch, streams, tty, data, deadline, ask=ask)
        result.exit_code = watch.exited.code(result.name)
        removed = watch.exited.removed  # the engine's AutoRemove has done it (only once it exited)
    except TimeoutError:
        engine.container_stop(cid, t=settings.stop_timeout)
        raise TimedOut(f"{result.name} ran longer than {timeout}s and was stopped") from None
    except KeyboardInterrupt:
        interrupted = True
        _after_interrupt(engine, cid, remove)
        raise
    finally:
        watch.close(result)
        if remove and not interrupted:  # also after a timeout or a failed start, as docker run --rm
            if not removed:
                _remove(engine, cid)
            result.removed = True
    if check and result.exit_code != 0:
        raise ContainerFailed(result.name, result.exit_code or 0, result.stderr)
    return result


def _attach_fields(streams: tuple[bool, bool, bool], detach: bool, remove: bool) -> dict[str, Any]:
    """The create fields for what is attached; --rm is the engine's AutoRemove, as for the docker
    CLI: a container whose kernel dies (kill -9) is still removed when it exits."""
    fields: dict[str, Any] = {"HostConfig": {"AutoRemove": True}} if remove else {}
    attached = (False, False, False) if detach else streams
    fields.update(zip(("AttachStdin", "AttachStdout", "AttachStderr"), attached, strict=True))
    return fields


class _Watch:
    """An attached run's companions: its live output, the wait for its exit (registered before
    start: the end can be quick), the stats sampler, the attached socket; ``close`` ends them all
    and puts what they gathered into the result, however the run ended."""

    def __init__(
        self, engine: Engine, cid: str, name: str, *, quiet: bool, stats: bool, remove: bool
    ) -> None:
        self.engine, self.cid = engine, cid
        self.started = time.monotonic()
        self.live = LiveOutput(show=not quiet)
        self.sampler = Sampler(engine, [{"id": cid, "name": name}]) if stats else None
        self.exited = _ExitWaiter(engine, cid, remove)
        self.sock: HijackedSocket | None = None

    def start(self, streams: tuple[bool, bool, bool]) -> HijackedSocket:
        """Attach (before start: no output is lost), start, and start sampling."""
        stdin, stdout, stderr = streams
        self.sock = self.engine.container_attach(
            self.cid, stdin=stdin, stdout=stdout, stderr=stderr
        )
        self.engine.container_start(self.cid)
        if self.sampler:
            self.sampler.start()
        return self.sock

    def close(self, result: RunResult) -> None:
        self.exited.close()  # read, or the run did not get to it: the connection goes back either way
        if self.sock is not None:  # interrupted before the output was read (during start, say)
            self.sock.close()
        if self.sampler:
            self.sampler.stop()
            result.stats = StatsSeries(self.sampler.snapshot())
            for error in self.sampler.errors:  # the run went well: its stats are what is incomplete
                print(f"warning: stats incomplete: {error}", file=sys.stderr)
        self.live.close()
        result.stdout, result.stderr = self.live.stdout, self.live.stderr
        result.hidden_lines = self.live.hidden_lines
        result.duration = time.monotonic() - self.started


def _pump(
    watch: _Watch,
    streams: tuple[bool, bool, bool],
    tty: bool,
    data: bytes | None,
    deadline: float | None,
    *,
    ask: bool = False,
) -> None:
    """The run's output into the cell, ``data`` to its stdin (or what is typed into the notebook,
    ``ask``), until it ends (or ``deadline``)."""
    sock = watch.start(streams)
    pump(sock, tty, watch.live, data if streams[0] else None, deadline, ask=ask and streams[0])


def _converse(
    watch: _Watch, streams: tuple[bool, bool, bool], tty: bool, detach_keys: str | None
) -> bool:
    """The user's terminal joined to the container (run -it); whether the user detached."""
    sock = watch.start(streams)
    resize = functools.partial(watch.engine.container_resize, watch.cid)
    return converse(sock, tty=tty, resize=resize, detach_keys=detach_keys)
