"""Modules against the real engine, the community.docker way: create (changed) -> again (ok) ->
change (changed) -> remove (changed) -> remove again (ok), each step also in check mode, which
reports the change and changes nothing (verified on the engine)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from dockmagic import modules
from dockmagic.engine import Engine
from dockmagic.errors import NotFound
from dockmagic.modules.export import to_playbook
from dockmagic.modules.play import play

from .support import LABEL, LABELS, unique


def step(
    fn: Callable[..., Any], snapshot: Callable[[], Any], expect_changed: bool, **kwargs: Any
) -> Any:
    """Check mode first (same verdict, engine untouched), then for real."""
    before = snapshot()
    checked = fn(**kwargs, check_mode=True, diff=True)
    assert checked.changed is expect_changed and not checked.failed, checked
    assert snapshot() == before, "check mode changed the engine"
    real = fn(**kwargs, diff=True)
    assert real.changed is expect_changed and not real.failed, real
    return real


def inspect_or_none(fn: Callable[[str], Any], name: str) -> Any:
    try:
        return fn(name)
    except NotFound:
        return None


@pytest.fixture
def name(engine: Engine) -> Iterator[str]:
    n = unique("mod")
    yield n
    for remove in (
        lambda: engine.container_delete(n, force=True),
        lambda: engine.network_delete(n),
        lambda: engine.volume_delete(n),
    ):
        try:
            remove()
        except NotFound:
            pass


def test_container_lifecycle(engine: Engine, image: str, name: str) -> None:
    def snap() -> Any:
        info = inspect_or_none(engine.container_inspect, name)
        return info and (
            info["Id"],
            info["State"]["Status"],
            info["HostConfig"]["Memory"],
            info["Config"]["Env"],
        )

    base = {
        "name": name,
        "image": image,
        "command": "sleep 300",
        "env": {"A": "1"},
        "labels": LABELS,
        "ports": ["127.0.0.1:18080:80", "9090:90/udp"],
    }
    created = step(modules.container, snap, True, **base)
    assert created.actions == ["create", "start"] and created.facts["container"]["State"]["Running"]
    step(modules.container, snap, False, **base)
    updated = step(
        modules.container, snap, True, **{**base, "memory": "64m", "restart_policy": "on-failure:2"}
    )
    assert updated.actions == ["update memory, restart_policy in place"]
    assert engine.container_inspect(name)["Id"] == created.facts["container"]["Id"]  # not recreated
    changed = step(modules.container, snap, True, **{**base, "env": {"A": "2"}, "memory": "64m"})
    assert changed.actions[0] == "recreate (env)" and changed.diff["after"]["env"]["A"] == "2"
    step(modules.container, snap, True, **{**base, "env": {"A": "2"}, "state": "stopped"})
    step(modules.container, snap, False, **{**base, "env": {"A": "2"}, "state": "stopped"})
    step(modules.container, snap, True, name=name, state="absent")
    step(modules.container, snap, False, name=name, state="absent")


def test_container_idempotent_despite_engine_normalisation(
    engine: Engine, image: str, name: str
) -> None:
    # No command: the image's; network_mode default == bridge; ports without a host IP; image env merged.
    args = {
        "name": name,
        "image": image,
        "network_mode": "default",
        "ports": ["18081:81"],
        "env": {"B": "1"},
        "labels": LABELS,
        "restart_policy": "no",
        "entrypoint": ["sh", "-c"],
        "command": ["sleep 300"],
    }
    assert modules.container(**args).changed
    again = modules.container(**args, diff=True)
    assert not again.changed, again.diff
    assert not modules.container(
        name=name, image=image, labels={LABEL: "1"}
    ).changed  # fewer options: still ok


def test_container_networks_in_place(engine: Engine, image: str, name: str) -> None:
    net = unique("net")
    engine.network_create({"Name": net, "Labels": LABELS})
    try:
        modules.container(name=name, image=image, command="sleep 300", labels=LABELS)
        cid = engine.container_inspect(name)["Id"]
        connected = modules.container(
            name=name, image=image, command="sleep 300", labels=LABELS, networks=["bridge", net]
        )
        assert (
            connected.actions == [f"connect {net}"] and engine.container_inspect(name)["Id"] == cid
        )
        assert not modules.container(
            name=name, image=image, command="sleep 300", labels=LABELS, networks=["bridge", net]
        ).changed
        # as community.docker: more networks than asked for are fine, unless compared strictly
        kept = modules.container(
            name=name, image=image, command="sleep 300", labels=LABELS, networks=[{"name": net}]
        )
        assert not kept.changed
        strict = {"networks": "strict"}
        dropped = modules.container(
            name=name,
            image=image,
            command="sleep 300",
            labels=LABELS,
            networks=[net],
            comparisons=strict,
        )
        assert dropped.actions == ["disconnect bridge"]
        aliased = modules.container(
            name=name,
            image=image,
            command="sleep 300",
            labels=LABELS,
            networks=[{"name": net, "aliases": ["db"]}],
        )
        assert (
            aliased.actions == [f"reconnect {net}"] and engine.container_inspect(name)["Id"] == cid
        )
        endpoint = engine.container_inspect(name)["NetworkSettings"]["Networks"][net]
        assert "db" in endpoint["Aliases"]
    finally:
        engine.container_delete(name, force=True)
        engine.network_delete(net)


def test_container_healthy(engine: Engine, image: str, name: str) -> None:
    r = modules.container(
        name=name,
        image=image,
        command="sleep 300",
        labels=LABELS,
        state="healthy",
        healthcheck={"test": "true", "interval": "1s", "retries": 3},
        healthy_timeout=30,
    )
    assert r.changed and engine.container_inspect(name)["State"]["Health"]["Status"] == "healthy"
    with pytest.raises(modules.ModuleError, match="not healthy after"):
        modules.container(
            name=name + "-sick",
            image=image,
            command="sleep 300",
            labels=LABELS,
            state="healthy",
            healthcheck={"test": "false", "interval": "1s", "retries": 30},
            healthy_timeout=2,
        )
    engine.container_delete(name + "-sick", force=True)


def test_image_module(engine: Engine, image: str) -> None:
    tag = f"dockmagic-test/mod:{unique()}"

    def snap() -> Any:
        return (inspect_or_none(engine.image_inspect, tag) or {}).get("Id")

    spec = {
        "name": tag,
        "source": "build",
        "build": {"dockerfile_text": f"FROM {image}\nRUN echo x > /x\n", "labels": LABELS},
    }
    step(modules.image, snap, True, **spec)
    step(modules.image, snap, False, **spec)
    step(modules.image, snap, True, name=tag, state="absent")
    step(modules.image, snap, False, name=tag, state="absent")
    with pytest.raises(modules.ModuleError, match="source=local"):
        modules.image(name=tag, source="local")


def test_network_module(engine: Engine, image: str, name: str) -> None:
    def snap() -> Any:
        info = inspect_or_none(engine.network_inspect, name)
        return info and (info["Id"], sorted(info.get("Containers") or {}))

    base = {"name": name, "labels": LABELS, "subnets": ["10.232.0.0/24"]}
    step(modules.network, snap, True, **base)
    step(modules.network, snap, False, **base)
    changed = step(modules.network, snap, True, **{**base, "subnets": ["10.233.0.0/24"]})
    assert changed.actions == ["recreate (subnets)"]
    holder = unique()
    engine.container_create({"Image": image, "Cmd": ["sleep", "60"], "Labels": LABELS}, name=holder)
    try:
        step(
            modules.network,
            snap,
            True,
            **{**base, "subnets": ["10.233.0.0/24"], "connected": [holder]},
        )
        step(
            modules.network,
            snap,
            False,
            **{**base, "subnets": ["10.233.0.0/24"], "connected": [holder]},
        )
    finally:
        engine.container_delete(holder, force=True)
    step(modules.network, snap, True, name=name, state="absent")
    step(modules.network, snap, False, name=name, state="absent")


def test_volume_module(engine: Engine, name: str) -> None:
    def snap() -> Any:
        info = inspect_or_none(engine.volume_inspect, name)
        return info and (info["CreatedAt"], info.get("Options"))

    step(modules.volume, snap, True, name=name, labels=LABELS)
    step(modules.volume, snap, False, name=name, labels=LABELS)
    opts = {"type": "tmpfs", "device": "tmpfs", "o": "size=10m"}
    kept = modules.volume(name=name, labels=LABELS, options=opts)
    assert not kept.changed and "recreate=never keeps it" in kept.warnings[0]
    step(
        modules.volume,
        snap,
        True,
        name=name,
        labels=LABELS,
        options=opts,
        recreate="options-changed",
    )
    step(
        modules.volume,
        snap,
        False,
        name=name,
        labels=LABELS,
        options=opts,
        recreate="options-changed",
    )
    step(modules.volume, snap, True, name=name, state="absent")
    step(modules.volume, snap, False, name=name, state="absent")


def test_copy_into_and_exec(engine: Engine, image: str, name: str) -> None:
    modules.container(name=name, image=image, command="sleep 300", labels=LABELS)

    def snap() -> Any:
        try:
            st = engine.container_archive_info(name, "/tmp/conf")
        except NotFound:
            return None
        return st["size"], st["mode"], b"".join(engine.container_archive(name, "/tmp/conf")[1])

    step(
        modules.copy_into,
        snap,
        True,
        container=name,
        path="/tmp/conf",
        content="a=1\n",
        mode="0600",
    )
    step(
        modules.copy_into,
        snap,
        False,
        container=name,
        path="/tmp/conf",
        content="a=1\n",
        mode="0600",
    )
    assert step(
        modules.copy_into,
        snap,
        True,
        container=name,
        path="/tmp/conf",
        content="a=2\n",
        mode="0600",
    ).actions == ["write (content)"]
    step(
        modules.copy_into,
        snap,
        True,
        container=name,
        path="/tmp/conf",
        content="a=2\n",
        mode="0644",
    )
    owned = modules.copy_into(
        container=name, path="/tmp/conf", content="a=2\n", mode="0644", owner="65534:65534"
    )
    assert (
        owned.changed
        and not modules.copy_into(
            container=name, path="/tmp/conf", content="a=2\n", mode="0644", owner="65534:65534"
        ).changed
    )

    def marker() -> Any:
        return inspect_or_none(lambda p: engine.container_archive_info(name, p), "/tmp/marker")

    step(
        modules.exec_module,
        marker,
        True,
        container=name,
        command="touch /tmp/marker",
        creates="/tmp/marker",
    )
    step(
        modules.exec_module,
        marker,
        False,
        container=name,
        command="touch /tmp/marker",
        creates="/tmp/marker",
    )
    step(
        modules.exec_module,
        marker,
        True,
        container=name,
        command="rm /tmp/marker",
        removes="/tmp/marker",
    )
    step(
        modules.exec_module,
        marker,
        False,
        container=name,
        command="rm /tmp/marker",
        removes="/tmp/marker",
    )
    failing = modules.exec_module(container=name, command="sh -c 'echo broken >&2; exit 4'")
    assert failing.failed and "exited with code 4: broken" in failing.msg


def test_prune_module(engine: Engine, image: str) -> None:
    marker = unique()
    engine.container_create(
        {"Image": image, "Cmd": ["true"], "Labels": {**LABELS, "dockmagic.prune": marker}}
    )
    flt = {"label": [f"dockmagic.prune={marker}"]}
    assert modules.prune(containers=True, filters=flt).changed
    assert not modules.prune(containers=True, filters=flt).changed


PLAY = """
- name: volume for the app
  volume: {name: "{{ prefix }}-data", labels: {dockmagic.test: "1"}}
- name: app
  container:
    name: "{{ prefix }}-app"
    image: "{{ image }}"
    command: sleep 300
    volumes: ["{{ prefix }}-data:/data"]
    labels: {dockmagic.test: "1"}
  register: app
- name: seed data once
  exec: {container: "{{ prefix }}-app", command: "sh -c 'echo seeded > /data/seed'", creates: /data/seed}
  when: app.changed
- name: config files
  copy_into: {container: "{{ prefix }}-app", path: "/tmp/{{ item }}.conf", content: "{{ item }}\\n"}
  loop: [alpha, beta]
- name: an expected failure
  exec: {container: "{{ prefix }}-app", command: "false"}
  ignore_errors: true
"""


def test_play_twice_then_changed(engine: Engine, image: str, capsys: Any) -> None:
    prefix = unique("play")
    names = {"prefix": prefix, "image": image}
    try:
        first = play(PLAY, vars=names)
        assert (
            first.recap == {"ok": 0, "changed": 5, "failed": 1, "skipped": 0} and not first.failed
        )
        assert "PLAY RECAP  ok=0  changed=5  failed=1  skipped=0" in capsys.readouterr().out
        second = play(PLAY, vars=names, show=False)
        assert second.recap == {"ok": 4, "changed": 0, "failed": 1, "skipped": 1}
        checked = play(
            PLAY.replace("sleep 300", "sleep 301"), vars=names, check=True, diff=True, show=False
        )
        assert (
            checked.tasks[1].status == "changed"
            and "command" in checked.tasks[1].result.diff["after"]
        )
        assert engine.container_inspect(f"{prefix}-app")["Config"]["Cmd"] == ["sleep", "300"]
        assert "changed: [app] => recreate (command)" in repr(checked)
        html = checked._repr_html_()
        assert "PLAY RECAP" in html and "#b26a00" in html
    finally:
        play(
            f"""
- container: {{name: {prefix}-app, state: absent}}
- volume: {{name: {prefix}-data, state: absent}}
""",
            show=False,
        )


def test_a_failing_task_stops_the_play(engine: Engine) -> None:
    result = play(
        "- name: broken\n  container: {name: x-nope, state: wrong}\n- name: never\n  volume: {name: v}\n",
        show=False,
    )
    assert result.failed and result.failed_task == "broken" and len(result.tasks) == 1
    assert "state must be started, present" in (
        result.tasks[0].result.msg if result.tasks[0].result else ""
    )


def test_bad_plays_are_clear() -> None:
    with pytest.raises(modules.ModuleError, match="not valid YAML"):
        play("- name: [unclosed", show=False)
    with pytest.raises(modules.ModuleError, match="exactly one module key"):
        play("- name: x\n  frobnicate: {}\n", show=False)
    undefined = play("- volume: {name: '{{ nope }}'}\n", show=False)
    assert undefined.failed and "undefined variable 'nope'" in undefined.tasks[0].result.msg
    sneaky = play("- volume: {name: \"{{ __import__('os').system('true') }}\"}\n", show=False)
    assert sneaky.failed and "unsupported in an expression" in sneaky.tasks[0].result.msg


def test_export_to_ansible(tmp_path: Path) -> None:
    text = to_playbook(PLAY)
    assert (
        "community.docker.docker_container:" in text and "community.docker.docker_volume:" in text
    )
    assert (
        "volume_name: '{{ prefix }}-data'" in text and "register: app" in text and "loop:" in text
    )
    assert "# task 'seed data once': dockmagic option 'creates' has no counterpart" in text


def test_play_magic(engine: Engine, image: str, tmp_path: Path, ip: Any) -> None:
    from IPython.core.error import UsageError

    vol = unique("vol")
    cell = f"- volume: {{name: {vol}, labels: {{{LABEL}: '1'}}}}\n"
    assert ip.run_cell_magic("docker_play", "--check", cell).recap["changed"] == 1
    assert ip.run_cell_magic("docker_play", "", cell).recap["changed"] == 1
    assert ip.run_cell_magic("docker_play", "--diff", cell).recap["ok"] == 1
    ip.run_cell_magic("docker_play", f"--export {tmp_path}/site.yml", cell)
    assert "community.docker.docker_volume" in (tmp_path / "site.yml").read_text()
    with pytest.raises(UsageError, match=r"task \[boom\] failed"):
        ip.run_cell_magic(
            "docker_play", "", "- name: boom\n  image: {name: nope/nope:1, source: local}\n"
        )
    engine.volume_delete(vol)


@pytest.mark.parametrize(
    ("task", "message"),
    [
        (
            {"container": {"name": "x", "image": "i", "memory": "lots"}},
            "memory: invalid size 'lots'",
        ),
        (
            {"container": {"name": "x", "image": "i", "comand": "ls"}},
            "unknown option 'comand' (did you mean 'command'?)",
        ),
        ({"container": {"name": "x", "image": "i", "env": [{"a": 1}]}}, "env: invalid env"),
        (
            {"container": {"name": "x", "image": "i", "mounts": [{"src": "a", "target": "/b"}]}},
            "unknown mounts key(s) src",
        ),
        (
            {"container": {"name": "x", "image": "i", "networks": [{"nam": "a"}]}},
            "a network is {name, aliases",
        ),
        (
            {"container": {"name": "x", "image": "i", "cleanup": True}},
            "cleanup=True is not supported by dockmagic",
        ),
        ({"container": {"image": "i"}}, "container needs name"),
        ({"network": {"name": "n", "foo": 1}}, "unknown option 'foo' for network"),
        (
            {"network": {"name": "n", "ipam_config": [{"subnett": "x"}]}},
            "unknown ipam_config key(s) subnett",
        ),
        ({"copy_into": {"container": "x"}}, "copy_into needs the path inside the container"),
        ({"docker_frobnicate": {}}, "needs exactly one module key"),
    ],
)
def test_a_bad_task_is_one_line_naming_it(
    engine: Engine, task: dict[str, Any], message: str
) -> None:
    """Checked before any request; the task's name, the option and the expected form in one line."""
    if "docker_frobnicate" in task:
        with pytest.raises(modules.ModuleError, match="needs exactly one module key"):
            play([{"name": "t", **task}], show=False)
        return
    result = play([{"name": "the task", **task}], show=False)
    line = result.tasks[0].line(False)
    assert (
        result.failed
        and line.startswith("failed: [the task]")
        and message in line
        and "\n" not in line
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"loop": 5}, "loop takes a list"),
        ({"register": ["r"]}, "register takes a variable name"),
        ({"ignore_errors": "maybe"}, "ignore_errors is true or false"),
    ],
)
def test_a_task_s_own_keys_are_checked_first(extra: dict[str, Any], message: str) -> None:
    with pytest.raises(modules.ModuleError, match=message):
        play([{"name": "t", "container": {"name": "x", "state": "absent"}, **extra}], show=False)
