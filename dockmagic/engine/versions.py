"""API versions: parsing, comparing, and what this client speaks."""

from __future__ import annotations

from ..errors import APIVersionError

MIN_API = "1.24"  # the oldest engine API dockmagic talks to (Docker 1.12)
MAX_API = "1.51"  # the newest API whose spec dockmagic was written against


def parse(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        raise APIVersionError(f"malformed API version {version!r}") from None


def negotiate(engine_version: str) -> str:
    """The lower of the engine's API and ours; engines below MIN_API are refused."""
    if parse(engine_version) < parse(MIN_API):
        raise APIVersionError(
            f"the engine speaks API {engine_version}, older than {MIN_API} (Docker 1.12), "
            "the oldest dockmagic supports; upgrade the engine"
        )
    return engine_version if parse(engine_version) < parse(MAX_API) else MAX_API


def require(speaking: str, needed: str, what: str) -> None:
    """Raise the one-line error for an option the negotiated API does not have."""
    if parse(speaking) < parse(needed):
        raise APIVersionError(f"{what} needs API >= {needed}, this engine speaks {speaking}")
