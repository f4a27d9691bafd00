"""Builds under the lab's policy (the classic builder: BuildKit's session cannot be read by a proxy,
so ``version=2`` is refused by name). The context is read whole into a spool file, its Dockerfile
parsed as the engine's parser reads it, checked, and written back one instruction a line: the engine
builds from the Dockerfile that was checked, not from a text two parsers might read apart.

Checked: base images (``FROM``, ``COPY --from``) are the lab's or the student's own builds, with no
ONBUILD triggers; ``ADD`` takes no URL (the builder fetches from the host's own network); no
``LABEL`` writes the lab's keys; no ``ONBUILD``. The query: tags in the student's own namespace, the
network, and the RUN steps' memory and CPUs within the policy.
"""

from __future__ import annotations

import io
import json
import os
import re
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from . import references
from .policy import STUDENT_LABEL
from .rules import Context
from .schema import Refused

_DIRECTIVE = re.compile(r"#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*\Z")
_URL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://|git@")
_VAR = re.compile(
    r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}$]*))?\}|([A-Za-z_][A-Za-z0-9_]*))"
)


@dataclass
class Instruction:
    keyword: str  # upper case
    args: str


def parse_dockerfile(text: str) -> tuple[list[str], str, list[Instruction]]:
    """(directive lines, escape character, instructions), with continuations joined and comments
    dropped as the engine's parser does."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    directives: list[str] = []
    escape = "\\"
    while lines and _DIRECTIVE.fullmatch(lines[0].strip()):
        name, value = _DIRECTIVE.fullmatch(lines[0].strip()).groups()  # type: ignore[union-attr]
        if name.lower() == "escape":
            if value not in ("\\", "`"):
                raise Refused("build", f"the escape character {value!r} is not \\ or `")
            escape = value
        directives.append(lines.pop(0).strip())
    continued = re.compile(re.escape(escape) + r"[ \t]*\Z")
    out: list[Instruction] = []
    pending = ""
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("#") or (not stripped and not pending):
            continue
        if not stripped:  # an empty line inside a continuation is skipped
            continue
        part = line if pending else line.lstrip()
        if continued.search(part):
            pending += continued.sub("", part)
            continue
        whole = pending + part
        pending = ""
        out.append(_instruction(whole))
    if pending.strip():
        out.append(_instruction(pending))
    return directives, escape, out


def _instruction(text: str) -> Instruction:
    keyword, _, args = text.strip().partition(" ")
    keyword, tab, rest = keyword.partition("\t")
    return Instruction(keyword.upper(), (rest + " " + args if tab else args).strip())


def render_dockerfile(directives: list[str], escape: str, instructions: list[Instruction]) -> str:
    lines = [
        d for d in directives if d.lower().startswith("# escape") or d.lower().startswith("#escape")
    ]
    for ins in instructions:
        if re.search(re.escape(escape) + r"[ \t]*\Z", ins.args):
            raise Refused("build", f"{ins.keyword} ends with the escape character")
        lines.append(f"{ins.keyword} {ins.args}")
    return "\n".join(lines) + "\n"


def _expand(text: str, values: dict[str, str], where: str) -> str:
    def one(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(4)
        op, word = m.group(2), m.group(3) or ""
        value = values.get(name)
        if op is None:
            return value or ""
        present = bool(value) if op.startswith(":") else value is not None
        if op.endswith("-"):
            return value if present and value is not None else word
        return word if present else ""

    expanded = _VAR.sub(one, text)
    if "$" in expanded:
        raise Refused("build", f"{where}: a variable the lab cannot resolve ({text})")
    return expanded


def _flags(words: list[str]) -> tuple[dict[str, str], list[str]]:
    flags: dict[str, str] = {}
    while words and words[0].startswith("--"):
        name, _, value = words.pop(0)[2:].partition("=")
        flags[name.lower()] = value
    return flags, words


def _sources(args: str) -> list[str]:
    """The source words of ADD/COPY (JSON or shell form), without the destination."""
    text = args.strip()
    if text.startswith("["):
        try:
            words = json.loads(text)
        except ValueError:
            words = text.split()
    else:
        words = text.split()
    _, words = _flags([str(w) for w in words])
    return words[:-1]


def check_dockerfile(
    instructions: list[Instruction],
    build_args: dict[str, str],
    ctx: Context,
    onbuild: Callable[[str], list[str]],
) -> None:
    """The instructions under the policy; ``onbuild(image)`` gives an image's ONBUILD triggers."""
    values: dict[str, str] = {}
    stages: list[str] = []
    seen_from = False
    for ins in instructions:
        if ins.keyword == "ARG" and not seen_from:
            name, eq, default = ins.args.partition("=")
            name = name.strip()
            values[name] = build_args.get(
                name, default.strip().strip("\"'") if eq else build_args.get(name, "")
            )
        elif ins.keyword == "FROM":
            seen_from = True
            flags, words = _flags(ins.args.split())
            if not words:
                raise Refused("build", "FROM names no image")
            image = _expand(words[0], values, "FROM")
            if len(words) == 3 and words[1].lower() == "as":
                stages.append(words[2].lower())
            elif len(words) != 1:
                raise Refused("build", f"FROM {ins.args}: image [AS name] is expected")
            _base(image, stages[:-1] if len(words) == 3 else stages, ctx, onbuild)
        elif ins.keyword in ("ADD", "COPY"):
            flags, _ = _flags(ins.args.split())
            if "from" in flags:
                source = flags["from"]
                if "$" in source or not (source.isdigit() or source.lower() in stages):
                    _base(source, stages, ctx, onbuild)
            if ins.keyword == "ADD":
                for src in _sources(ins.args):
                    if _URL.match(src) or "$" in src:
                        raise Refused(
                            "build",
                            f"ADD {src}: the builder would fetch it from the host's network",
                        )
        elif ins.keyword == "LABEL":
            flat = ins.args.replace('"', "").replace("'", "").replace("\\", "")
            if "$" in ins.args or "dockmagic.lab" in flat.lower():
                raise Refused(
                    "build", "LABEL with the lab's own keys (or a variable) is not allowed"
                )
        elif ins.keyword == "ONBUILD":
            raise Refused("build", "ONBUILD is not allowed")


def _base(image: str, stages: list[str], ctx: Context, onbuild: Callable[[str], list[str]]) -> None:
    if image.lower() in stages or image == "scratch":
        return
    if "$" in image or not ctx.image(image):
        raise Refused(
            "build", f"FROM {image}: not among the lab's images ({', '.join(ctx.policy.images)})"
        )
    if onbuild(image):
        raise Refused("build", f"{image} has ONBUILD triggers: not allowed as a base")


# -- the query -----------------------------------------------------------------------------------


def check_query(
    query: list[tuple[str, str]], ctx: Context
) -> tuple[list[tuple[str, str]], dict[str, str], str]:
    """The build's parameters made the policy's; (query, build args, Dockerfile path)."""
    policy = ctx.policy
    out: list[tuple[str, str]] = []
    given = dict(query)
    build_args: dict[str, str] = {}
    for key, value in query:
        if key == "t":
            ref = references.tagged(value)
            if ref.digest:
                raise Refused("build", f"tag {value}: a build is tagged, not named by a digest")
            if not policy.own_name(ref.domain, ref.path, ctx.student):
                raise Refused(
                    "build",
                    f"tag {value}: builds are tagged {policy.build_tags.format(student=ctx.student)}",
                )
            out.append((key, ref.familiar + ":" + ref.tag))
        elif key in ("remote", "outputs", "squash", "cachefrom") and value not in (
            "",
            "[]",
            "0",
            "false",
        ):
            raise Refused("build", f"{key} is not allowed in this lab")
        elif key == "version" and value not in ("", "1"):
            raise Refused(
                "build",
                "BuildKit builds (version=2) are not allowed: the proxy cannot read their session",
            )
        elif key == "networkmode" and value not in ("", "default", "bridge", "none"):
            raise Refused("network", f"builds on the {value} network are not allowed")
        elif key == "buildargs":
            build_args = _string_map(value, "buildargs")
            out.append((key, value))
        elif key == "dockerfile":
            path = os.path.normpath(value)
            if path.startswith(("/", "..")) or "://" in value:
                raise Refused("build", f"dockerfile {value}: a path inside the context is needed")
            out.append((key, path))
        elif key in (
            "labels",
            "memory",
            "memswap",
            "cpuperiod",
            "cpuquota",
            "shmsize",
            "cpushares",
        ):
            continue  # set below
        else:
            out.append((key, value))
    labels = {
        k: v
        for k, v in _string_map(given.get("labels", "{}"), "labels").items()
        if not k.startswith("dockmagic.lab.")
    }
    labels[STUDENT_LABEL] = ctx.student
    memory = _number(given.get("memory"), "memory") or int(policy.memory.default)
    if memory > policy.memory.max:
        raise Refused("memory", f"builds get at most {int(policy.memory.max) >> 20} MiB")
    shm = _number(given.get("shmsize"), "shmsize")
    if shm > policy.memory.max:
        raise Refused("memory", "shmsize beyond the lab's memory limit")
    out += [
        ("labels", json.dumps(labels)),
        ("memory", str(memory)),
        ("memswap", str(memory)),  # no swap: -1 would be unlimited
        ("cpuperiod", "100000"),
        ("cpuquota", str(int(policy.cpus.default * 100000))),
    ]
    if shm:
        out.append(("shmsize", str(shm)))
    return out, build_args, dict(out).get("dockerfile", "Dockerfile")


def _string_map(raw: str, name: str) -> dict[str, str]:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        raise Refused("build", f"{name} is not JSON") from None
    if not isinstance(value, dict) or not all(
        isinstance(v, (str, type(None))) for v in value.values()
    ):
        raise Refused("build", f"{name} must be a JSON object of strings")
    return {str(k): v or "" for k, v in value.items()}


def _number(raw: str | None, name: str) -> int:
    try:
        value = int(raw or 0)
    except ValueError:
        raise Refused("build", f"{name} must be a whole number") from None
    if value < 0:
        raise Refused("build", f"{name} below 0 (unlimited) is not allowed")
    return value


# -- the context ---------------------------------------------------------------------------------


def rewrite_context(spool: IO[bytes], dockerfile: str, check: Callable[[str], str]) -> IO[bytes]:
    """A new context: ``spool``'s tar (any compression the engine reads) with its Dockerfile
    replaced by ``check(text)``; links and odd entries at the Dockerfile's path are refused."""
    spool.seek(0)
    try:
        source = tarfile.open(fileobj=spool, mode="r:*")  # noqa: SIM115 - closed by the with below
    except tarfile.TarError:
        raise Refused("build", "the build context is not a tar archive the lab can read") from None
    wanted = [dockerfile] if dockerfile != "Dockerfile" else ["Dockerfile", "dockerfile"]
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the caller's, closed after the upload
    with source, tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as target:
        members = source.getmembers()
        found: tarfile.TarInfo | None = None
        for name in wanted:
            matching = [m for m in members if os.path.normpath(m.name.lstrip("/")) == name]
            if matching:
                found = matching[-1]  # the last of repeated entries is the one extracted
                break
        if found is None:
            raise Refused("build", f"the context has no {dockerfile}")
        if not found.isfile():
            raise Refused("build", f"{dockerfile} in the context is a link or not a file")
        handle = source.extractfile(found)
        text = (handle.read() if handle else b"").decode("utf-8", errors="strict")
        checked = check(text).encode()
        for member in members:
            if os.path.normpath(member.name.lstrip("/")) == os.path.normpath(
                found.name.lstrip("/")
            ):
                continue
            target.addfile(member, source.extractfile(member) if member.isfile() else None)
        info = tarfile.TarInfo(os.path.normpath(found.name.lstrip("/")))
        info.size, info.mode, info.mtime = len(checked), 0o644, found.mtime
        target.addfile(info, io.BytesIO(checked))
    out.seek(0)
    return out


def build_context_check(
    query_args: dict[str, str], ctx: Context, onbuild: Callable[[str], list[str]]
) -> Callable[[str], str]:
    def check(text: str) -> str:
        directives, escape, instructions = parse_dockerfile(text)
        check_dockerfile(instructions, query_args, ctx, onbuild)
        return render_dockerfile(directives, escape, instructions)

    return check


__all__ = ["build_context_check", "check_query", "parse_dockerfile", "rewrite_context"]
