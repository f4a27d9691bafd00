"""A swarm's own settings, its unlock key and its root CA, on a one-node swarm of an extra engine
that is restarted (a manager with autolock comes back locked), compared with the docker CLI."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from IPython.core.error import UsageError

import dockmagic.magics.commands.swarm.cluster as swarm_commands
from dockmagic.engine import Engine
from tools.extra_engines import ExtraEngine, missing

from .support import eventually, require

DOCKER = shutil.which("docker")
SETTINGS = (
    "--task-history-limit 7 --dispatcher-heartbeat 10s --cert-expiry 720h --max-snapshots 2"
    " --snapshot-interval 5000"
)
DEFAULTS = (
    "--task-history-limit 5 --dispatcher-heartbeat 5s --cert-expiry 2160h --max-snapshots 0"
    " --snapshot-interval 10000"
)


class Lone:
    """One extra engine, the only node of its swarm."""

    def __init__(self, extra: ExtraEngine, ip: Any) -> None:
        self.extra, self.ip = extra, ip
        self.engine = Engine(extra.url)
        self.said = ""  # what swarm init said

    def docker(self, line: str, cell: str | None = None) -> Any:
        if cell is not None:
            return self.ip.run_cell_magic("docker", f"--host {self.extra.url} {line}", cell)
        return self.ip.run_line_magic("docker", f"--host {self.extra.url} {line}")

    def cli(self, line: str) -> str:
        assert DOCKER
        done = subprocess.run(
            [DOCKER, "-H", self.extra.url, *line.split()],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def spec(self) -> dict[str, Any]:
        return dict(self.engine.swarm_inspect()["Spec"])

    def state(self) -> str:
        return str(self.engine.system_info()["Swarm"]["LocalNodeState"])


@pytest.fixture(scope="module")
def lone(ip: Any) -> Iterator[Lone]:
    require(missing(), "extra engines")
    extra = ExtraEngine("sw3", "10.243.0.0/16")
    try:
        extra.start()
        made = Lone(extra, ip)
        made.said = made.docker(
            "swarm init --advertise-addr 127.0.0.1 --autolock --task-history-limit 2"
        )
        yield made
        assert made.docker("swarm leave --force") == "Node left the swarm.\n"
        made.engine.close()
    finally:
        extra.stop()


def test_autolock_restart_and_unlock(lone: Lone, monkeypatch: pytest.MonkeyPatch) -> None:
    key = lone.docker("swarm unlock-key -q").strip()
    said = lone.said
    assert (
        said.startswith("Swarm initialized: current node (")
        and "docker swarm join --token SWMTKN-" in said
    )
    assert (
        key.startswith("SWMKEY-")
        and f"\n    {key}\n" in said
        and "run the `docker swarm unlock`" in said
    )
    assert lone.spec()["Orchestration"]["TaskHistoryRetentionLimit"] == 2
    assert lone.spec()["EncryptionConfig"]["AutoLockManagers"] is True

    rotated = lone.docker("swarm unlock-key --rotate")
    assert rotated.startswith("Successfully rotated manager unlock key.\n\n")
    new_key = lone.docker("swarm unlock-key -q").strip()
    assert (
        new_key != key
        and new_key in rotated
        and rotated.endswith("will not be able to restart the manager.\n")
    )

    lone.extra.restart()  # the manager comes back locked
    assert lone.state() == "locked"
    with pytest.raises(UsageError, match="invalid key") as wrong:
        lone.docker("swarm unlock", cell=key)  # the key before the rotation
    assert "\n" not in str(wrong.value) and key not in str(wrong.value)
    monkeypatch.setattr(
        swarm_commands.getpass, "getpass", lambda prompt: new_key
    )  # typed at the prompt
    assert lone.docker("swarm unlock") is None
    assert eventually(lambda: lone.state() == "active")
    with pytest.raises(UsageError, match="not locked"):
        lone.docker("swarm unlock", cell=new_key)

    assert lone.docker("swarm update --autolock=false") == "Swarm updated.\n"
    with pytest.raises(UsageError, match="no unlock key is set"):
        lone.docker("swarm unlock-key")
    turned_on = lone.docker("swarm update --autolock")
    assert (
        turned_on.startswith("Swarm updated.\nTo unlock a swarm manager") and "SWMKEY-" in turned_on
    )
    lone.docker("swarm update --autolock=false")


@pytest.mark.skipif(DOCKER is None, reason="needs the docker CLI")
def test_settings_as_the_cli_writes_them(lone: Lone) -> None:
    """The same flags through dockmagic and through the docker CLI give the same swarm spec."""
    lone.docker(f"swarm update {DEFAULTS}")
    defaults = lone.spec()
    assert lone.docker(f"swarm update {SETTINGS}") == "Swarm updated.\n"
    ours = lone.spec()
    assert (
        ours["Dispatcher"]["HeartbeatPeriod"] == 10 * 10**9
        and ours["Raft"]["KeepOldSnapshots"] == 2
    )
    lone.cli(f"swarm update {DEFAULTS}")
    assert lone.spec() == defaults
    lone.cli(f"swarm update {SETTINGS}")
    assert lone.spec() == ours
    lone.docker(f"swarm update {DEFAULTS}")
    assert lone.spec() == defaults

    with pytest.raises(UsageError, match="say what to change"):
        lone.docker("swarm update")
    for bad, says in [
        ("--dispatcher-heartbeat soon", "soon"),
        ("--max-snapshots -1", "at least 0"),
        ("--external-ca url=https://ca.example", "protocol must be cfssl"),
        ("--external-ca protocol=cfssl", "url="),
    ]:
        with pytest.raises(UsageError, match=says) as raised:
            lone.docker(f"swarm update {bad}")
        assert "\n" not in str(raised.value)


@pytest.mark.skipif(DOCKER is None, reason="needs the docker CLI")
def test_root_ca_shown_and_rotated(lone: Lone, capsys: pytest.CaptureFixture[str]) -> None:
    root = lone.docker("swarm ca")
    assert root == lone.cli("swarm ca") and root.startswith("-----BEGIN CERTIFICATE-----")
    with pytest.raises(UsageError, match="--cert-expiry changes the CA: it needs --rotate"):
        lone.docker("swarm ca --cert-expiry 100h")
    with pytest.raises(UsageError, match="needs --ca-key"):
        lone.docker("swarm ca --rotate --ca-cert /etc/hostname")

    new = lone.docker("swarm ca --rotate")
    shown = capsys.readouterr().out
    assert (
        "rotated TLS certificates" in shown
        and "1/1 nodes" in shown
        and "rotated CA certificates" in shown
    )
    assert new.startswith("-----BEGIN CERTIFICATE-----") and new != root
    assert lone.docker("swarm ca") == new == lone.cli("swarm ca")
    assert lone.docker("swarm ca --rotate -d -q") is None
    assert eventually(lambda: lone.docker("swarm ca") != new)

    external = "--external-ca protocol=cfssl,url=https://ca.example:{},team=blue"  # last: the swarm then signs there
    lone.cli(f"swarm update {external.format(8888)}")
    theirs = lone.spec()["CAConfig"]
    lone.cli(f"swarm update {external.format(9999)}")
    lone.docker(f"swarm update {external.format(8888)}")
    assert lone.spec()["CAConfig"] == theirs and theirs["ExternalCAs"][0]["Options"] == {
        "team": "blue"
    }
