"""What this session made (everything it creates carries its label, see engines/labels.py): the
list of it, its removal, and the session's end: at kernel shutdown as ``session_cleanup`` says, or,
when the kernel dies without saying goodbye, by the reaper (``python -m dockmagic.reaper``), to
which an armed session holds a connection per engine it created on."""

from __future__ import annotations

import atexit
import hashlib
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...engine import Engine
from ...engine.hosts import Host
from ...errors import APIError, DockerError, NotFound
from ...render.table import Column, Table
from ...settings import settings
from .labels import BUILT, SESSION_ID, SWARM_KINDS, mine, swarm_used
from .session import engine_for

KINDS = ("service", "container", "network", "volume", "secret", "config", "image")
# What a session's end removes by itself: what runs and what it holds. Built images stay (a cache,
# and tags others may use); %docker clean lists and removes them too.
AT_END = ("service", "container", "network", "volume", "secret", "config")


@dataclass
class Sweep:
    """What a session made, found or removed: (kind, name) pairs, and what could not be removed."""

    found: list[tuple[str, str]] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    def table(self) -> Table:
        rows = [{"Kind": kind, "Name": name} for kind, name in self.found]
        return Table(
            rows, [Column.key("KIND", "Kind"), Column.key("NAME", "Name")], title="this session's"
        )


def find(
    engine: Engine, session: str = SESSION_ID, kinds: tuple[str, ...] = KINDS, swarm: bool = False
) -> Sweep:
    """What on ``engine`` carries ``session``'s label (of ``kinds``); ``swarm``: ask the engine
    whether it is a swarm manager (otherwise only if this session made swarm objects on it)."""
    images = mine(BUILT, session) if "image" in kinds else None
    return find_labelled(engine, mine(session=session), images, swarm=swarm)


def find_labelled(
    engine: Engine,
    where: dict[str, list[str]],
    images: dict[str, list[str]] | None,
    swarm: bool = False,
) -> Sweep:
    """Services, containers, networks, volumes, secrets and configs that match the filter ``where``;
    images that match ``images``. In the order they can be removed: a service before its network and
    its secrets. Swarm objects as ``find`` says."""
    sweep = Sweep()
    swarm_found = _swarm_objects(engine, where, swarm)
    sweep.found += [("service", name) for name in swarm_found["service"]]
    for c in engine.container_list(all=True, filters=where):
        sweep.found.append(("container", (c.get("Names") or ["/" + c["Id"][:12]])[0].lstrip("/")))
    sweep.found += [("network", n["Name"]) for n in engine.network_list(filters=where)]
    sweep.found += [
        ("volume", v["Name"]) for v in engine.volume_list(filters=where).get("Volumes") or []
    ]
    sweep.found += [(kind, name) for kind in ("secret", "config") for name in swarm_found[kind]]
    for image in engine.image_list(all=True, filters=images) if images else []:
        tags = [
            t for t in image.get("RepoTags") or [] if t != "<none>:<none>"
        ]  # API < 1.44 names none so
        sweep.found.append(("image", (tags or [image["Id"]])[0]))
    return sweep


def _swarm_objects(engine: Engine, where: dict[str, list[str]], ask: bool) -> dict[str, list[str]]:
    """The names of services, secrets and configs matching ``where``: none unless this session made
    some there, or (``ask``) the engine says it is a swarm manager. Never a question it may refuse
    for nothing: a lab proxy counts a student's question about services as a refusal."""
    found: dict[str, list[str]] = {kind: [] for kind in SWARM_KINDS}
    if not swarm_used(engine):
        try:
            if not (ask and (engine.system_info().get("Swarm") or {}).get("ControlAvailable")):
                return found
        except APIError:
            return found
    found["service"] = [s["Spec"]["Name"] for s in engine.service_list(filters=where, status=False)]
    found["secret"] = [s["Spec"]["Name"] for s in engine.secret_list(filters=where)]
    found["config"] = [c["Spec"]["Name"] for c in engine.config_list(filters=where)]
    return found


def sweep(
    engine: Engine,
    session: str = SESSION_ID,
    policy: str = "remove",
    found: Sweep | None = None,
    swarm: bool = False,
) -> Sweep:
    """Remove (or, for ``stop``, stop the containers of) what ``session`` made (or what was
    ``found``); services and containers first, so that their networks, volumes and secrets are
    free. What fails is kept in ``failed``, the rest goes."""
    done = found or find(engine, session, AT_END, swarm)
    for kind, name in done.found:
        if policy == "stop" and kind != "container":
            continue
        try:
            if kind == "container":
                if policy == "stop":
                    engine.container_stop(name)
                else:
                    engine.container_delete(name, force=True, v=True)
            elif kind == "network":
                engine.network_delete(name)
            elif kind == "volume":
                engine.volume_delete(name, force=True)
            elif kind in SWARM_KINDS:
                getattr(engine, f"{kind}_delete")(name)
            else:
                engine.image_delete(name, force=True)
        except NotFound:
            pass
        except DockerError as exc:
            done.failed[f"{kind} {name}"] = str(exc)
    return done


def clean(yes: bool = False, *, engine: Engine | None = None) -> Sweep:
    """This session's containers, networks, volumes and built images: listed, or with ``yes``
    removed (``%docker clean``; a notebook never prompts, so the list is the confirmation)."""
    engine = engine_for(engine)
    found = find(engine)
    return sweep(engine, found=found) if yes else found


# -- the session's end ---------------------------------------------------------------------------


def reaper_socket(host: Host) -> Path:
    """One reaper per engine and user: its socket, in a folder only this user can enter."""
    base = Path(os.environ.get("XDG_RUNTIME_DIR") or f"/tmp/dockmagic-{os.getuid()}")
    base.mkdir(mode=0o700, parents=True, exist_ok=True)
    if base.stat().st_uid != os.getuid() or base.stat().st_mode & 0o077:
        raise DockerError(f"{base} is not private to this user: the reaper will not use it")
    return base / f"dockmagic-reaper-{hashlib.sha256(host.url.encode()).hexdigest()[:12]}.sock"


class _Armed:
    """The engines this session created on, each with its open line to a reaper."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.links: dict[str, tuple[Host, socket.socket | None]] = {}
        self.warned = False

    def created_on(self, engine: Any, kind: str, labels: dict[str, Any]) -> dict[str, Any]:
        """A create hook: the first create on an engine links it to its reaper."""
        host = engine.host
        if host.url not in self.links:
            with self.lock:
                if host.url not in self.links:
                    self.links[host.url] = (host, self._link(host))
        return labels

    def _link(self, host: Host) -> socket.socket | None:
        if settings.session_cleanup == "keep":
            return None
        try:
            return connect_reaper(host)
        except (OSError, DockerError) as exc:
            if not self.warned:
                self.warned = True
                print(
                    f"warning: no reaper for {host.url} ({exc}): if this kernel dies, what it made stays",
                    file=sys.stderr,
                )
            return None

    def end(self) -> None:
        """Kernel shutdown: do as ``session_cleanup`` says, then tell each reaper all is done."""
        for host, link in list(self.links.values()):
            if settings.session_cleanup != "keep":
                engine = Engine(host)
                try:
                    done = sweep(engine, policy=settings.session_cleanup)
                    said = said_at_end(done, settings.session_cleanup, host.url)
                    if said:
                        print(said, file=sys.stderr, flush=True)
                except DockerError:
                    pass  # the reaper (still linked) will try again
                finally:
                    engine.close()
            if link is not None:
                try:
                    link.sendall(b"done\n")
                    link.close()
                except OSError:
                    pass
        self.links.clear()


def said_at_end(done: Sweep, policy: str, where: str) -> str:
    """The one line a session's end says about what it did: what it removed (or stopped), and
    how to keep such things; nothing if it had nothing to do."""
    acted = [(kind, name) for kind, name in done.found if policy != "stop" or kind == "container"]
    acted = [(k, n) for k, n in acted if f"{k} {n}" not in done.failed]
    if not acted:
        return ""
    counts: dict[str, int] = {}
    for kind, _ in acted:
        counts[kind] = counts.get(kind, 0) + 1
    listed = ", ".join(f"{n} {kind}{'s' * (n != 1)}" for kind, n in counts.items())
    verb = "stopped" if policy == "stop" else "removed"
    return (
        f"dockmagic: {verb} what this session made on {where}: {listed} "
        "(to keep them: %config DockerMagics.session_cleanup = 'keep')"
    )


_armed: _Armed | None = None


def arm() -> None:
    """Make this process a session whose end is looked after (the magics arm their kernel)."""
    global _armed
    if _armed is None:
        _armed = _Armed()
        Engine.on_create(_armed.created_on)
        atexit.register(_armed.end)


def connect_reaper(host: Host, wait: float = 5.0) -> socket.socket:
    """An open line to the reaper of ``host`` (started if none answers), this session announced."""
    path = reaper_socket(host)
    deadline = time.monotonic() + wait
    started = False
    while True:
        sock = socket.socket(socket.AF_UNIX)
        try:
            sock.connect(str(path))
            break
        except OSError:
            sock.close()
            if not started:
                _start_reaper(host, path)
                started = True
            if time.monotonic() > deadline:
                raise DockerError(f"the reaper did not answer on {path}") from None
            time.sleep(0.05)
    grace = settings.reaper_grace
    sock.sendall(f"session {SESSION_ID} {settings.session_cleanup} {grace}\n".encode())
    return sock


def _start_reaper(host: Host, path: Path) -> None:
    argv = [sys.executable, "-m", "dockmagic.reaper", "--host", host.url, "--socket", str(path)]
    if os.environ.get("DOCKMAGIC_REAPER_IDLE"):  # seconds idle before it leaves (tests: a few)
        argv += ["--idle", os.environ["DOCKMAGIC_REAPER_IDLE"]]
    if host.tls:
        for flag, value in (
            ("--tlscacert", host.tls.ca_cert),
            ("--tlscert", host.tls.client_cert),
            ("--tlskey", host.tls.client_key),
        ):
            if value:
                argv += [flag, value]
    # --daemon: it forks and its first process exits at once, so no child of ours is left to reap
    with open(path.with_suffix(".log"), "ab") as log:
        subprocess.run(
            [*argv, "--daemon"],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            timeout=30,
            check=False,
        )


__all__ = ["KINDS", "Sweep", "arm", "clean", "connect_reaper", "find", "find_labelled", "sweep"]
