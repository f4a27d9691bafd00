"""Network and volume operations against the real engine."""

from __future__ import annotations

from typing import Any

import pytest

from dockmagic.engine import Engine
from dockmagic.errors import APIVersionError, NotFound

from .support import LABEL, LABELS, unique


def test_network_lifecycle(engine: Engine, make_container: Any) -> None:
    name = unique("net")
    net = engine.network_create(
        {"Name": name, "Labels": LABELS, "IPAM": {"Config": [{"Subnet": "10.231.0.0/24"}]}}
    )
    try:
        cid = make_container(["sleep", "30"])
        engine.container_start(cid)
        engine.network_connect(name, cid, {"IPAMConfig": {"IPv4Address": "10.231.0.7"}})
        info = engine.network_inspect(net["Id"], verbose=True)
        assert info["Containers"][cid]["IPv4Address"] == "10.231.0.7/24"
        assert name in [n["Name"] for n in engine.network_list(filters={"label": LABEL})]
        engine.network_disconnect(name, cid, force=True)
        assert engine.network_inspect(name)["Containers"] == {}
    finally:
        engine.network_delete(net["Id"])
    with pytest.raises(NotFound):
        engine.network_inspect(name)


def test_network_prune(engine: Engine) -> None:
    marker = unique()
    engine.network_create({"Name": unique("net"), "Labels": {**LABELS, "dockmagic.prune": marker}})
    pruned = engine.network_prune(filters={"label": f"dockmagic.prune={marker}"})
    assert len(pruned["NetworksDeleted"]) == 1


def test_volume_lifecycle(engine: Engine, make_container: Any) -> None:
    name = unique("vol")
    engine.volume_create({"Name": name, "Labels": LABELS, "Driver": "local"})
    cid = make_container(
        ["sh", "-c", "echo kept > /data/f"], HostConfig={"Binds": [f"{name}:/data"]}
    )
    engine.container_start(cid)
    engine.container_wait(cid)
    assert engine.volume_inspect(name)["Labels"][LABEL] == "1"
    assert name in [v["Name"] for v in engine.volume_list(filters={"label": LABEL})["Volumes"]]
    engine.container_delete(cid)
    engine.volume_delete(name)
    with pytest.raises(NotFound):
        engine.volume_inspect(name)


def test_volume_prune_and_update_version_gate(engine: Engine) -> None:
    marker = unique()
    engine.volume_create({"Name": unique("vol"), "Labels": {**LABELS, "dockmagic.prune": marker}})
    assert (
        len(engine.volume_prune(filters={"label": f"dockmagic.prune={marker}"})["VolumesDeleted"])
        == 1
    )
    if engine.api_version < "1.42":
        with pytest.raises(
            APIVersionError,
            match=f"volume update needs API >= 1.42, this engine speaks {engine.api_version}",
        ):
            engine.volume_update("x", 1, {})
