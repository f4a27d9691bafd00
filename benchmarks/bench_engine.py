"""Per-request overhead and socket reuse: dockmagic vs a raw keep-alive request vs docker-py.

Run: ./dev bench   (or python benchmarks/bench_engine.py with an engine on /var/run/docker.sock)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import docker
from common import RawUnixHTTP, compare, count_unix_connects, report

from dockmagic.engine import Engine

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
        ("GET /containers/json", f"/v{version}/containers/json", engine.container_list, dpy.containers),
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
    _build_image(engine, image)
    ids = [engine.container_create({"Image": image, "Cmd": ["true"], "Labels": LABEL})["Id"] for _ in range(50)]
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


def _build_image(engine: Engine, tag: str) -> None:
    import io
    import shutil
    import tarfile

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        df = b"FROM scratch\nCOPY busybox /bin/busybox\n"
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(df)
        tar.addfile(info, io.BytesIO(df))
        tar.add(shutil.which("busybox") or "/bin/busybox", "busybox")
    list(engine.image_build(buf.getvalue(), tags=[tag], labels=LABEL))


if __name__ == "__main__":
    main()
