"""%docker lab serve, status, clean, stop: the instructor's side of a teaching lab, from a notebook."""

from __future__ import annotations

import argparse
from typing import Any

from ..argv import CommandError, Parser
from .registry import Context, Handler, command

_served: dict[str, Any] = {}  # the proxy this kernel serves, if any


@command(
    "lab serve", "dockmagic: serve a lab: each student of the policy gets an endpoint of their own."
)
def _serve(p: Parser) -> Handler:
    p.add_argument("--policy", required=True, help="the lab's policy file (YAML)")
    p.add_argument("--engine", default="/var/run/docker.sock", help="the engine's unix socket")
    p.add_argument(
        "--hardened",
        action="store_true",
        help="over a hardened engine of the lab's own (needs root)",
    )
    p.add_argument(
        "--image", action="append", default=[], help="an image copied into the hardened engine"
    )

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        from ...lab.policy import load
        from ...lab.serving import serve

        if _served:
            raise CommandError("a lab is served already: %docker lab stop first")
        policy = load(a.policy)
        served = _served["proxy"] = serve(policy, a.engine, a.hardened, a.image)
        if served.engine is not None:
            print(
                f"the lab's engine: {served.engine.url} (network namespace {served.engine.netns})"
            )
        for student in policy.students:
            print(f"{student}: DOCKER_HOST=unix://{policy.endpoint(student)}")
        return None

    return handle


@command(
    "lab status",
    "dockmagic: the class: each student's containers, running, CPU, memory, last activity.",
)
def _status(p: Parser) -> Handler:
    p.add_argument("--policy", help="the lab's policy (when this kernel does not serve it)")
    p.add_argument("--plot", action="store_true", help="CPU and memory per student as a figure")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        from ...lab.policy import load
        from ...lab.view import plot, status

        served = _served.get("proxy")
        if served is None and not a.policy:
            raise CommandError("no lab is served here: give --policy lab.yaml")
        if served is None:
            table = status(load(a.policy))
        else:
            table = status(served.proxy.policy, served.proxy, engine_socket=served.engine_socket)
        return plot(table) if a.plot else table

    return handle


@command("lab clean", "dockmagic: remove a student's containers, networks and volumes.")
def _clean(p: Parser) -> Handler:
    p.add_argument("student")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        from ...lab.view import clean_student

        served = _served.get("proxy")
        return (
            clean_student(a.student, engine_socket=served.engine_socket)
            if served
            else clean_student(a.student)
        )

    return handle


@command("lab stop", "dockmagic: stop serving the lab (the students' endpoints close).")
def _stop(p: Parser) -> Handler:
    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        served = _served.pop("proxy", None)
        if served is None:
            raise CommandError("no lab is served here")
        served.close()
        print("the lab is closed")
        return None

    return handle
