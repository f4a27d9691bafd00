"""dockmagic: Docker as a first-class citizen of Jupyter notebooks and IPython."""

from __future__ import annotations

from .engine import Engine, TLSConfig
from .errors import (
    APIError,
    APIVersionError,
    Conflict,
    DockerError,
    EngineUnavailable,
    NotFound,
    OperationFailed,
    StreamError,
)

__version__ = "0.1.0"

__all__ = [
    "APIError",
    "APIVersionError",
    "Conflict",
    "DockerError",
    "Engine",
    "EngineUnavailable",
    "NotFound",
    "OperationFailed",
    "StreamError",
    "TLSConfig",
]
