"""The errors dockmagic raises. ``str(error)`` is always one readable line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# What dockmagic exports (``dockmagic.NotFound``...); EngineSilent and StreamCut are details of
# EngineUnavailable and StreamError, raised and caught inside.
__all__ = [
    "APIError",
    "APIVersionError",
    "CommandError",
    "Conflict",
    "ContainerFailed",
    "DependencyFailed",
    "DockerError",
    "EngineUnavailable",
    "HostFileError",
    "Missing",
    "NotFound",
    "OperationFailed",
    "OptionError",
    "PartlyFailed",
    "StreamError",
    "TimedOut",
]


class DockerError(Exception):
    """Base of every error dockmagic raises on purpose."""

    partial: Any = None  # what arrived before the error, where it is worth keeping (a stats series)

    def __str__(self) -> str:
        # One line, whatever the engine sent: notebooks show str(error) as the whole story.
        return " ".join(super().__str__().split())


class Missing(DockerError):
    """Nothing by that name: the engine said so (NotFound, its 404) or dockmagic found out (no object
    of any kind by that name, no such published port)."""


class EngineUnavailable(DockerError):
    """The engine could not be reached at all (no socket, refused, TLS failure, timeout)."""

    def __init__(self, host: str, reason: str, hint: str = "") -> None:
        self.host, self.reason, self.hint = host, reason, hint
        text = f"cannot reach the Docker engine at {host}: {reason}"
        super().__init__(f"{text}. {hint}" if hint else text)


class EngineSilent(EngineUnavailable):
    """The engine took a request and gave no answer within the read timeout."""

    def __init__(self, host: str, request: str, seconds: float) -> None:
        DockerError.__init__(
            self,
            f"the Docker engine at {host} took {request} and gave no answer within {seconds:g} s (hung or"
            " overloaded?). Engine(timeout=...) or DOCKER_CLIENT_TIMEOUT sets that limit",
        )
        self.host, self.reason, self.hint = host, f"no answer within {seconds:g} s", ""


class APIError(DockerError):
    """The engine answered with an error status."""

    def __init__(self, status: int, message: str, method: str = "", path: str = "") -> None:
        self.status, self.message, self.method, self.path = status, message, method, path
        where = f" ({method} {path})" if method else ""
        super().__init__(f"{message} [HTTP {status}{where}]")


class NotFound(APIError, Missing):
    """404: no such container, image, network, volume or exec instance."""


class Conflict(APIError):
    """409: the name is in use, the container is running, and so on."""


class CommandError(DockerError):
    """A %docker line that cannot be run as written: an unknown flag, a missing argument."""


class OptionError(DockerError):
    """An option or argument value that cannot be understood (a size, a port, a template, ...)."""


class APIVersionError(DockerError):
    """The engine's API is too old, for dockmagic or for one option."""


class Unsupported(DockerError):
    """The engine has no such operation (Podman's Docker API has no ``update``, say)."""


class StreamError(DockerError):
    """A stream from the engine broke off or could not be parsed."""


class StreamCut(StreamError):
    """A stream ended while what it streams goes on: cut on the way (a proxy, the network)."""


class OperationFailed(DockerError):
    """An error reported inside a progress stream (pull, push, build, load)."""

    def __init__(self, message: str, operation: str = "") -> None:
        self.message, self.operation = message, operation
        super().__init__(f"{operation} failed: {message}" if operation else message)


MAX_MESSAGE = 400  # characters of an engine's error message shown


def api_error(status: int, body: bytes, method: str = "", path: str = "") -> APIError:
    """The error for an engine answer with an error status (its JSON ``message`` when it has one)."""
    text = body.decode("utf-8", errors="replace").strip()
    try:
        message = json.loads(text).get("message") or text
    except (ValueError, AttributeError):
        message = text
    message = str(message or f"HTTP {status}")
    if len(message) > MAX_MESSAGE:  # an error line, not a page (a proxy's HTML, a dump)
        message = (
            f"{message[:MAX_MESSAGE]}… (cut: the engine's message is {len(message):,} characters)"
        )
    cls = {404: NotFound, 409: Conflict}.get(status, APIError)
    return cls(status, message, method, path)


class HostFileError(DockerError):
    """A file or folder on this machine could not be read or written; the engine is not involved."""


@contextmanager
def host_files(doing: str) -> Iterator[None]:
    """This machine's file errors inside the block as one line (``cannot write out.tar: Permission
    denied``); the engine's own connection errors pass through as they are."""
    try:
        yield
    except (TimeoutError, ConnectionError):
        raise
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        raise HostFileError(f"cannot {doing}{where}: {exc.strerror or exc}") from None


class ContainerFailed(DockerError):
    """A command exited with a non-zero code and the caller asked for ``check=True``."""

    def __init__(self, what: str, exit_code: int, stderr: str = "") -> None:
        self.exit_code, self.stderr = exit_code, stderr
        last = stderr.strip().splitlines()[-1:] if stderr.strip() else []
        super().__init__(f"{what} exited with code {exit_code}" + (f": {last[0]}" if last else ""))


class DependencyFailed(DockerError):
    """A Compose service's dependency did not come up as its ``depends_on`` condition asks: it
    exited, is unhealthy, has no healthcheck to be healthy by, or is not in the project."""


class PartlyFailed(DockerError):
    """An action on several targets failed for some: the others were done (as the docker CLI)."""

    def __init__(self, action: str, done: list[str], errors: dict[str, DockerError]) -> None:
        self.done, self.errors = done, errors
        failed = "; ".join(f"{target}: {error}" for target, error in errors.items())
        did = f"{action} {', '.join(done)}; " if done else ""
        super().__init__(f"{did}failed for {len(errors)} of {len(done) + len(errors)}: {failed}")

    @classmethod
    def of(cls, action: str, done: list[str], errors: dict[str, DockerError]) -> DockerError:
        """The error to raise: a lone target's own error as it is, else one naming each failure."""
        if len(errors) == 1 and not done:
            return next(iter(errors.values()))
        return cls(action, done, errors)


class TimedOut(DockerError):
    """A command ran longer than its timeout and was stopped."""
