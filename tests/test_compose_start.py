"""How a project comes up, judged against docker compose v2 on the same engine: services start
when their depends_on conditions hold, a failed dependency fails as compose says, secrets and
configs reach the container, a replaced container keeps its anonymous volumes, ``up`` without
-d shows the output until the containers stop, and Ctrl-C stops them."""

from __future__ import annotations

import _thread
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from dockmagic.compose import project as compose
from dockmagic.compose.model import load
from dockmagic.engine import Engine
from dockmagic.errors import DependencyFailed
from dockmagic.render.units import parse_time

from .support import unique
from .test_compose_model import CORPUS, ENVIRONMENT, compose_binary, judge


def _info(engine: Engine, name: str) -> dict[str, Any]:
    return engine.container_inspect(name)


def _moments(engine: Engine, container: str) -> tuple[float, float, float | None]:
    """When a container started and finished, and when its healthcheck first passed."""
    state = _info(engine, container)["State"]
    passed = [e["End"] for e in (state.get("Health") or {}).get("Log") or [] if e["ExitCode"] == 0]
    return (
        parse_time(state["StartedAt"]) or 0.0,
        parse_time(state["FinishedAt"]) or 0.0,
        parse_time(passed[0]) if passed else None,
    )


def test_services_start_when_their_conditions_hold(engine: Engine, image: str) -> None:
    case = CORPUS / "dependencies"
    env = {**ENVIRONMENT, "IMAGE": image}
    project = load(directory=case, environment=env)
    try:
        compose.up(engine, project, timeout=1)
        db_started, _, db_healthy = _moments(engine, "dependencies-db-1")
        migrate_started, migrate_finished, _ = _moments(engine, "dependencies-migrate-1")
        web_started, _, _ = _moments(engine, "dependencies-web-1")
        worker_started, _, _ = _moments(engine, "dependencies-worker-1")
        assert db_healthy is not None and migrate_started >= db_healthy  # service_healthy
        assert web_started >= migrate_finished > 0  # service_completed_successfully
        assert worker_started >= db_started  # service_started: after, without waiting
        assert _info(engine, "dependencies-migrate-1")["State"]["ExitCode"] == 0
    finally:
        judge(case, "down", "-v", "-t", "1", environment=env)


FAILING = """
services:
  job:
    image: {image}
    command: sh -c 'exit 3'
  sick:
    image: {image}
    command: sleep 60
    stop_grace_period: 1s
    healthcheck: {{test: ["CMD", "false"], interval: 1s, retries: 1}}
  web:
    image: {image}
    command: sleep 60
    depends_on:
      job: {{condition: service_completed_successfully}}
  api:
    image: {image}
    command: sleep 60
    depends_on:
      sick: {{condition: service_healthy}}
"""


@pytest.mark.parametrize("service", ["web", "api"])
def test_a_failed_dependency_fails_as_composes(
    service: str, engine: Engine, image: str, tmp_path: Path
) -> None:
    (tmp_path / "compose.yaml").write_text(FAILING.format(image=image))
    name = unique("dmc")
    env = {**ENVIRONMENT, "IMAGE": image}
    binary = compose_binary()
    assert binary is not None
    try:
        import subprocess

        theirs = subprocess.run(
            [binary, "-p", name, "up", "-d", service],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        # (compose 2.40.3 says so and exits 0 all the same, as its config and create do)
        assert "didn't complete" in theirs.stderr or "failed to start" in theirs.stderr
        their_state = _info(engine, f"{name}-{service}-1")["State"]["Status"]
        judge(tmp_path, "-p", name, "down", "-t", "1", environment=env)

        project = load(directory=tmp_path, name=name, environment=env)
        with pytest.raises(DependencyFailed) as failed:
            compose.up(engine, project, services=[service])
        assert str(failed.value) == theirs.stderr.strip().splitlines()[-1]
        assert _info(engine, f"{name}-{service}-1")["State"]["Status"] == their_state == "created"
    finally:
        judge(tmp_path, "-p", name, "down", "-t", "1", environment=env)


def _files(engine: Engine, container: str) -> dict[str, str]:
    from dockmagic.helpers.containers.execs import exec_

    out = {}
    for path in ("/run/secrets/token", "/etc/cert.pem", "/settings"):
        shown = exec_(container, ["sh", "-c", f"stat -c '%a %u' {path}; cat {path}"])
        out[path] = shown.stdout
    return out


def test_secrets_and_configs_reach_the_container_as_composes(engine: Engine, image: str) -> None:
    case = CORPUS / "secrets"
    env = {**ENVIRONMENT, "IMAGE": image}
    try:
        judge(case, "up", "-d", environment=env)
        theirs = _files(engine, "secrets-app-1")
        judge(case, "down", "-t", "1", environment=env)
        compose.up(engine, load(directory=case, environment=env))
        assert _files(engine, "secrets-app-1") == theirs
        assert theirs["/etc/cert.pem"] == "440 0\nabc"  # from the environment, with its mode
    finally:
        judge(case, "down", "-v", "-t", "1", environment=env)


KEEPER = """
services:
  keeper:
    image: {image}
    command: sleep 60
    stop_grace_period: 1s
    environment: {{ROUND: "${{ROUND}}"}}
    volumes: [/data]
"""


def test_a_replaced_container_keeps_its_anonymous_volume(
    engine: Engine, image: str, tmp_path: Path
) -> None:
    from dockmagic.helpers.containers.execs import exec_

    (tmp_path / "compose.yaml").write_text(KEEPER.format(image=image))
    name = unique("dmc")
    container = f"{name}-keeper-1"

    def volume() -> str:
        mounts = _info(engine, container)["Mounts"]
        return str(next(m["Name"] for m in mounts if m["Destination"] == "/data"))

    def ours(round_: str) -> None:
        env = {**ENVIRONMENT, "IMAGE": image, "ROUND": round_}
        compose.up(engine, load(directory=tmp_path, name=name, environment=env))

    first = ""
    try:
        ours("1")
        exec_(container, ["sh", "-c", "echo kept > /data/file"])
        first = volume()
        ours("2")  # the config changed: replaced, with the volume
        assert volume() == first
        env = {**ENVIRONMENT, "IMAGE": image, "ROUND": "3"}
        judge(tmp_path, "-p", name, "up", "-d", environment=env)  # compose replaces ours alike
        assert volume() == first
        ours("4")  # and ours replaces compose's
        assert volume() == first
        assert exec_(container, ["cat", "/data/file"]).stdout == "kept\n"
    finally:
        env = {**ENVIRONMENT, "IMAGE": image, "ROUND": "x"}
        judge(tmp_path, "-p", name, "down", "-v", "-t", "1", environment=env)
        # An inherited volume is mounted by its name, so the engine no longer counts it
        # anonymous: compose's down -v leaves it (compose's own project alike), and so do we.
        if first:
            engine.volume_delete(first)


TALKERS = """
services:
  first:
    image: {image}
    command: sh -c 'echo one; sleep 1; echo two >&2'
  second:
    image: {image}
    command: sh -c 'echo three; exit 2'
"""


def test_up_without_d_shows_the_output_until_all_stop(
    ip: Any, engine: Engine, image: str, capfd: pytest.CaptureFixture[str]
) -> None:
    name = unique("dmc")
    env = {**ENVIRONMENT, "IMAGE": image}
    try:
        ip.run_cell_magic("docker", f"compose -p {name} up --no-color", TALKERS.format(image=image))
        out, err = capfd.readouterr()
        lines = out.splitlines()
        assert "first-1   | one" in lines and "second-1  | three" in lines
        assert "first-1   | two" in err.splitlines()  # stderr kept apart
        assert "second-1 exited with code 2" in lines and "first-1 exited with code 0" in lines
        assert lines.index("first-1   | one") < lines.index("first-1 exited with code 0")
        ip.run_line_magic("docker", f"compose -p {name} logs -f --no-color")  # ends: all stopped
        followed = capfd.readouterr()
        assert "first-1   | one" in followed.out and "first-1   | two" in followed.err
    finally:
        judge(CORPUS, "-p", name, "down", "-t", "1", environment=env)


SLEEPER = """
services:
  sleeper:
    image: {image}
    command: sh -c 'echo ready; exec sleep 60'
    stop_grace_period: 1s
"""


def _interrupt_when(ready: Any) -> threading.Thread:
    """Ctrl-C (as the kernel sends it) once ``ready()`` holds."""

    def watch() -> None:
        deadline = time.monotonic() + 30
        while not ready() and time.monotonic() < deadline:
            time.sleep(0.1)
        _thread.interrupt_main()

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_ctrl_c_stops_an_attached_up_and_leaves_no_thread(
    ip: Any, engine: Engine, image: str
) -> None:
    name = unique("dmc")
    env = {**ENVIRONMENT, "IMAGE": image}
    container = f"{name}-sleeper-1"

    def talked() -> bool:
        try:
            return b"ready" in b"".join(bytes(c.data) for c in engine.container_logs(container))
        except Exception:
            return False

    try:
        watcher = _interrupt_when(talked)
        ip.run_cell_magic("docker", f"compose -p {name} up", SLEEPER.format(image=image))
        watcher.join()
        assert _info(engine, container)["State"]["Status"] == "exited"  # stopped, as compose
        left = [t.name for t in threading.enumerate() if t.name.startswith("dockmagic-")]
        assert not [t for t in left if "logs" in t or "compose" in t]
    finally:
        judge(CORPUS, "-p", name, "down", "-t", "1", environment=env)


HOOKED = """
services:
  hooked:
    image: {image}
    command: sleep 60
    stop_grace_period: 1s
    volumes: ["./out:/out"]
    post_start:
      - command: sh -c 'echo $$WHO > /tmp/started'
        environment: {{WHO: hook}}
    pre_stop:
      - command: sh -c 'echo bye > /out/stopped'
  failing:
    image: {image}
    command: sleep 60
    stop_grace_period: 1s
    post_start:
      - command: sh -c 'exit 4'
"""


def test_hooks_run_and_a_failing_one_fails_up(engine: Engine, image: str, tmp_path: Path) -> None:
    from dockmagic.errors import ContainerFailed
    from dockmagic.helpers.containers.execs import exec_

    (tmp_path / "compose.yaml").write_text(HOOKED.format(image=image))
    name = unique("dmc")
    env = {**ENVIRONMENT, "IMAGE": image}
    project = load(directory=tmp_path, name=name, environment=env)
    try:
        compose.up(engine, project, services=["hooked"])
        assert exec_(f"{name}-hooked-1", ["cat", "/tmp/started"]).stdout == "hook\n"
        with pytest.raises(ContainerFailed, match="failing post_start hook exited with code 4"):
            compose.up(engine, project, services=["failing"])
        compose.down(engine, name, timeout=0, project=project)
        assert (tmp_path / "out" / "stopped").read_text() == "bye\n"  # pre_stop ran first
    finally:
        judge(tmp_path, "-p", name, "down", "-t", "0", environment=env)


RESTARTING = """
services:
  db:
    image: {image}
    command: ["sleep", "60"]
    stop_grace_period: 1s
    environment: {{ROUND: "${{ROUND}}"}}
  web:
    image: {image}
    command: ["sleep", "60"]
    stop_grace_period: 1s
    depends_on:
      db: {{condition: service_started, restart: true}}
  cache:
    image: {image}
    command: ["sleep", "60"]
    stop_grace_period: 1s
    depends_on: [db]
"""


def test_depends_on_restart_as_composes(engine: Engine, image: str, tmp_path: Path) -> None:
    """``restart: true``: a dependant restarts with its dependency, by ``restart db`` and when
    ``up`` replaces db; one without it does not. Each tool, then the other."""
    (tmp_path / "compose.yaml").write_text(RESTARTING.format(image=image))
    name = unique("dmc")

    def started(service: str) -> str:
        return str(_info(engine, f"{name}-{service}-1")["State"]["StartedAt"])

    def env(round_: str) -> dict[str, str]:
        return {**ENVIRONMENT, "IMAGE": image, "ROUND": round_}

    def check(restart: Any, replace: Any) -> None:
        before = {s: started(s) for s in ("web", "cache")}
        restart()
        assert started("web") != before["web"] and started("cache") == before["cache"]
        before = {s: started(s) for s in ("web", "cache")}
        replace()
        assert started("web") != before["web"] and started("cache") == before["cache"]
        assert _info(engine, f"{name}-web-1")["State"]["Running"]

    from dockmagic.compose.project import restart

    try:
        compose.up(engine, load(directory=tmp_path, name=name, environment=env("1")))
        check(
            lambda: restart(engine, name, services=["db"], timeout=0),
            lambda: compose.up(engine, load(directory=tmp_path, name=name, environment=env("2"))),
        )
        check(
            lambda: judge(tmp_path, "-p", name, "restart", "-t", "0", "db", environment=env("2")),
            lambda: judge(tmp_path, "-p", name, "up", "-d", environment=env("3")),
        )
    finally:
        judge(tmp_path, "-p", name, "down", "-v", "-t", "1", environment=env("x"))
