"""Per-request overhead and socket reuse: dockmagic vs a raw keep-alive request vs docker-py.

Run: ./dev bench   (or python -m benchmarks.bench_engine with an engine on /var/run/docker.sock)
"""

from __future__ import annotations

import docker

from benchmarks.common import RawUnixHTTP, compare, count_unix_connects, report
from dockmagic.engine import Engine
from dockmagic.helpers.images.busybox import lab_image

N = 300
LABEL = {"dockmagic.bench": "1"}


def main() -> None:
    engine = Engine()
    version = engine.api_version
    raw = RawUnixHTTP()
    dpy = docker.APIClient(version=version)
    print(f"engine API {version}; {N} calls per round, median of 5 rounds")

    for what, url, ours, theirs in [
        ("GET /_ping", "/_ping", engine.system_ping, dpy.ping),
        (
            "GET /containers/json",
            f"/v{version}/containers/json",
            engine.container_list,
            dpy.containers,
        ),
    ]:
        results = compare(
            {
                "raw keep-alive http.client": lambda url=url: raw.get(url),
                "dockmagic": ours,
                "docker-py (APIClient)": theirs,
            },
            N,
        )
        report(what, results)

    image = "dockmagic-bench/busybox:latest"
    lab_image(image, labels=LABEL, engine=engine)
    ids = [
        engine.container_create({"Image": image, "Cmd": ["true"], "Labels": LABEL})["Id"]
        for _ in range(50)
    ]
    try:
        with count_unix_connects() as ours:
            fresh = Engine()
            for cid in ids:
                fresh.container_inspect(cid)
        with count_unix_connects() as theirs:
            client = docker.APIClient(version=version)
            for cid in ids:
                client.inspect_container(cid)
        print("sockets opened for 50 inspects of 50 different containers")
        print(f"  dockmagic {len(ours)}   docker-py {len(theirs)}")
    finally:
        for cid in ids:
            engine.container_delete(cid)
        engine.image_delete(image)


if __name__ == "__main__":
    main()
