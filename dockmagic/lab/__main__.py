"""``python -m dockmagic.lab``: serve a lab, check its policy, see the class, clean up a student.

python -m dockmagic.lab serve --policy lab.yaml
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
    p = argparse.ArgumentParser(prog="python -m dockmagic.lab", description="A teaching lab on one shared engine.")
    p.add_argument("action", choices=["serve", "check", "status", "clean"])
    p.add_argument("student", nargs="?", help="for clean: whose resources to remove")
    p.add_argument("--policy", required=True, help="the lab's policy file (YAML)")
    p.add_argument("--engine", default="/var/run/docker.sock", help="the engine's unix socket")
    args = p.parse_args(argv)
    try:
        policy = load(args.policy)
        if args.action == "check":
            print(f"{args.policy}: {len(policy.students)} students, images {', '.join(policy.images)}")
            return 0
        from .proxy import LabProxy
        from .view import clean_student, status

        if args.action == "status":
            print(status(policy, engine_socket=args.engine).to_text())
            return 0
        if args.action == "clean":
            if not args.student:
                p.error("clean needs the student's name")
            print(clean_student(args.student, engine_socket=args.engine).to_text())
            return 0
        proxy = LabProxy(policy, args.engine).start()
        for student in policy.students:
            print(f"{student}: DOCKER_HOST=unix://{policy.endpoint(student)}", flush=True)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        proxy.close()
        return 0
    except DockerError as exc:
        print(f"dockmagic.lab: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
