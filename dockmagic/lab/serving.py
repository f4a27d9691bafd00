"""A lab served: the proxy, and (``hardened``) the lab's own engine behind it, started and stopped
together, for ``python -m dockmagic.lab serve`` and ``%docker lab serve`` alike."""

from __future__ import annotations

from dataclasses import dataclass

from ..engine import Engine
from .engine import LabEngine
from .policy import Policy
from .proxy import ENGINE_SOCKET, LabProxy


@dataclass
class Served:
    proxy: LabProxy
    engine: LabEngine | None = None  # the hardened engine, when the lab runs its own

    @property
    def engine_socket(self) -> str:
        return self.proxy.engine_socket

    def close(self) -> None:
        self.proxy.close()
        if self.engine is not None:
            self.engine.stop()


def serve(
    policy: Policy,
    engine_socket: str | None = None,
    hardened: bool = False,
    images: list[str] | None = None,
) -> Served:
    """The proxy over ``engine_socket`` (the host's engine by default), or over a hardened engine of
    the lab's own, started here with ``images`` copied in from the host's engine."""
    if not hardened:
        return Served(LabProxy(policy, engine_socket or ENGINE_SOCKET).start())
    lab = hardened_engine(engine_socket, images)
    try:
        return Served(LabProxy(policy, str(lab.socket)).start(), lab)
    except BaseException:
        lab.stop()
        raise


def hardened_engine(host_socket: str | None = None, images: list[str] | None = None) -> LabEngine:
    """The lab's own engine, started, with ``images`` copied in from the host's engine."""
    lab = LabEngine()
    lab.start()
    try:
        if images:
            with Engine(f"unix://{host_socket or ENGINE_SOCKET}") as host:
                lab.images_from(host, images)
    except BaseException:
        lab.stop()
        raise
    return lab
