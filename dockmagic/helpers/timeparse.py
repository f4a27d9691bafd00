"""Times as the docker CLI takes them: Unix seconds, RFC 3339, or durations like 10m ago."""

from __future__ import annotations

import re
import time
from datetime import datetime
from typing import Any

from .config import OptionError

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str | float) -> float:
    """``1h30m``, ``45s``, ``500ms`` or a number of seconds."""
    if isinstance(text, int | float):
        return float(text)
    text = text.strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise OptionError(f"invalid duration {text!r} (write e.g. 30s, 10m or 1h30m)")
    return sum(float(n) * _SECONDS[u] for n, u in parts)


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
