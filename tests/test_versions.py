from __future__ import annotations

import pytest

from dockmagic.engine import versions
from dockmagic.errors import APIVersionError


def test_speaks_the_lower_version() -> None:
    assert versions.negotiate("1.41") == "1.41"
    assert versions.negotiate("1.52") == versions.MAX_API
    assert versions.negotiate("1.9999") == versions.MAX_API
    assert versions.parse("1.9") < versions.parse("1.10")


def test_refuses_old_engines() -> None:
    with pytest.raises(APIVersionError, match=r"older than 1\.24"):
        versions.negotiate("1.23")


def test_option_needing_newer_api() -> None:
    versions.require("1.41", "1.41", "platform")
    with pytest.raises(APIVersionError) as exc:
        versions.require("1.41", "1.42", "stop signal")
    assert str(exc.value) == "stop signal needs API >= 1.42, this engine speaks 1.41"
