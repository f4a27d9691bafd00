"""``python -m dockmagic.lab``: serve a lab, check its policy, see the class, clean up a student.

python -m dockmagic.lab serve --policy lab.yaml [--hardened [--image IMAGE]...]
python -m dockmagic.lab engine [--image IMAGE]...   (the hardened engine alone)
python -m dockmagic.lab check --policy lab.yaml
python -m dockmagic.lab status --policy lab.yaml
python -m dockmagic.lab clean --policy lab.yaml STUDENT
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from ..errors import DockerError
from .policy import load


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m dockmagic.lab", description="A teaching lab on one shared engine."
    )
    p.add_argument("action", choices=["serve", "check", "status", "clean", "engine"])
    p.add_argument("student", nargs="?", help="for clean: whose resources to remove")
    p.add_argument("--policy", help="the lab's policy file (YAML)")
    p.add_argument("--engine", default="/var/run/docker.sock", help="the engine's unix socket")
    p.add_argument(
        "--hardened", action="store_true", help="serve over a hardened engine of the lab's own"
    )
    p.add_argument(
        "--image", action="append", default=[], help="an image copied into the hardened engine"
    )
    args = p.parse_args(argv)
    if args.action != "engine" and not args.policy:
        p.error(f"{args.action} needs --policy lab.yaml")
    try:
        if args.action == "engine":
            return _engine_alone(args.engine, args.image)
        policy = load(args.policy)
        if args.action == "check":
            print(
                f"{args.policy}: {len(policy.students)} students, images {', '.join(policy.images)}"
            )
            return 0
        from .serving import serve
        from .view import clean_student, status

        if args.action == "status":
            print(status(policy, engine_socket=args.engine).to_text())
            return 0
        if args.action == "clean":
            if not args.student:
                p.error("clean needs the student's name")
            print(clean_student(args.student, engine_socket=args.engine).to_text())
            return 0
        served = serve(policy, args.engine, args.hardened, args.image)
        if served.engine is not None:
            print(
                f"the lab's engine: {served.engine.url} (network namespace {served.engine.netns})",
                flush=True,
            )
        for student in policy.students:
            print(f"{student}: DOCKER_HOST=unix://{policy.endpoint(student)}", flush=True)
        _until_stopped()
        served.close()
        return 0
    except DockerError as exc:
        print(f"dockmagic.lab: {exc}", file=sys.stderr)
        return 1


def _until_stopped() -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass


def _engine_alone(host_socket: str, images: list[str]) -> int:
    from .serving import hardened_engine

    lab = hardened_engine(host_socket, images)
    try:
        print(
            f"DOCKER_HOST={lab.url}  (the lab's engine, network namespace {lab.netns}; Ctrl-C stops it)",
            flush=True,
        )
        _until_stopped()
    finally:
        lab.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
