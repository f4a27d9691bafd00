"""%docker compose with the compose CLI's grammar, judged by docker compose v2 on the same
engine: a project brought up from a cell is the one compose lists, finds current and takes down."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from IPython.core.error import UsageError

from dockmagic.compose import project as compose
from dockmagic.engine import Engine
from dockmagic.errors import NotFound

from .support import unique
from .test_compose_model import CORPUS, ENVIRONMENT, judge

FILE = """
services:
  web:
    image: {image}
    command: sleep 60
    ports: ["127.0.0.1::80"]
  worker:
    image: {image}
    command: sleep 60
    depends_on: [web]
    deploy:
      replicas: 2
"""


def _ids(engine: Engine, name: str) -> set[str]:
    found = engine.container_list(all=True, filters={"label": [f"{compose.PROJECT}={name}"]})
    return {c["Id"] for c in found}


def test_a_cell_comes_up_as_composes_project(
    ip: Any, engine: Engine, image: str, capsys: pytest.CaptureFixture[str]
) -> None:
    name = unique("dmc")
    cell = FILE.format(image=image)
    env = {**ENVIRONMENT, "IMAGE": image}
    try:
        ip.run_cell_magic("docker", f"compose -p {name} up -d", cell)
        said = capsys.readouterr().out
        assert f"Container {name}-web-1  Created" in said and "Started" in said
        table = ip.run_line_magic("docker", f"compose -p {name} ps")
        assert sorted(r["Names"][0].lstrip("/") for r in table) == [
            f"{name}-web-1", f"{name}-worker-1", f"{name}-worker-2"
        ]  # fmt: skip
        listed = json.loads(ip.run_line_magic("docker", "compose ls --format json"))
        assert {"Name": name, "Status": "running(3)", "ConfigFiles": ""} in listed
        printed = judge(CORPUS, "-p", name, "ps", "--format", "json", environment=env)
        rows = [json.loads(line) for line in printed.splitlines()]  # compose: an object a line
        names = [f"{name}-web-1", f"{name}-worker-1", f"{name}-worker-2"]
        assert sorted(r["Name"] for r in rows) == names
        made = _ids(engine, name)
        ip.run_cell_magic("docker", f"compose -p {name} up -d", cell)
        assert (
            "Created" not in capsys.readouterr().out and _ids(engine, name) == made
        )  # current: nothing made
    finally:
        judge(CORPUS, "-p", name, "down", "-v", "-t", "1", environment=env)
    assert _ids(engine, name) == set()  # compose's down took dockmagic's project


def test_config_prints_the_model_and_bad_input_is_one_line(ip: Any) -> None:
    out = ip.run_line_magic(
        "docker", f"compose --project-directory {CORPUS / 'basic'} config --format json"
    )
    assert json.loads(out)["services"]["web"]["command"] == ["sleep", "60"]
    for line, message in (
        ("compose", "usage: %docker compose"),
        ("compose frobnicate", "unknown compose command: frobnicate"),
        (f"compose --project-directory {CORPUS / 'basic'} up -d --pull sometimes", "--pull"),
        (f"compose --project-directory {CORPUS / 'basic'} up -d --scale web", "invalid --scale"),
    ):
        with pytest.raises(UsageError, match=message) as refused:
            ip.run_line_magic("docker", line)
        assert "\n" not in str(refused.value)


ECHO = """
services:
  talker:
    image: {image}
    command: sh -c 'echo out-line; echo err-line >&2; exec sleep 60'
    ports: ["127.0.0.1::8080"]
"""


def test_the_everyday_commands_agree_with_composes(
    ip: Any, engine: Engine, image: str, capsys: pytest.CaptureFixture[str]
) -> None:
    name = unique("dmc")
    env = {**ENVIRONMENT, "IMAGE": image}
    ip.run_cell_magic("docker", f"compose -p {name} up -d", ECHO.format(image=image))
    try:
        port = ip.run_line_magic("docker", f"compose -p {name} port talker 8080")
        assert port == judge(CORPUS, "-p", name, "port", "talker", "8080", environment=env)
        exec_ = ip.run_line_magic("docker", f"compose -p {name} exec talker echo hello")
        assert exec_.stdout == "hello\n" and exec_.exit_code == 0
        ours = ip.run_line_magic("docker", f"compose -p {name} logs --no-log-prefix")
        theirs = judge(CORPUS, "-p", name, "logs", "--no-log-prefix", "--no-color", environment=env)
        assert sorted(ours.splitlines()) == sorted(theirs.splitlines()) == ["err-line", "out-line"]
        prefixed = ip.run_line_magic("docker", f"compose -p {name} logs talker")
        theirs = judge(CORPUS, "-p", name, "logs", "--no-color", "talker", environment=env)
        assert sorted(prefixed.splitlines()) == sorted(theirs.splitlines())
        assert "talker-1  | out-line" in prefixed.splitlines()
        judge(CORPUS, "-p", name, "stop", "-t", "1", environment=env)  # compose stops dockmagic's
        stopped = ip.run_line_magic("docker", f"compose -p {name} ps -a")
        assert [r["State"] for r in stopped] == ["exited"]
        ip.run_line_magic("docker", f"compose -p {name} start")  # and dockmagic starts it again
        theirs = judge(CORPUS, "-p", name, "ps", "--format", "{{.State}}", environment=env)
        assert theirs.split() == ["running"]
        ip.run_line_magic("docker", f"compose -p {name} pause talker")
        assert judge(
            CORPUS, "-p", name, "ps", "--format", "{{.State}}", environment=env
        ).split() == ["paused"]
        ip.run_line_magic("docker", f"compose -p {name} unpause")
        capsys.readouterr()
        ip.run_line_magic("docker", f"compose -p {name} down -t 1")
        assert f"Container {name}-talker-1  Removed" in capsys.readouterr().out
        assert judge(CORPUS, "-p", name, "ps", "-a", "-q", environment=env).strip() == ""
    finally:
        judge(CORPUS, "-p", name, "down", "-v", "-t", "1", environment=env)


HEALTHY = """
services:
  web:
    image: {image}
    command: sleep 60
    healthcheck: {{test: ["CMD", "true"], interval: 1s}}
  worker:
    image: {image}
    command: sleep 60
"""


def test_scale_wait_and_orphans(
    ip: Any, engine: Engine, image: str, capsys: pytest.CaptureFixture[str]
) -> None:
    name = unique("dmc")
    env = {**ENVIRONMENT, "IMAGE": image}
    cell = HEALTHY.format(image=image)
    try:
        ip.run_cell_magic("docker", f"compose -p {name} up -d --scale worker=3 --wait", cell)
        assert f"Container {name}-web-1  Healthy" in capsys.readouterr().out
        printed = judge(CORPUS, "-p", name, "ps", "--format", "{{.Service}}", environment=env)
        assert sorted(printed.split()) == ["web", "worker", "worker", "worker"]
        alone = cell.split("  worker:")[0]  # the file without its worker service
        ip.run_cell_magic("docker", f"compose -p {name} up -d --remove-orphans", alone)
        assert f"Container {name}-worker-3  Removed (orphan)" in capsys.readouterr().out
        printed = judge(CORPUS, "-p", name, "ps", "-a", "--format", "{{.Service}}", environment=env)
        assert printed.split() == ["web"]
    finally:
        judge(CORPUS, "-p", name, "down", "-v", "-t", "1", environment=env)


ONE_OFF = """
services:
  db:
    image: {image}
    command: sleep 60
    stop_grace_period: 1s
    healthcheck: {{test: ["CMD", "true"], interval: 1s}}
  app:
    image: {image}
    command: echo from-service
    ports: ["127.0.0.1::80"]
    restart: always
    environment: {{A: "1"}}
    depends_on:
      db: {{condition: service_healthy}}
"""


def _one_offs(engine: Engine, name: str) -> list[dict[str, Any]]:
    found = engine.container_list(
        all=True, filters={"label": [f"{compose.PROJECT}={name}", f"{compose.ONEOFF}=True"]}
    )
    return [engine.container_inspect(c["Id"]) for c in found]


def _as_run(info: dict[str, Any]) -> dict[str, Any]:
    """What ``compose run`` decides about a one-off container (less what is random: the slug,
    and so the name and the config hash)."""
    labels = info["Config"]["Labels"]
    return {
        "name": info["Name"].rsplit("-", 1)[0],
        "labels": sorted(
            k for k in labels if k.startswith("com.docker.compose.") and k != compose.SLUG
        ),
        "restart": info["HostConfig"]["RestartPolicy"]["Name"],
        "ports": info["HostConfig"]["PortBindings"] or {},
        "env": sorted(info["Config"]["Env"]),
        "cmd": info["Config"]["Cmd"],
        "aliases": len(
            info["NetworkSettings"]["Networks"][f"{labels[compose.PROJECT]}_default"]["Aliases"]
        ),
    }


def test_run_makes_one_off_containers_as_composes(
    ip: Any, engine: Engine, image: str, tmp_path: Any
) -> None:
    name = unique("dmc")
    env = {**ENVIRONMENT, "IMAGE": image}
    (tmp_path / "compose.yaml").write_text(ONE_OFF.format(image=image))
    where = f"compose -p {name} --project-directory {tmp_path}"
    try:
        result = ip.run_line_magic("docker", f"{where} run --rm -e B=2 app sh -c 'echo $A $B'")
        assert result.stdout == "1 2\n" and result.exit_code == 0
        assert _one_offs(engine, name) == []  # --rm: gone
        assert engine.container_inspect(f"{name}-db-1")["State"]["Health"]["Status"] == "healthy"
        ip.run_line_magic("docker", f"{where} run -d -l x=y app sleep 30")
        judge(tmp_path, "-p", name, "run", "-d", "-l", "x=y", "app", "sleep", "30", environment=env)
        ours, theirs = sorted(
            _one_offs(engine, name),
            key=lambda i: "dockmagic.session" in i["Config"]["Labels"],
            reverse=True,
        )
        assert _as_run(ours) == _as_run(theirs)
        assert _as_run(ours)["restart"] in ("", "no") and _as_run(ours)["ports"] == {}
    finally:
        # (compose 2.40.3's down --remove-orphans leaves a running one-off now and then)
        compose.down(engine, name, timeout=0)
        judge(tmp_path, "-p", name, "down", "--remove-orphans", "-t", "0", environment=env)
    assert _one_offs(engine, name) == []  # dockmagic's down takes one-off containers too


def test_build_and_up_build_as_composes_classic_builder(
    ip: Any, engine: Engine, image: str, tmp_path: Any
) -> None:
    from .conftest import LABELS

    name = unique("dmc")
    env = {**ENVIRONMENT, "IMAGE": image, "DOCKER_BUILDKIT": "0"}
    (tmp_path / "Dockerfile").write_text(f"FROM {image}\nCOPY hello /hello\n")
    (tmp_path / "hello").write_text("built\n")
    labels = ", ".join(f"{k}: {v}" for k, v in {"a": "b", **LABELS}.items())
    (tmp_path / "compose.yaml").write_text(
        f"services:\n  app:\n    build: {{context: ., labels: {{{labels}}}}}\n"
        "    command: cat /hello\n"
    )
    where = f"compose -p {name} --project-directory {tmp_path}"
    built = f"{name}-app"
    try:
        judge(tmp_path, "-p", name, "build", environment=env)  # compose's classic builder
        theirs = engine.image_inspect(built)["Config"]["Labels"]
        engine.image_delete(built)
        ip.run_line_magic("docker", f"{where} up -d --build")
        assert engine.image_inspect(built)["Config"]["Labels"] == theirs
        info = engine.container_inspect(f"{name}-app-1")
        assert info["Config"]["Image"] == built
        assert info["Config"]["Labels"][compose.IMAGE] == engine.image_inspect(built)["Id"]
        assert ip.run_line_magic("docker", f"{where} logs --no-log-prefix") == "built\n"
        judge(tmp_path, "-p", name, "up", "-d", environment=env)  # compose finds it current
        assert engine.container_inspect(f"{name}-app-1")["Id"] == info["Id"]
        ip.run_line_magic("docker", f"{where} down --rmi local -t 0")
        with pytest.raises(NotFound):
            engine.image_inspect(built)
    finally:
        judge(tmp_path, "-p", name, "down", "-t", "0", environment=env)
        with contextlib.suppress(NotFound):
            engine.image_delete(built)


def test_top_images_cp_wait_and_events(
    ip: Any, engine: Engine, image: str, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    import time

    name = unique("dmc")
    env = {**ENVIRONMENT, "IMAGE": image}
    began = time.time()
    ip.run_cell_magic("docker", f"compose -p {name} up -d", ECHO.format(image=image))
    try:
        ours = json.loads(ip.run_line_magic("docker", f"compose -p {name} ps --format json"))
        theirs = json.loads(judge(CORPUS, "-p", name, "ps", "--format", "json", environment=env))
        for row in (ours, theirs):  # labels: from a Go map, in no set order; times move on
            row["Labels"] = set(row["Labels"].split(","))
            del row["RunningFor"], row["Status"]
        assert ours == theirs
        template = "table {{.Name}}\\t{{.Service}}\\t{{.State}}\\t{{.Project}}"
        ours_text = ip.run_line_magic("docker", f"compose -p {name} ps --format '{template}'")
        theirs_text = judge(CORPUS, "-p", name, "ps", "--format", template, environment=env)
        assert ours_text == theirs_text
        for pattern in (name[:6], "^nothing-like-it$"):
            listed = ip.run_line_magic("docker", f"compose ls -q --filter name={pattern}")
            theirs_text = judge(CORPUS, "ls", "-q", "--filter", f"name={pattern}", environment=env)
            assert set(listed.split()) == set(theirs_text.split())
        top = ip.run_line_magic("docker", f"compose -p {name} top")
        assert top.splitlines()[0] == f"{name}-talker-1" and "sleep 60" in top
        assert "PID" in top.splitlines()[1]
        images = ip.run_line_magic("docker", f"compose -p {name} images")
        theirs = judge(CORPUS, "-p", name, "images", "--format", "json", environment=env)
        assert [r["Repository"] for r in images] == [json.loads(theirs)[0]["Repository"]]
        (tmp_path / "note").write_text("hello")
        ip.run_line_magic("docker", f"compose -p {name} cp {tmp_path / 'note'} talker:/tmp/note")
        back = tmp_path / "back"
        judge(CORPUS, "-p", name, "cp", "talker:/tmp/note", str(back), environment=env)
        assert back.read_text() == "hello"  # ours copied in what compose copies out
        ip.run_line_magic("docker", f"compose -p {name} kill talker")
        assert ip.run_line_magic("docker", f"compose -p {name} wait talker") == "137\n"
        exited = ip.run_line_magic("docker", f"compose -p {name} ps --status exited talker")
        theirs = judge(
            CORPUS, "-p", name, "ps", "--status", "exited", "--format", "{{.Name}}", "talker",
            environment=env,
        )  # fmt: skip
        assert [r["Names"][0].lstrip("/") for r in exited] == theirs.split()
        capsys.readouterr()
        until = time.time() + 0.5
        ip.run_line_magic(
            "docker", f"compose -p {name} events --json --since {began} --until {until}"
        )
        actions = [json.loads(line)["action"] for line in capsys.readouterr().out.splitlines()]
        assert {"create", "start", "kill", "die"} <= set(actions)
    finally:
        judge(CORPUS, "-p", name, "down", "-t", "0", environment=env)


def test_dry_run_says_what_up_and_down_would_do_and_changes_nothing(
    ip: Any, engine: Engine, image: str, capsys: pytest.CaptureFixture[str]
) -> None:
    name = unique("dmc")
    env = {**ENVIRONMENT, "IMAGE": image}
    cell = FILE.format(image=image)
    try:
        ip.run_cell_magic("docker", f"compose -p {name} --dry-run up -d", cell)
        said = capsys.readouterr().out
        assert f"DRY-RUN MODE - Container {name}-worker-2  Started" in said
        assert _ids(engine, name) == set() and not engine.network_list(
            filters={"label": [f"{compose.PROJECT}={name}"]}
        )
        ip.run_cell_magic("docker", f"compose -p {name} up -d", cell)
        made = _ids(engine, name)
        changed = cell.replace("sleep 60\n    ports", "sleep 61\n    ports")
        ip.run_cell_magic("docker", f"compose -p {name} --dry-run up -d", changed)
        assert f"DRY-RUN MODE - Container {name}-web-1  Recreated" in capsys.readouterr().out
        ip.run_line_magic("docker", f"compose -p {name} --dry-run down")
        assert f"DRY-RUN MODE - Container {name}-web-1  Removed" in capsys.readouterr().out
        assert _ids(engine, name) == made  # nothing was changed, nothing removed
        assert {c["State"] for c in compose.containers(engine, name)} == {"running"}
    finally:
        judge(CORPUS, "-p", name, "down", "-v", "-t", "0", environment=env)
