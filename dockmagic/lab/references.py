"""Image references read as the engine reads them (the distribution reference grammar), so that the
policy is checked against what the engine will pull or run, not against the text as written:
``busybox``, ``docker.io/library/busybox`` and ``library/busybox:latest`` are one image."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .schema import Refused

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_LABEL = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
_DOMAIN = rf"(?:{_LABEL}(?:\.{_LABEL})*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?"
_TAG = re.compile(r"[\w][\w.-]{0,127}")
_DIGEST = re.compile(r"[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}")
_PATH = re.compile(rf"{_COMPONENT}(?:/{_COMPONENT})*")
_DOMAIN_RE = re.compile(_DOMAIN)


@dataclass(frozen=True)
class Reference:
    domain: str
    path: str
    tag: str = ""
    digest: str = ""

    @property
    def name(self) -> str:
        return f"{self.domain}/{self.path}"

    @property
    def familiar(self) -> str:
        """As the docker CLI shows it: docker.io and library/ left out."""
        if self.domain != "docker.io":
            return self.name
        return self.path.removeprefix("library/")

    def forms(self) -> list[str]:
        """Every spelling the policy's patterns are matched against."""
        suffix = (
            f"@{self.digest}" if self.digest else f":{self.tag}" if self.tag else ""
        )  # a digest wins
        return [self.familiar + suffix, self.name + suffix]

    def with_tag(self, tag: str) -> Reference:
        """What the engine pulls for ``fromImage=self&tag=tag``: a digest replaces the tag and any
        digest, a tag replaces the tag."""
        if _DIGEST.fullmatch(tag):
            return Reference(self.domain, self.path, "", tag)
        if not _TAG.fullmatch(tag):
            raise Refused("images", f"{tag!r} is not a tag")
        return Reference(self.domain, self.path, tag, self.digest)


def parse(text: str) -> Reference:
    """A reference, or Refused: anything the grammar does not allow is not guessed at."""
    rest, digest = text, ""
    if "@" in rest:
        rest, digest = rest.split("@", 1)
        if not _DIGEST.fullmatch(digest):
            raise Refused("images", f"{text!r}: the digest is not one")
    tag = ""
    last = rest.rsplit("/", 1)[-1]
    if ":" in last:
        rest, tag = rest.rsplit(":", 1)
        if not _TAG.fullmatch(tag):
            raise Refused("images", f"{text!r}: the tag is not one")
    first, _, remainder = rest.partition("/")
    if remainder and (
        "." in first or ":" in first or first == "localhost" or first.startswith("[")
    ):
        domain, path = first, remainder
        if not _DOMAIN_RE.fullmatch(domain):
            raise Refused("images", f"{text!r}: the registry is not a host name")
    else:
        domain, path = "docker.io", rest
    if domain in ("index.docker.io", "registry-1.docker.io"):
        domain = "docker.io"
    if domain == "docker.io" and "/" not in path:
        path = f"library/{path}"
    if not _PATH.fullmatch(path) or len(path) > 255:
        raise Refused(
            "images", f"{text!r} is not an image name (lower-case letters, digits, . _ - and /)"
        )
    return Reference(domain, path, tag, digest)


def tagged(text: str) -> Reference:
    """A reference with ``latest`` where it names neither tag nor digest, as the engine runs it."""
    ref = parse(text)
    return ref if ref.tag or ref.digest else Reference(ref.domain, ref.path, "latest")
