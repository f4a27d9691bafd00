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


def _host(ip: str) -> str:
    return f"[{ip}]" if ":" in ip else ip


def ports(items: Iterable[dict[str, Any]] | None) -> str:
    """``100-102/tcp, 0.0.0.0:8000-8002->8000-8002/tcp, [::]:7000->70/tcp`` from /containers/json
    ``Ports``, grouped and ordered as the docker CLI shows them: runs of consecutive ports whose
    host port is the same as the container's become ranges; other mappings come last."""
    groups: dict[str, list[int]] = {}  # "tcp" or "IP/tcp" -> [first, last] of the open run
    done: list[str] = []
    mappings: list[str] = []

    def shown(key: str, first: int, last: int) -> str:
        ip, _, kind = key.rpartition("/")
        span = str(first) if first == last else f"{first}-{last}"
        return f"{_host(ip)}:{span}->{span}/{kind}" if ip else f"{span}/{kind}"

    order = sorted(
        items or [],
        key=lambda p: (
            p.get("PrivatePort", 0),
            p.get("IP") or "",
            p.get("PublicPort") or 0,
            p.get("Type", "tcp"),
        ),
    )
    for p in order:
        private, kind, ip = int(p.get("PrivatePort") or 0), p.get("Type", "tcp"), p.get("IP") or ""
        key = kind
        if ip:
            if p.get("PublicPort") != private:
                mappings.append(f"{_host(ip)}:{p.get('PublicPort')}->{private}/{kind}")
                continue
            key = f"{ip}/{kind}"
        run = groups.get(key)
        if run is None:
            groups[key] = [private, private]
        elif private == run[1] + 1:
            run[1] = private
        elif private != run[1]:
            done.append(shown(key, *run))
            groups[key] = [private, private]
    return ", ".join(done + [shown(k, *r) for k, r in groups.items()] + mappings)
