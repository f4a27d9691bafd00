"""Times as the docker CLI takes them: Unix seconds, RFC 3339, or durations like 10m ago."""

from __future__ import annotations

import re
import time
from datetime import datetime
from typing import Any

from ..options.values import parse_duration

__all__ = ["parse_duration", "to_timestamp"]


def to_timestamp(value: Any, now: float | None = None) -> float | None:
    """A point in time as Unix seconds: a number, a datetime, RFC 3339, or a duration meaning
    'that long ago' (``--since 10m``)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        pass
    return (now or time.time()) - parse_duration(text)
