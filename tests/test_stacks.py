"""%docker stack: a Compose file on a one-node swarm of an extra engine, deployed by the docker CLI
and by dockmagic in turn: the same services, networks, secrets and configs either way, each able to
update the other's, and stack ls / services / ps / rm as the CLI shows them."""

from __future__ import annotations

import difflib
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from IPython.core.error import UsageError

from dockmagic.engine import Engine
from dockmagic.errors import OptionError
from dockmagic.helpers.engines.labels import unstamped
from dockmagic.helpers.images.busybox import lab_image
from dockmagic.options.swarm.composefile import interpolated
from tools.extra_engines import ExtraEngine, missing

from .support import IMAGE, LABELS, eventually, require

DOCKER = shutil.which("docker")
COMPOSE = """
services:
  web:
    image: {image}
    command: sh -c 'echo "$$GREETING"; sleep 600'
    environment:
      GREETING: hello
      EMPTY:
    env_file: [{dir}/web.env]
    labels: [dockmagic.test=1]
    ports: ["8080:80", {{target: 81, published: 8081, protocol: udp}}]
    hostname: "web-host"
    stop_grace_period: 1s
    healthcheck: {{test: "true", interval: 2s, retries: 3}}
    networks:
      front: {{aliases: [www]}}
    deploy:
      replicas: 2
      labels: {{tier: front}}
      resources: {{limits: {{cpus: "0.5", memory: 64M}}, reservations: {{memory: 16M}}}}
      restart_policy: {{condition: on-failure, max_attempts: 3}}
      update_config: {{parallelism: 2, delay: 1s, order: start-first}}
      placement: {{constraints: [node.role == manager], max_replicas_per_node: 5}}
  worker:
    image: {image}
    command: ["sleep", "600"]
    container_name: ignored
    user: "1000"
    working_dir: /tmp
    init: true
    volumes:
      - data:/data
      - {dir}:/host:ro
      - {{type: tmpfs, target: /scratch, tmpfs: {{size: 1048576}}}}
    secrets: [token, {{source: token, target: /etc/token2, mode: 0400}}]
    configs: [{{source: settings, target: /etc/settings.ini}}]
    extra_hosts: ["db.local:10.0.0.9"]
    stop_grace_period: 1s
networks:
  front: {{attachable: true, labels: {{dockmagic.test: "1"}}}}
volumes:
  data: {{labels: {{dockmagic.test: "1"}}}}
secrets:
  token: {{file: {dir}/token.txt, labels: {{dockmagic.test: "1"}}}}
configs:
  settings: {{file: {dir}/settings.ini}}
"""


class Lone:
    def __init__(self, extra: ExtraEngine, ip: Any) -> None:
        self.extra, self.ip = extra, ip
        self.engine = Engine(extra.url)

    def docker(self, line: str, cell: str | None = None) -> Any:
        if cell is not None:
            return self.ip.run_cell_magic("docker", f"--host {self.extra.url} {line}", cell)
        return self.ip.run_line_magic("docker", f"--host {self.extra.url} {line}")

    def cli(self, *args: str) -> str:
        assert DOCKER
        done = subprocess.run(
            [DOCKER, "-H", self.extra.url, *args], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def snapshot(self, stack: str) -> dict[str, Any]:
        """The stack as the engine keeps it, without what differs between any two deploys (ids,
        versions, times, the session's labels)."""
        of = {"label": [f"com.docker.stack.namespace={stack}"]}
        named = {n["Id"]: n["Name"] for n in self.engine.network_list()}
        services = {}
        for s in self.engine.service_list(filters=of, status=False):
            spec = s["Spec"]
            spec["Labels"] = unstamped(spec.get("Labels"))
            container = spec["TaskTemplate"]["ContainerSpec"]
            for kind in (
                "Secrets",
                "Configs",
            ):  # the CLI orders two references to one secret at random
                for ref in container.get(kind) or []:
                    ref.pop("SecretID", None), ref.pop("ConfigID", None)
                container.get(kind, []).sort(key=lambda r: json.dumps(r, sort_keys=True))
            for attached in (
                spec["TaskTemplate"].get("Networks") or []
            ):  # the engine keeps the network's ID
                attached["Target"] = named.get(attached["Target"], attached["Target"])
            services[spec["Name"]] = spec
        networks = {
            n["Name"]: {k: n.get(k) for k in ("Driver", "Scope", "Attachable", "Internal")}
            | {"Labels": unstamped(n.get("Labels")), "Options": _chosen_by_engine(n.get("Options"))}
            for n in self.engine.network_list(filters=of)
        }
        stored = {
            f"{kind} {o['Spec']['Name']}": unstamped(o["Spec"].get("Labels"))
            for kind in ("secret", "config")
            for o in getattr(self.engine, f"{kind}_list")(filters=of)
        }
        return {"services": services, "networks": networks, "stored": stored}

    def gone(self, stack: str) -> bool:
        return self.snapshot(stack) == {"services": {}, "networks": {}, "stored": {}}


@pytest.fixture(scope="module")
def lone(ip: Any) -> Iterator[Lone]:
    require(missing(), "extra engines")
    extra = ExtraEngine("sw4", "10.244.0.0/16")
    try:
        lab_image(IMAGE, labels=LABELS, engine=extra.start())
        made = Lone(extra, ip)
        made.docker("swarm init --advertise-addr 127.0.0.1")
        yield made
        made.docker("swarm leave --force")
        made.engine.close()
    finally:
        extra.stop()


@pytest.fixture
def compose(tmp_path: Path) -> Path:
    (tmp_path / "web.env").write_text("FROM_FILE=1\nGREETING=overridden\n")
    (tmp_path / "token.txt").write_text("s3cret\n")
    (tmp_path / "settings.ini").write_text("[settings]\n")
    path = tmp_path / "compose.yml"
    path.write_text(COMPOSE.format(image=IMAGE, dir=tmp_path))
    return path


def _chosen_by_engine(options: dict[str, str] | None) -> dict[str, str]:
    return {
        k: x
        for k, x in (options or {}).items()
        if k != "com.docker.network.driver.overlay.vxlanid_list"
    }


def _diff(a: Any, b: Any) -> str:
    return "\n".join(
        difflib.unified_diff(
            json.dumps(a, indent=1, sort_keys=True).splitlines(),
            json.dumps(b, indent=1, sort_keys=True).splitlines(),
            "the CLI's",
            "dockmagic's",
            lineterm="",
        )
    )


@pytest.mark.skipif(DOCKER is None, reason="needs the docker CLI")
def test_the_cli_and_dockmagic_deploy_the_same_stack(
    lone: Lone, compose: Path, capsys: Any
) -> None:
    lone.cli("stack", "deploy", "--resolve-image", "never", "-c", str(compose), "lab")
    theirs = lone.snapshot("lab")
    assert set(theirs["services"]) == {"lab_web", "lab_worker"}
    lone.cli("stack", "rm", "lab")
    assert eventually(lambda: lone.gone("lab"), limit=30)

    lone.docker(f"stack deploy --resolve-image never -c {compose} lab")
    said = capsys.readouterr()
    assert "Creating network lab_front" in said.out and "Creating service lab_worker" in said.out
    assert "Ignoring unsupported options: container_name" in said.err
    ours = lone.snapshot("lab")
    assert ours == theirs, _diff(theirs, ours)

    versions = {s["ID"]: s["Version"]["Index"] for s in lone.engine.service_list()}
    lone.cli(
        "stack", "deploy", "--resolve-image", "never", "-c", str(compose), "lab"
    )  # the CLI on ours
    assert lone.snapshot("lab") == ours
    lone.docker(f"stack deploy --resolve-image never -c {compose} lab")  # and ours again
    assert lone.snapshot("lab") == ours
    assert "Updating service lab_web (id: " in capsys.readouterr().out
    assert all(
        s["Version"]["Index"] > versions[s["ID"]] for s in lone.engine.service_list()
    )  # updated in place

    # the worker's secrets, configs and mounts work (the CLI's redeploy may have rolled it: its order
    # of two references to one secret is random)
    assert eventually(
        lambda: (
            _settled(lone) and (_running(lone, "lab_web"), _running(lone, "lab_worker")) == (2, 1)
        ),
        limit=60,
    )
    assert len([t for t in lone.docker("stack ps lab") if t["DesiredState"] == "running"]) == 3
    for line in ("stack ls", "stack services lab"):  # once settled: REPLICAS is the same for both
        ours_text = lone.docker(line).to_text()
        assert ours_text.split() == lone.cli(*line.split()).split(), line


def _settled(lone: Lone) -> bool:
    """No rolling update of any service under way."""
    return all(
        (s.get("UpdateStatus") or {}).get("State") != "updating" for s in lone.engine.service_list()
    )


def _running(lone: Lone, service: str) -> int:
    tasks = lone.engine.task_list(filters={"service": [service], "desired-state": ["running"]})
    return sum(t["Status"]["State"] == "running" for t in tasks)


def test_prune_update_and_remove(lone: Lone, compose: Path, capsys: Any) -> None:
    lone.docker(f"stack deploy -q --resolve-image never -c {compose} lab")
    smaller = (
        f"services:\n  web:\n    image: {IMAGE}\n    command: sleep 600\n    deploy: {{replicas: 1}}\n"
        "    networks: [front]\nnetworks:\n  front: {attachable: true}\n"
    )
    said = lone.docker("stack deploy --prune --resolve-image never lab", cell=smaller)
    assert said is None
    out = capsys.readouterr().out
    assert "Removing service lab_worker" in out and "Updating service lab_web" in out
    assert lone.engine.service_inspect("lab_web")["Spec"]["Mode"]["Replicated"]["Replicas"] == 1
    removed = lone.docker("stack rm lab")
    assert "Removing service lab_web" in removed and "Removing network lab_front" in removed
    assert "Removing secret lab_token" in removed and "Removing config lab_settings" in removed
    assert eventually(lambda: lone.gone("lab"), limit=30)
    with pytest.raises(UsageError, match="nothing found in stack: lab"):
        lone.docker("stack services lab")


def test_bad_compose_files_are_one_line(lone: Lone, tmp_path: Path) -> None:
    for text, says in [
        ("services: {web: {build: .}}", "needs an image"),
        (
            "services: {web: {image: x, frobnicate: 1}}",
            "keys not supported by stack deploy: frobnicate",
        ),
        ("services: {web: {image: x, mem_limit: 1g}}", "use deploy.resources.limits.memory"),
        ("services: {web: {image: x, networks: [nowhere]}}", "undefined network 'nowhere'"),
        ("services: {web: {image: x, secrets: [nope]}}", "undefined secret 'nope'"),
        ("services: {web: {image: x, deploy: {mode: global, replicas: 2}}}", "replicas goes with"),
        ("services: [", "not valid YAML"),
    ]:
        with pytest.raises(UsageError, match=says) as raised:
            lone.docker("stack deploy bad", cell=text)
        assert "\n" not in str(raised.value)
    with pytest.raises(UsageError, match="cannot read the compose file"):
        lone.docker(f"stack deploy -c {tmp_path / 'none.yml'} bad")
    with pytest.raises(UsageError, match="not a swarm manager"):
        lone.ip.run_cell_magic(
            "docker", "stack deploy bad", "services: {web: {image: x}}"
        )  # the local engine


def test_variables_are_substituted_as_the_cli_does() -> None:
    env = {"TAG": "1.2", "EMPTY": ""}
    given = {
        "services": {
            "web": {"image": "app:${TAG}", "command": "echo $$HOME ${EMPTY:-none} ${EMPTY-kept}"}
        }
    }
    assert interpolated(given, env)["services"]["web"] == {
        "image": "app:1.2",
        "command": "echo $HOME none ",
    }
    with pytest.raises(OptionError, match="required variable NEEDED is missing a value: set it"):
        interpolated("${NEEDED:?set it}", env)
