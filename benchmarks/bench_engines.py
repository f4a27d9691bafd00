"""Many engines at once: ps over one engine against ps over three (the local one and two extra
dockerds, each in a network namespace of its own; needs root).

Run: ./dev bench
"""

from __future__ import annotations

import dockmagic
from benchmarks.common import compare, report
from dockmagic.engine import Engine
from tools.extra_engines import ExtraEngine, missing

LABEL = "dockmagic.bench"
HOST = "unix:///var/run/docker.sock"


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
        for url in urls[1:]:  # an image on each, so each engine has what to list
            dockmagic.lab_image("dockmagic-bench/lab:latest", labels={LABEL: "1"}, engine=Engine(url))
        one = dockmagic.engines([HOST])
        three = dockmagic.engines(urls)
        contenders = {"ps on one engine": lambda: one.ps(all=True), "ps on three at once": lambda: three.ps(all=True)}
        results = compare(contenders, n=10, rounds=5)
        report("fan-out: ps over three engines against one", results, "ms", 1e3)
        one.close()
        three.close()
    finally:
        for each in extra:
            each.stop()


if __name__ == "__main__":
    main()
