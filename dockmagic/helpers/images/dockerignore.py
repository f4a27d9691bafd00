"""`.dockerignore` as the docker CLI reads it: Go filepath.Match patterns plus ``**``, ``!``
exceptions, the last matching pattern wins, and a pattern that matches a folder excludes all
beneath it."""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Pattern:
    text: str
    exclude: bool  # False for a "!" exception
    regex: re.Pattern[str]


def _translate(pattern: str) -> str:
    """A Go filepath.Match pattern (with ``**``) as a regular expression over '/'-separated paths."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            if pattern.startswith("**", i):
                i += 2
                if pattern.startswith("/", i):  # "**/" matches zero or more whole folders
                    i += 1
                    out.append("(?:.*/)?")
                else:
                    out.append(".*")
                continue
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "\\\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1 : end]
                body = "^" + body[1:] if body.startswith("^") else body
                out.append(f"[{body}]")
                i = end
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


def parse(text: str) -> list[Pattern]:
    patterns = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        exclude = not line.startswith("!")
        body = line if exclude else line[1:].strip()
        body = posixpath.normpath(body.replace(os.sep, "/")).lstrip("/")
        if body in ("", "."):
            continue
        patterns.append(Pattern(line, exclude, re.compile(_translate(body) + r"\Z")))
    return patterns


class Ignore:
    """The rules of one context's .dockerignore."""

    def __init__(self, patterns: list[Pattern]) -> None:
        self.patterns = patterns
        self.has_exceptions = any(not p.exclude for p in patterns)

    @classmethod
    def of(cls, context: Path) -> Ignore:
        path = context / ".dockerignore"
        return cls(parse(path.read_text(encoding="utf-8")) if path.is_file() else [])

    def excluded(self, rel: str) -> bool:
        """Whether ``rel`` (a '/'-separated path in the context) is left out."""
        parents = [rel]
        while "/" in parents[-1]:
            parents.append(parents[-1].rsplit("/", 1)[0])
        verdict = False
        for p in self.patterns:
            if any(p.regex.match(candidate) for candidate in parents):
                verdict = p.exclude
        return verdict

    def prune(self, rel_dir: str) -> bool:
        """Whether a whole folder can be skipped without looking inside."""
        return self.excluded(rel_dir) and not self.has_exceptions
