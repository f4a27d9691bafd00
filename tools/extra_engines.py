"""Extra Docker engines for tests that need more than one: each a dockerd of its own, in a network
namespace of its own, with its name as its host name (``dockmagic.lab.engine.NamespacedEngine``,
which says why the namespace is needed). Only what was started here is stopped.
"""

from __future__ import annotations

import subprocess

from dockmagic.lab.engine import ROOT, NamespacedEngine
from dockmagic.lab.engine import missing as _missing


def missing() -> str | None:
    """Why extra engines cannot be had here, or None."""
    return _missing()


class ExtraEngine(NamespacedEngine):
    def __init__(self, name: str, pool: str) -> None:
        super().__init__(name, pool, ROOT)


def link(a: ExtraEngine, b: ExtraEngine, subnet: str = "10.250.0") -> None:
    """A wire between two engines' namespaces (a veth pair, ``subnet``.1 and .2), for a Swarm or
    anything else that needs them to reach each other by address. It goes with the namespaces."""
    ends = [(a, f"dm-{b.name}"[:15], f"{subnet}.1"), (b, f"dm-{a.name}"[:15], f"{subnet}.2")]
    (_, first, _), (_, second, _) = ends
    subprocess.run(
        [
            "ip",
            "link",
            "add",
            first,
            "netns",
            a.netns,
            "type",
            "veth",
            "peer",
            "name",
            second,
            "netns",
            b.netns,
        ],
        check=True,
    )
    for engine, device, address in ends:
        subprocess.run(
            ["ip", "-n", engine.netns, "addr", "add", f"{address}/24", "dev", device], check=True
        )
        subprocess.run(["ip", "-n", engine.netns, "link", "set", device, "up"], check=True)
        engine.address = address
