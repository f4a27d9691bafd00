"""System operations against the real engine: version, info, events, disk usage, auth."""

from __future__ import annotations

import time
from typing import Any

import pytest

from dockmagic.engine import Engine
from dockmagic.errors import APIError

from .support import Registry


def test_version_negotiated_once(engine: Engine) -> None:
    fresh = Engine()
    assert fresh.system_version()["ApiVersion"]
    assert fresh.api_version == min(
        fresh.system_version()["ApiVersion"], "1.51", key=lambda v: tuple(map(int, v.split(".")))
    )
    fresh.close()


def test_ping_info_df(engine: Engine) -> None:
    assert engine.ping() and engine.system_ping() == "OK"
    assert engine.system_ping_head()["Api-Version"]
    assert "Containers" in engine.system_info()
    assert {"Images", "Containers", "Volumes"} <= set(engine.system_data_usage())


def test_events_bounded(engine: Engine, make_container: Any) -> None:
    since = time.time()
    cid = make_container(["true"])
    events = list(
        engine.system_events(since=since, until=time.time() + 1, filters={"container": cid})
    )
    assert [e["Action"] for e in events] == ["create"]


def test_auth_against_local_registry(engine: Engine, registry: Registry) -> None:
    # The open test registry accepts any login; a wrong server address is a clear one-line error.
    assert engine.system_auth(
        {"username": "u", "password": "p", "serveraddress": registry.address}
    )["Status"]
    with pytest.raises(APIError) as exc:
        engine.system_auth(
            {"username": "u", "password": "secret-pw", "serveraddress": "127.0.0.1:1"}
        )
    assert "secret-pw" not in str(exc.value) and "\n" not in str(exc.value)
