"""Many engines at once: ps over one engine against ps over three (the local one and two extra
dockerds, each in a network namespace of its own; needs root).

Run: ./dev bench  (BENCH_ENGINE_CONTAINERS, default 100)
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import dockmagic
from benchmarks.common import RawUnixHTTP, compare, report
from dockmagic.engine import Engine
from tools.extra_engines import ExtraEngine, missing

LABEL = "dockmagic.bench"
HOST = "unix:///var/run/docker.sock"
COUNT = int(os.environ.get("BENCH_ENGINE_CONTAINERS", "100"))


def main() -> None:
    why = missing()
    if why:
        print(f"engines: skipped ({why})")
        return
    extra = [ExtraEngine("b1", "10.221.0.0/16"), ExtraEngine("b2", "10.222.0.0/16")]
    try:
        urls = [HOST] + [each.url for each in extra]
        for each in extra:
            each.start()
        image = "dockmagic-bench/lab:latest"
        for url in urls:  # an image and containers on each, so each engine has what to list
            with Engine(url) as engine:
                dockmagic.lab_image(image, labels={LABEL: "1"}, engine=engine)  # type: ignore[arg-type]
                for _ in range(COUNT):
                    engine.container_create(
                        {"Image": image, "Cmd": ["true"], "Labels": {LABEL: "1"}}
                    )  # type: ignore[attr-defined]
        engines = [Engine(url) for url in urls]
        three = dockmagic.engines(engines)
        # the floor: the same listing as raw HTTP, no library, three threads at once. On a machine
        # with fewer cores than engines the dockerds' own work competes for them
        raw = [RawUnixHTTP(url.removeprefix("unix://")) for url in urls]
        path = "/v1.41/containers/json?all=1"
        pool = ThreadPoolExecutor(max_workers=3)
        contenders = {
            "ps on the local engine": lambda: dockmagic.ps(all=True, engine=engines[0]),
            "ps on three, one after another": lambda: [
                dockmagic.ps(all=True, engine=e) for e in engines
            ],
            "ps on three at once (fan-out)": lambda: three.ps(all=True),
            "raw GET on one engine (floor)": lambda: raw[0].get(path),
            "raw GET on three at once (floor)": lambda: list(pool.map(lambda c: c.get(path), raw)),
        }
        results = compare(contenders, n=20, rounds=5)
        report(
            f"fan-out: ps -a over three engines against one ({COUNT} containers each)",
            results,
            "ms",
            1e3,
        )
        floor = (
            results["raw GET on three at once (floor)"] / results["raw GET on one engine (floor)"]
        )
        print(
            f"  {os.cpu_count()} cores: the engines alone take {floor:.2f}x as long for three as for one"
        )
        pool.shutdown()
        for engine in engines:
            for c in engine.container_list(all=True, filters={"label": [LABEL]}):
                engine.container_delete(c["Id"], force=True)
            engine.close()
    finally:
        for each in extra:
            each.stop()
        with Engine(HOST) as local:
            for c in local.container_list(all=True, filters={"label": [LABEL]}):  # type: ignore[attr-defined]
                local.container_delete(c["Id"], force=True)  # type: ignore[attr-defined]
            local.image_delete("dockmagic-bench/lab:latest", force=True)  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
