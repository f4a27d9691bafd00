"""Build from a 500 MB context of many files, and push/pull of a 200 MB image through a local
registry: dockmagic vs the docker CLI (classic builder) and docker-py, wall time and peak RSS.

Run: ./dev bench  (BENCH_CONTEXT_MB default 500, BENCH_IMAGE_MB default 200)
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import dockmagic
from benchmarks.common import measure
from tests.support import Registry

LABEL = "dockmagic.bench"
CLI = shutil.which("docker") or "docker"
PY = [sys.executable, "-c"]


def row(label: str, result: tuple[float, float], base: float) -> str:
    seconds, rss = result
    return f"  {label:<40} {seconds:7.2f} s  {seconds / base:5.2f}x   peak RSS {rss:7.1f} MB"


def bench_build(work: Path, base_image: str, megabytes: int) -> None:
    ctx = work / "ctx"
    ctx.mkdir()
    block = os.urandom(250_000)
    for i in range(megabytes * 4):  # 250 kB files
        sub = ctx / f"d{i // 200}"
        sub.mkdir(exist_ok=True)
        (sub / f"f{i}.bin").write_bytes(block)
    (ctx / "Dockerfile").write_text(f"FROM {base_image}\nLABEL {LABEL}=1\n")
    tag = "dockmagic-bench/ctx:latest"
    env_cli = ["env", "DOCKER_BUILDKIT=0", CLI, "build", "-q", "-t", tag, str(ctx)]
    ours = [
        *PY,
        "import dockmagic, sys; dockmagic.build(sys.argv[1], tag=sys.argv[2], quiet=True)",
        str(ctx),
        tag,
    ]
    dpy = [
        *PY,
        "import docker, sys; docker.from_env().images.build(path=sys.argv[1], tag=sys.argv[2])",
        str(ctx),
        tag,
    ]
    results = {}
    for label, cmd in (
        ("docker build (CLI, classic builder)", env_cli),
        ("dockmagic.build", ours),
        ("docker-py images.build", dpy),
    ):
        results[label] = min((measure(cmd) for _ in range(2)), key=lambda r: r[0])
    print(f"build from a {megabytes} MB context of {megabytes * 4} files (best of 2)")
    base = results["docker build (CLI, classic builder)"][0]
    for label, result in results.items():
        print(row(label, result, base))
    dockmagic.rmi(tag, force=True)


def bench_push_pull(work: Path, base_image: str, megabytes: int) -> None:
    ctx = work / "img"
    ctx.mkdir()
    with open(ctx / "big.bin", "wb") as f:
        for _ in range(megabytes):
            f.write(os.urandom(1 << 20))
    (ctx / "Dockerfile").write_text(f"FROM {base_image}\nCOPY big.bin /\nLABEL {LABEL}=1\n")
    local = "dockmagic-bench/big:latest"
    dockmagic.build(ctx, tag=local, quiet=True)
    results: dict[str, tuple[float, float]] = {}
    for label, tool in (("docker (CLI)", "cli"), ("dockmagic", "ours")):
        registry = Registry(Path(tempfile.mkdtemp(dir=work)))  # empty: every layer is really sent
        try:
            ref = f"{registry.address}/bench/big:1"
            dockmagic.tag(local, ref)
            push = (
                [CLI, "push", ref]
                if tool == "cli"
                else [*PY, "import dockmagic,sys; dockmagic.push(sys.argv[1])", ref]
            )
            results[f"push {label}"] = measure(push)
            dockmagic.rmi(ref, force=True)
            dockmagic.rmi(local, force=True)
            pull = (
                [CLI, "pull", ref]
                if tool == "cli"
                else [*PY, "import dockmagic,sys; dockmagic.pull(sys.argv[1])", ref]
            )
            results[f"pull {label}"] = measure(pull)
            dockmagic.tag(ref, local)
            dockmagic.rmi(ref)
        finally:
            registry.stop()
    print(f"push and pull of a {megabytes} MB layer through a local registry")
    for label, result in results.items():
        print(row(label, result, results[label.split()[0] + " docker (CLI)"][0]))
    dockmagic.rmi(local, force=True)


def main() -> None:
    base_image = dockmagic.lab_image("dockmagic-bench/lab:latest", labels={LABEL: "1"})
    work = Path(tempfile.mkdtemp(prefix="dockmagic-bench-"))
    try:
        bench_build(work, base_image, int(os.environ.get("BENCH_CONTEXT_MB", "500")))
        bench_push_pull(work, base_image, int(os.environ.get("BENCH_IMAGE_MB", "200")))
    finally:
        shutil.rmtree(work)
        dockmagic.image_prune(filters={"label": LABEL})
        dockmagic.rmi(base_image, force=True)


if __name__ == "__main__":
    main()
