"""The README's demo: talk to the local engine and show what is there."""

from __future__ import annotations

import sys

from .engine import Engine
from .errors import DockerError


def main() -> int:
    try:
        engine = Engine()
        version = engine.system_version()
        print(f"engine {engine.host}: Docker {version.get('Version')}, API {engine.api_version}")
        info = engine.system_info()
        print(f"{info['Containers']} containers ({info['ContainersRunning']} running), {info['Images']} images")
        for c in engine.container_list(all=True):
            print(f"  {c['Id'][:12]}  {c['Names'][0].lstrip('/'):<24} {c['State']:<10} {c['Image']}")
    except DockerError as exc:
        print(f"dockmagic: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
