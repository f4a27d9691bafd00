"""Human units the way the docker CLI prints them."""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any


def human_size(n: float | None, digits: int = 3) -> str:
    """Decimal units with ``digits`` significant digits: 1.23MB, 512B, 4.1GB (as `docker images`;
    `docker system df` shows 4)."""
    if n is None:
        return ""
    n = float(n)
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if abs(n) < 1000 or unit == "PB":
            return f"{n:.{digits}g}{unit}" if unit != "B" else f"{int(n)}B"
        n /= 1000
    return f"{n:.{digits}g}PB"


def binary_size(n: float | None) -> str:
    """Binary units as `docker stats` shows memory: 1.5MiB, 1.944GiB."""
    if n is None:
        return ""
    n = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(n) < 1024 or unit == "PiB":
            return f"{n:.4g}{unit}"
        n /= 1024
    return f"{n:.4g}PiB"


def human_duration(seconds: float) -> str:
    """'Less than a second', '3 minutes', '2 hours', ... as the docker CLI says them."""
    s = int(seconds)
    if s < 1:
        return "Less than a second"
    if s == 1:
        return "1 second"
    if s < 60:
        return f"{s} seconds"
    minutes = s // 60
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = round(s / 3600)
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    if hours < 24 * 7 * 2:
        return f"{hours // 24} days"
    if hours < 24 * 30 * 2:
        return f"{hours // 24 // 7} weeks"
    if hours < 24 * 365 * 2:
        return f"{hours // 24 // 30} months"
    return f"{hours // 24 // 365} years"


def parse_time(value: Any) -> float | None:
    """Unix seconds from an engine timestamp (int seconds or RFC 3339 with nanoseconds)."""
    if value in (None, "", 0, "0001-01-01T00:00:00Z"):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).rstrip("Z")
    if "." in text:
        head, frac = text.split(".", 1)
        text = f"{head}.{frac[:6]}"
    try:
        return datetime.fromisoformat(text + "+00:00").timestamp()
    except ValueError:
        return None


def ago(value: Any, now: float | None = None) -> str:
    t = parse_time(value)
    if t is None:
        return ""
    return human_duration((now or time.time()) - t) + " ago"


def ports(items: Iterable[dict[str, Any]] | None) -> str:
    """``0.0.0.0:8080->80/tcp, [::]:8080->80/tcp, 443/tcp`` from /containers/json ``Ports`` (IPv6
    addresses bracketed, as the docker CLI 28 writes them)."""
    out: list[str] = []
    for p in sorted(items or [], key=lambda p: (p.get("PrivatePort", 0), p.get("IP", ""))):
        private = f"{p.get('PrivatePort')}/{p.get('Type', 'tcp')}"
        if p.get("PublicPort"):
            ip = p.get("IP") or "0.0.0.0"
            host = f"[{ip}]" if ":" in ip else ip
            out.append(f"{host}:{p['PublicPort']}->{private}")
        else:
            out.append(private)
    return ", ".join(dict.fromkeys(out))
