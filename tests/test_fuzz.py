"""A seeded fuzzer of the %docker line grammar: thousands of lines made from the subcommands and
flags the magic knows, with hostile values and quoting. Each must end as a result or a one-line
error, within seconds. The engine is the real one behind a gate that lets only reads through
(it answers every write as the engine answers a refusal), so nothing is created."""

from __future__ import annotations

import os
import random
import shlex
import signal
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from IPython.core.error import UsageError

import dockmagic
from dockmagic.engine import Engine
from dockmagic.magics.commands import COMMANDS

from .faultproxy import FaultProxy

SEED = int(os.environ.get("DOCKMAGIC_FUZZ_SEED", "20261123"))  # another seed explores further
LINES = 10000
PER_LINE = 10  # seconds before a line counts as a hang


class Hang(Exception):
    pass


def _values(tmp: Path) -> list[str]:
    return [
        "", "0", "-1", "1", "65536", "1e400", "inf", "nan", "-0", "9" * 400, "0x10", "1.5", "1g", "-5m", "64g",
        "a=b", "=", "a=", "=b", "::", ":", "80:80", "80:80/tcp", "1-65536:1-2", "127.0.0.1::80", "[::1]:80:80",
        "/:/host", "/var/run/docker.sock:/s", "a:b:c:d", "type=bind,source=/,target=/h", "src=,dst=", "ro",
        "{{.ID}}", "{{", "}}", "{{json .}}", "{{.Nope}}", "table {{.Names}}", "json", "$x", "{x}", "{{x}}",
        "é", "名前", "a\tb", "a\nb", " ", "--", "-", "--x", "-z", "@", "sha256:" + "a" * 64, "x" * 5000,
        "../containers/json", "a/../b", "/", "//", ".", "..", "%2e%2e", "fz/none:tag", "fz:1:2", "UPPER",
        "10s", "-10s", "1h2m", "2006-01-02T15:04:05Z", "label=a", "status=bogus", "name=fz", "dangling=maybe",
        "host", "container:fz-nope", "none", "bridge", "ALL", "SYS_ADMIN", "seccomp=unconfined", "on-failure:-1",
        str(tmp), str(tmp / "nofile"), str(tmp / "out.tar"), "/nonexistent/dir/file", "~", "~nobody/x",
        "unix:///nonexistent.sock", "tcp://127.0.0.1:1", "tcp://user:pw@127.0.0.1:1", "ssh://", "fd://",
    ]  # fmt: skip


def _words(rng: random.Random, values: list[str]) -> list[str]:
    names = sorted(COMMANDS)
    words: list[str] = []
    if rng.random() < 0.05:
        words += [
            rng.choice(["-H", "--host", "--context", "-c", "--log-level", "-D"]),
            rng.choice(values),
        ]
    if rng.random() < 0.03:
        words.append(rng.choice(["frobnicate", "", "RUN", "--version", "container", "system"]))
    else:
        name = rng.choice(names)
        words += name.split()
        flags = COMMANDS[name].parser.flags()
        for _ in range(rng.randrange(0, 6)):
            if flags and rng.random() < 0.85:
                flag = rng.choice(flags)
                if rng.random() < 0.2 and flag.startswith("--"):
                    words.append(f"{flag}={rng.choice(values)}")
                else:
                    words += [flag, rng.choice(values)]
            else:
                words.append(rng.choice([*values, "--bogus", "-Z", "--help"]))
        if name.endswith("events"):
            words += ["--until", "1s"]  # events follow forever otherwise
        words += [
            rng.choice(["fz-nope", "fz/none", "fz-nope:/etc", *values])
            for _ in range(rng.randrange(0, 4))
        ]
    return words


def _line(rng: random.Random, values: list[str]) -> str:
    words = _words(rng, values)
    quoted = [
        shlex.quote(w) if rng.random() < 0.9 else w for w in words
    ]  # some left raw: broken quoting
    return " ".join(quoted)


@pytest.fixture
def gated(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv(
        "DOCKER_CONFIG", str(tmp_path / "docker-config")
    )  # context use/rm, login: not the user's
    monkeypatch.chdir(
        tmp_path
    )  # what a line writes by a relative name (context export NAME) stays there
    gate = FaultProxy(read_only=True)
    dockmagic.use(gate.engine())
    yield gate.engine()
    dockmagic.use(None)
    gate.close()


def _alarm(signum: int, frame: Any) -> None:
    raise Hang


def test_fuzzed_lines_end_as_results_or_one_line(ip: Any, gated: Engine, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    values = _values(tmp_path)
    ip.user_ns["x"] = "expanded"
    problems: list[str] = []
    errors = results = 0
    previous = signal.signal(signal.SIGALRM, _alarm)
    try:
        for _ in range(LINES):
            line = _line(rng, values)
            signal.alarm(PER_LINE)
            try:
                ip.run_line_magic("docker", line)
                results += 1
            except UsageError as exc:
                errors += 1
                if "\n" in str(exc).strip() or not str(exc).strip():
                    problems.append(f"not one line: {line!r}: {str(exc)[:300]!r}")
            except Hang:
                problems.append(f"no end within {PER_LINE}s: {line!r}")
            except BaseException as exc:
                last = traceback.format_exception(exc)[-3:]
                problems.append(f"{type(exc).__name__}: {line!r}: {''.join(last)[:600]}")
            finally:
                signal.alarm(0)
    finally:
        signal.signal(signal.SIGALRM, previous)
    print(
        f"fuzzed {LINES} lines: {results} results, {errors} one-line errors, {len(problems)} problems"
    )
    assert not problems, "\n".join(problems[:20])
