"""%%docker_compose: the short form of %%docker compose up -d / down, with a play's recap, on
the real engine: up, idempotent, check mode (a dry run), down; names, networks, aliases and
labels as Docker Compose v2 makes them."""

from __future__ import annotations

from typing import Any

import pytest
from IPython.core.error import UsageError

from dockmagic import Engine
from dockmagic.errors import NotFound

from .support import LABEL, unique

COMPOSE = """
services:
  db:
    image: {image}
    command: sh -c "touch /tmp/ready; sleep 3600"
    environment:
      POSTGRES_PASSWORD: example
    volumes:
      - db-data:/var/lib/data
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 1s
      retries: 20
    labels:
      {label}: "1"
  web:
    image: {image}
    command: ["sleep", "{sleep}"]
    depends_on:
      db:
        condition: service_healthy
    ports:
      - "127.0.0.1::80"
    environment:
      - DB_HOST=db
    networks: [front, default]
    deploy:
      resources:
        limits: {{cpus: "0.5", memory: 64M}}
    restart: on-failure:3
    labels: [{label}=1]
networks:
  front:
    labels: {{{label}: "1"}}
volumes:
  db-data:
    labels: {{{label}: "1"}}
"""


def test_compose_up_is_idempotent_and_down_removes(ip: Any, engine: Engine, image: str) -> None:
    project = unique("dmc")
    up = COMPOSE.format(image=image, label=LABEL, sleep=3600)
    try:
        first = ip.run_cell_magic("docker_compose", f"-p {project}", up)
        assert (
            first.recap["changed"] == 5 and first.recap["failed"] == 0
        )  # 2 networks, 1 volume, 2 services
        db, web = (engine.container_inspect(f"{project}-{s}-1") for s in ("db", "web"))
        assert (
            db["State"]["Health"]["Status"] == "healthy"
        )  # web waited for it: condition service_healthy
        assert db["Config"]["Labels"]["com.docker.compose.project"] == project
        assert db["Mounts"][0]["Name"] == f"{project}_db-data"
        networks = web["NetworkSettings"]["Networks"]
        assert set(networks) == {f"{project}_front", f"{project}_default"}
        assert "web" in networks[f"{project}_default"]["Aliases"]
        host = web["HostConfig"]
        assert (host["NanoCpus"], host["Memory"]) == (500_000_000, 64 * 1024**2)
        assert host["RestartPolicy"] == {"Name": "on-failure", "MaximumRetryCount": 3}
        assert "DB_HOST=db" in web["Config"]["Env"]

        again = ip.run_cell_magic("docker_compose", f"-p {project}", up)
        assert again.recap["changed"] == 0

        changed = COMPOSE.format(image=image, label=LABEL, sleep=3601)
        check = ip.run_cell_magic("docker_compose", f"-p {project} --check", changed)
        assert (
            check.recap["changed"] == 1
            and engine.container_inspect(f"{project}-web-1")["Id"] == web["Id"]
        )

        down = ip.run_cell_magic("docker_compose", f"-p {project} down", up)
        assert down.recap["changed"] == 4  # two containers, two networks; the volume stays
        for name in (f"{project}-db-1", f"{project}-web-1"):
            with pytest.raises(NotFound):
                engine.container_inspect(name)
        assert (
            engine.volume_inspect(f"{project}_db-data")["Labels"]["com.docker.compose.volume"]
            == "db-data"
        )
        assert (
            ip.run_cell_magic("docker_compose", f"-p {project} down -v", up).recap["changed"] == 1
        )
    finally:
        ip.run_cell_magic(
            "docker_compose",
            f"-p {project} down -v",
            COMPOSE.format(image=image, label=LABEL, sleep=1),
        )


@pytest.mark.parametrize(
    ("compose", "message"),
    [
        ("services: {a: {image: x, configs: [c]}}", "services.a.configs: undefined config 'c'"),
        ("services: {a: {image: x, depends_on: [b]}}", "services.a.depends_on: no service 'b'"),
        (
            "services: {a: {image: x, depends_on: [b]}, b: {image: x, depends_on: [a]}}",
            "a dependency cycle (a -> b -> a)",
        ),
        ("services: {a: {image: x, volumes: ['data:/d']}}", "undefined volume 'data'"),
        ("services: {a: {image: x, networks: [n]}}", "undefined network 'n'"),
        ("services: {a: {image: x, bogus: 1}}", "services.a: unknown key 'bogus'"),
        ("services: [", "the cell is not valid YAML"),
    ],
)
def test_compose_errors_are_one_line(ip: Any, compose: str, message: str) -> None:
    with pytest.raises(UsageError) as exc:
        ip.run_cell_magic("docker_compose", "-p dmc-bad", compose.replace("\\n", "\n"))
    assert message in str(exc.value) and "\n" not in str(exc.value)


def test_export_writes_a_playbook_of_the_same_project(ip: Any, image: str, tmp_path: Any) -> None:
    book = tmp_path / "site.yml"
    cell = COMPOSE.format(image=image, label=LABEL, sleep=3600)
    ip.run_cell_magic("docker_compose", f"-p dmc-export --export {book}", cell)
    import yaml

    tasks = yaml.safe_load(book.read_text())[0]["tasks"]
    web = next(t for t in tasks if t["name"] == "service web 1")[
        "community.docker.docker_container"
    ]
    db = next(t for t in tasks if t["name"] == "service db 1")["community.docker.docker_container"]
    assert web["name"] == "dmc-export-web-1" and db["state"] == "healthy"
    assert web["labels"]["com.docker.compose.config-hash"]
    assert [n["name"] for n in web["networks"]] == ["dmc-export_default", "dmc-export_front"]
    assert web["restart_policy"] == "on-failure" and web["restart_retries"] == 3
    hooked = "services: {a: {image: x, post_start: [{command: [date]}]}}"
    with pytest.raises(UsageError) as refused:
        ip.run_cell_magic("docker_compose", f"-p dmc-export --export {book}", hooked)
    assert "post_start: docker_container runs no hooks" in str(refused.value)
