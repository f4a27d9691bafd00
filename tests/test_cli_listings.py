"""The docker CLI reference's listing, inspect and create examples (ps, inspect -f, port, network,
volume, history), through the docker CLI and through %docker on the same engine: what they print
must be the same, and what they create must be the same."""

from __future__ import annotations

import csv
import json
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dockmagic import Engine
from dockmagic.helpers.engines.labels import unstamped
from dockmagic.render.table import Table

from .support import LABEL, unique

ROWS = list(
    csv.DictReader(
        (
            line
            for line in (Path(__file__).parent / "data" / "cli_listing_reference.tsv").open()
            if line[:1] != "#"
        ),
        delimiter="\t",
    )
)
DOCKER = shutil.which("docker")
# Durations move on between the two runs; the words around them must still agree.
_TIMES = re.compile(r"(Less than a second|About an? (minute|hour)|\d+ (seconds?|minutes|hours))")


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    assert DOCKER
    return subprocess.run([DOCKER, *args], capture_output=True, text=True, timeout=60)


def _as_text(result: Any) -> str:
    if isinstance(result, Table):
        return result.to_text()
    if isinstance(result, list):
        return "\n".join(map(str, result))
    return str(result)


def _normalise(text: str) -> list[str]:
    lines = []
    for line in text.splitlines():
        if re.fullmatch(
            r"\(no \w+\)", line.strip()
        ):  # dockmagic says so where the CLI prints a bare header
            continue
        line = _TIMES.sub("T", line)
        # the CLI joins labels in Go's random map order
        words = [
            ",".join(sorted(w.split(","))) if "=" in w and "," in w else w for w in line.split()
        ]
        if line.strip():
            lines.append(" ".join(words))
    return lines


def _json_row(line: str) -> dict[str, Any]:
    row = json.loads(line)
    row["Labels"] = sorted(
        row["Labels"].split(",")
    )  # the CLI joins labels in Go's random map order
    return {k: _TIMES.sub("T", v) if isinstance(v, str) else v for k, v in row.items()}


def _cells(line: str, world: dict[str, str]) -> list[str]:
    """The adapted line's words, placeholders filled in (by name: ``{{ }}`` templates stay as written)."""
    for key, value in world.items():
        line = line.replace("{" + key + "}", value)
    return shlex.split(line)


@pytest.fixture(scope="module")
def world(engine: Engine, image: str) -> Iterator[dict[str, str]]:
    """Containers like the reference's: labelled, exited, killed, paused, with a volume, on a network,
    publishing and exposing ports; all made by the CLI, all carrying the test label."""
    p = unique("ls")
    tag = ["--label", f"{LABEL}=1", "--label", f"corpus.scope={p}"]
    # a subnet of its own: the engine hands out pools round-robin, and one of them could overlap the
    # subnets the network create lines below ask for
    assert cli("network", "create", *tag, "--subnet", "10.10.31.0/24", f"{p}-net1").returncode == 0
    assert cli("volume", "create", *tag, f"{p}-remote-volume").returncode == 0
    runs = [
        ("exit0", ["true"], []),
        ("killed", ["sleep", "300"], []),
        ("nostalgic_stallman", ["top"], ["--label", "color=blue"]),
        ("i_am_nostalgic", ["top"], ["--label", "color=red"]),
        ("paused", ["top"], []),
        ("vol", ["top"], ["-v", f"{p}-remote-volume:/data"]),
        ("test1", ["top"], [f"--net={p}-net1"]),
        ("pub", ["top"], ["--publish=80", "-p", "8787"]),
        ("exp", ["sh", "-c", 'echo a\necho "b"\tc; top'], ["--expose=8080"]),
        (
            "ranges",
            ["top"],
            ["--expose", "100-102", "--expose", "200", "-p", "28000-28001:28000-28001"],
        ),
    ]
    for name, command, flags in runs:
        done = cli("run", "-d", *tag, *flags, "--name", f"{p}-{name}", image, *command)
        assert done.returncode == 0, done.stderr
    cli("kill", f"{p}-killed")
    cli("pause", f"{p}-paused")
    cli("wait", f"{p}-exit0", f"{p}-killed")
    yield {
        "p": p,
        "image": image,
        "scope": f"--filter label=corpus.scope={p}",
        "label": f"--label {LABEL}=1",
    }
    cli("unpause", f"{p}-paused")
    cli("rm", "-f", *(f"{p}-{name}" for name, _, _ in runs))
    cli("network", "rm", f"{p}-net1")
    cli("volume", "rm", f"{p}-remote-volume")


def _inspect_network(engine: Engine, name: str, line: str) -> dict[str, Any]:
    info = engine.network_inspect(name)
    ipam = dict(
        info["IPAM"]
    )  # subnets the engine picked itself differ from one network to the next
    ipam["Config"] = [c for c in ipam.get("Config") or [] if c.get("Subnet") in line]
    return {
        "Driver": info["Driver"],
        "IPAM": ipam,
        "Internal": info["Internal"],
        "Attachable": info["Attachable"],
        "EnableIPv6": info["EnableIPv6"],
        "Options": info.get("Options") or {},
        "Labels": unstamped(info.get("Labels")),  # dockmagic's session labels are its own addition
    }


def _inspect_volume(engine: Engine, name: str, line: str) -> dict[str, Any]:
    info = engine.volume_inspect(name)
    return {
        "Driver": info["Driver"],
        "Options": info.get("Options") or {},
        "Labels": unstamped(info.get("Labels")),
    }


@pytest.mark.skipif(DOCKER is None, reason="the docker CLI is not installed")
@pytest.mark.parametrize("row", ROWS, ids=[f"{i:02d}" for i in range(len(ROWS))])
def test_reference_line_has_the_same_result(
    ip: Any, engine: Engine, world: dict[str, str], row: dict[str, str]
) -> None:
    if row["compare"] == "output":
        argv = _cells(row["adapted"], world)
        theirs = cli(*argv)
        mine = _as_text(ip.run_line_magic("docker", shlex.join(argv)))
        newer = re.search(r"can't evaluate field (\w+)", theirs.stderr)
        if (
            newer
        ):  # a field of a newer CLI than the one installed: its header and rows must be there
            lines = mine.splitlines()
            assert lines and newer.group(1) not in lines[0] and len(lines) > 1, row["verbatim"]
            return
        assert theirs.returncode == 0, f"the CLI refused {row['adapted']}: {theirs.stderr.strip()}"
        if "json" in argv:  # newer fields may be added; every one the CLI prints must be the same
            cli_rows = [_json_row(line) for line in theirs.stdout.splitlines()]
            ours = [_json_row(line) for line in mine.splitlines()]
            differ = [
                {k: (o.get(k), v) for k, v in c.items() if o.get(k) != v}
                for o, c in zip(ours, cli_rows, strict=True)
            ]
            assert not any(differ), f"{row['verbatim']}: (dockmagic, docker CLI) differ in {differ}"
            return
        theirs_text = theirs.stdout
        assert _normalise(mine) == _normalise(theirs_text), row["verbatim"]
        return
    inspect = _inspect_network if row["compare"] == "network" else _inspect_volume
    kind = "network" if row["compare"] == "network" else "volume"
    seen = []
    for who in ("cli", "dockmagic"):  # one after the other: two networks may not share a subnet
        name = unique(who)
        argv = _cells(row["adapted"].replace("NAME", name), world)
        if who == "cli":
            done = cli(*argv)
            assert done.returncode == 0, f"the CLI refused {row['adapted']}: {done.stderr.strip()}"
        else:
            ip.run_line_magic("docker", shlex.join(argv))
        try:
            seen.append(inspect(engine, name, row["adapted"]))
        finally:
            cli(kind, "rm", name)
    assert seen[1] == seen[0], row["verbatim"]


@pytest.mark.skipif(DOCKER is None, reason="the docker CLI is not installed")
def test_events_with_a_format_print_as_the_cli(ip: Any, engine: Engine, image: str) -> None:
    """The reference's ``events --filter type=container --format 'Type=... Status=... ID=...'``:
    the same lines (Go's field names .Status and .ID reach the JSON's status and id)."""
    import time

    began, name = time.time(), unique("ev")
    assert (
        cli("run", "--rm", "--name", name, "--label", f"{LABEL}=1", image, "true").returncode == 0
    )
    until = time.time() + 1
    time.sleep(1.2)
    argv = ["events", "--since", f"{began:.3f}", "--until", f"{until:.3f}", "--filter",
            "type=container", "--filter", f"container={name}", "--format",
            "Type={{.Type}}  Status={{.Status}}  ID={{.ID}}"]  # fmt: skip
    theirs = cli(*argv).stdout
    mine = ip.run_line_magic("docker", shlex.join(argv))
    assert "Status=start" in theirs and str(mine) == theirs


@pytest.mark.skipif(DOCKER is None, reason="the docker CLI is not installed")
def test_network_and_volume_ls_come_in_the_clis_order(ip: Any, engine: Engine) -> None:
    tag = unique("order")
    names = [f"{tag}-10", f"{tag}-2", f"{tag}-b", f"{tag}-a"]
    try:
        for n in names:
            engine.network_create({"Name": n, "Labels": {LABEL: tag}})
            engine.volume_create({"Name": n, "Labels": {LABEL: tag}})
        for kind in ("network", "volume"):
            argv = [kind, "ls", "--filter", f"label={LABEL}={tag}", "--format", "{{.Name}}"]
            theirs = cli(*argv).stdout
            assert theirs.split() == [f"{tag}-2", f"{tag}-10", f"{tag}-a", f"{tag}-b"]
            assert str(ip.run_line_magic("docker", shlex.join(argv))) == theirs
    finally:
        for n in names:
            cli("network", "rm", n)
            cli("volume", "rm", n)
