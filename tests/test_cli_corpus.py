"""The docker CLI reference's `docker run` examples, through the docker CLI and through %docker on
the same engine: the containers they create must be the same (inspect, normalised for names)."""

from __future__ import annotations

import csv
import json
import os
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dockmagic import Engine
from dockmagic.helpers.engines.labels import unstamped

from .support import LABEL, LABELS, unique

ROWS = [
    row
    for row in csv.DictReader(
        (
            line
            for line in (Path(__file__).parent / "data" / "cli_reference.tsv").open()
            if not line.startswith("#")
        ),
        delimiter="\t",
    )
]
DOCKER = shutil.which("docker")
# What differs between two identical creates, or is the engine's own bookkeeping.
VOLATILE_CONFIG = {"Hostname"}
VOLATILE_HOST = {"ContainerIDFile"}


def _empty_is_null(value: Any) -> Any:
    """The CLI sends [] where dockmagic leaves a field out; the engine keeps either: same effect."""
    if value in ([], {}):
        return None
    if isinstance(value, dict):
        return {k: _empty_is_null(v) for k, v in value.items()}
    return value


def _normalise(info: dict[str, Any], name: str) -> dict[str, Any]:
    config = {k: v for k, v in info["Config"].items() if k not in VOLATILE_CONFIG}
    config["Env"] = sorted(config.get("Env") or [])
    # dockmagic's session labels are its own addition, on purpose
    config["Labels"] = {k: v for k, v in unstamped(config.get("Labels")).items() if k != LABEL}
    host = {k: _empty_is_null(v) for k, v in info["HostConfig"].items() if k not in VOLATILE_HOST}
    if (
        host["RestartPolicy"]["Name"] == ""
    ):  # the engine's "" and the CLI's "no" are the same policy
        host["RestartPolicy"]["Name"] = "no"
    # the CLI gathers -v binds through a Go map, so their order changes from run to run
    host["Binds"] = sorted(host.get("Binds") or []) or None
    host["Ulimits"] = (
        sorted(host.get("Ulimits") or [], key=json.dumps) or None
    )  # a Go map too (UlimitOpt)
    networks = {
        net: {
            "Aliases": sorted(
                a for a in (ep.get("Aliases") or []) if a not in (info["Id"][:12], name)
            ),
            "IPAMConfig": ep.get("IPAMConfig"),
            "Links": ep.get("Links"),
        }
        for net, ep in (info["NetworkSettings"].get("Networks") or {}).items()
    }
    mounts = sorted(
        (m["Type"], m.get("Destination"), m.get("RW"), m.get("Mode"))
        for m in info.get("Mounts") or []
    )
    return {"Config": config, "HostConfig": host, "Networks": networks, "Mounts": mounts}


@pytest.fixture(scope="module")
def setting(
    engine: Engine, image: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    folder = tmp_path_factory.mktemp("corpus")
    (folder / "env.list").write_text("# a comment\nVAR1=value1\n\nVAR2\nUSER\n")
    (folder / "labels").write_text("com.example.label1=a\n# comment\ncom.example.label2=b\n")
    net = unique("corpus-net")
    engine.network_create(
        {"Name": net, "Labels": LABELS, "IPAM": {"Config": [{"Subnet": "10.10.9.0/24"}]}}
    )
    src = unique("corpus-src")
    engine.container_create({"Image": image, "Labels": LABELS, "Volumes": {"/data": {}}}, name=src)
    yield {"image": image, "net": net, "src": src, "dir": str(folder)}
    engine.container_delete(src, force=True, v=True)
    engine.network_delete(net)


def _line(row: dict[str, str], setting: dict[str, str], name: str) -> list[str]:
    adapted = row["adapted"].format(**setting).replace("NAME", name)
    args = shlex.split(adapted)
    return [args[0], "-l", f"{LABEL}=1", *args[1:]]


@pytest.mark.skipif(DOCKER is None, reason="the docker CLI is not installed")
@pytest.mark.parametrize("row", ROWS, ids=[f"{i:02d}" for i in range(len(ROWS))])
def test_reference_line_has_the_same_effect(
    ip: Any, engine: Engine, setting: dict[str, str], row: dict[str, str]
) -> None:
    env = {
        **os.environ,
        "MYVAR1": "from-env",
        "VAR1": "value1",
        "VAR2": "value2",
        "DOCKER_HOST": "unix:///var/run/docker.sock",
    }
    cli_name, dm_name = unique("cli"), unique("dm")
    cli = subprocess.run(
        [DOCKER, *_line(row, setting, cli_name)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    saved = {k: os.environ.get(k) for k in ("MYVAR1", "VAR1", "VAR2")}
    os.environ.update(MYVAR1="from-env", VAR1="value1", VAR2="value2")
    try:
        ip.run_line_magic("docker", shlex.join(_line(row, setting, dm_name)))
        assert cli.returncode == 0, f"the CLI refused {row['adapted']}: {cli.stderr.strip()}"
        cli_info = engine.container_inspect(cli_name)
        dm_info = engine.container_inspect(dm_name)
        mine, theirs = _normalise(dm_info, dm_name), _normalise(cli_info, cli_name)
        differ = {
            f"{part}.{key}": (mine[part].get(key), theirs[part].get(key))
            for part in ("Config", "HostConfig", "Networks")
            for key in set(mine[part]) | set(theirs[part])
            if json.dumps(mine[part].get(key), sort_keys=True)
            != json.dumps(theirs[part].get(key), sort_keys=True)
        }
        if mine["Mounts"] != theirs["Mounts"]:
            differ["Mounts"] = (mine["Mounts"], theirs["Mounts"])
        assert not differ, f"{row['verbatim']}: (dockmagic, docker CLI) differ in {differ}"
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        for name in (cli_name, dm_name):
            try:
                engine.container_delete(name, force=True, v=True)
            except Exception:
                pass
        for cid in Path(setting["dir"]).glob("*.cid"):
            cid.unlink()
