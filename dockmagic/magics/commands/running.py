"""%docker run and %docker exec (and their %%docker cell forms: the cell is stdin)."""

from __future__ import annotations

import argparse
from typing import Any

from ... import helpers
from ...helpers.config import as_labels, parse_bytes
from ...settings import settings
from ..argv import CommandError, Parser
from .registry import Context, command

_RUN_UNSUPPORTED = (
    "--attach",
    "-a",
    "--blkio-weight",
    "--cgroupns",
    "--cidfile",
    "--cpu-period",
    "--cpu-quota",
    "--cpu-shares",
    "-c",
    "--cpuset-cpus",
    "--cpuset-mems",
    "--detach-keys",
    "--device",
    "--device-cgroup-rule",
    "--disable-content-trust",
    "--dns-option",
    "--dns-search",
    "--domainname",
    "--env-file",
    "--expose",
    "--gpus",
    "--group-add",
    "--health-cmd",
    "--health-interval",
    "--health-retries",
    "--health-start-period",
    "--health-timeout",
    "--ip",
    "--ip6",
    "--ipc",
    "--isolation",
    "--kernel-memory",
    "--label-file",
    "--link",
    "--link-local-ip",
    "--log-driver",
    "--log-opt",
    "--mac-address",
    "--memory-reservation",
    "--memory-swap",
    "--memory-swappiness",
    "--network-alias",
    "--no-healthcheck",
    "--oom-kill-disable",
    "--oom-score-adj",
    "--pid",
    "--platform",
    "--pull",
    "--runtime",
    "--security-opt",
    "--sig-proxy",
    "--stop-timeout",
    "--storage-opt",
    "--sysctl",
    "--ulimit",
    "--userns",
    "--uts",
    "--volume-driver",
    "--volumes-from",
)


def _run_options(a: argparse.Namespace) -> dict[str, Any]:
    """The flags that map to container_config options, and the rest as raw API fields."""
    host: dict[str, Any] = {
        "CapAdd": a.cap_add,
        "CapDrop": a.cap_drop,
        "ExtraHosts": a.add_host,
        "Dns": a.dns,
        "ReadonlyRootfs": a.read_only or None,
        "Init": a.init or None,
        "PublishAllPorts": a.publish_all or None,
        "ShmSize": parse_bytes(a.shm_size),
        "PidsLimit": a.pids_limit,
        "Tmpfs": {t.partition(":")[0]: t.partition(":")[2] for t in a.tmpfs} if a.tmpfs else None,
    }
    extra: dict[str, Any] = {"HostConfig": {k: v for k, v in host.items() if v is not None}}
    if a.stop_signal:
        extra["StopSignal"] = a.stop_signal
    return {
        "name": a.name,
        "env": a.env,
        "volumes": a.volume,
        "mounts": a.mount,
        "ports": a.publish,
        "workdir": a.workdir,
        "user": a.user,
        "entrypoint": a.entrypoint,
        "labels": {**settings.run_labels, **(as_labels(a.label) or {})},
        "network": a.network,
        "memory": a.memory,
        "cpus": a.cpus,
        "hostname": a.hostname,
        "privileged": a.privileged,
        "restart": a.restart,
        "extra": extra,
    }


def _command(a: argparse.Namespace, ctx: Context) -> list[str] | None:
    """The command given, else ``sh`` when a cell is the script (%%docker run/exec)."""
    return a.command or (["sh"] if ctx.cell is not None else None)


@command("run|container run", "Run a command in a new container; with %%docker run, the cell is its stdin.", cell=True)
def _run(p: Parser) -> Any:
    p.add_argument("-d", "--detach", action="store_true", help="run in the background")
    p.add_argument("--rm", action="store_true", help="remove the container when it exits")
    p.add_argument("-i", "--interactive", action="store_true", help="keep stdin open (the cell, for %%%%docker)")
    p.add_argument("-t", "--tty", action="store_true", help="allocate a pseudo-TTY")
    p.add_argument("-e", "--env", action="append", metavar="K=V", help="set an environment variable")
    p.add_argument("-v", "--volume", action="append", metavar="SRC:DST[:ro]", help="bind a volume or path")
    p.add_argument("--mount", action="append", metavar="type=..,source=..,target=..")
    p.add_argument("-p", "--publish", action="append", metavar="[IP:]HOST:CONTAINER[/PROTO]")
    p.add_argument("-P", "--publish-all", action="store_true")
    p.add_argument("-w", "--workdir")
    p.add_argument("-u", "--user")
    p.add_argument("--name")
    p.add_argument("--entrypoint")
    p.add_argument("-l", "--label", action="append", metavar="K=V")
    p.add_argument("--network", "--net")
    p.add_argument("-m", "--memory", metavar="SIZE")
    p.add_argument("--cpus", type=float)
    p.add_argument("--hostname", "-h")
    p.add_argument("--privileged", action="store_true")
    p.add_argument("--restart", metavar="POLICY")
    p.add_argument("--cap-add", action="append")
    p.add_argument("--cap-drop", action="append")
    p.add_argument("--add-host", action="append", metavar="HOST:IP")
    p.add_argument("--dns", action="append")
    p.add_argument("--read-only", action="store_true")
    p.add_argument("--init", action="store_true")
    p.add_argument("--tmpfs", action="append", metavar="PATH[:OPTS]")
    p.add_argument("--shm-size", metavar="SIZE")
    p.add_argument("--pids-limit", type=int)
    p.add_argument("--stop-signal")
    p.add_argument("--timeout", type=float, help="dockmagic: stop the container after this many seconds")
    p.add_argument("--check", action="store_true", help="dockmagic: a non-zero exit is an error")
    p.add_argument("-q", "--quiet", action="store_true", help="dockmagic: do not show output live")
    p.add_argument("--stats", action="store_true", help="dockmagic: record resource usage and plot it")
    p.unsupported(*_RUN_UNSUPPORTED)
    p.add_argument("image")
    p.add_argument("command", nargs=argparse.REMAINDER)

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        command = _command(a, ctx)
        return helpers.run(
            a.image,
            command,
            detach=a.detach,
            remove=a.rm or (settings.run_remove and not a.detach),
            stdin=ctx.cell,
            tty=a.tty,
            timeout=a.timeout,
            check=a.check,
            quiet=a.quiet,
            stats=a.stats,
            **_run_options(a),
        )

    return handle


@command(
    "exec|container exec", "Run a command in a running container; with %%docker exec, the cell is its stdin.", cell=True
)
def _exec(p: Parser) -> Any:
    p.add_argument("-i", "--interactive", action="store_true")
    p.add_argument("-t", "--tty", action="store_true")
    p.add_argument("-e", "--env", action="append", metavar="K=V")
    p.add_argument("-u", "--user")
    p.add_argument("-w", "--workdir")
    p.add_argument("--privileged", action="store_true")
    p.add_argument("--check", action="store_true", help="dockmagic: a non-zero exit is an error")
    p.add_argument("-q", "--quiet", action="store_true", help="dockmagic: do not show output live")
    p.unsupported("-d", "--detach", "--detach-keys", "--env-file")
    p.add_argument("container")
    p.add_argument("command", nargs=argparse.REMAINDER)

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        command = _command(a, ctx)
        if not command:
            raise CommandError("%docker exec: give a command (or use %%docker exec, whose cell is a script)")
        return helpers.exec_(
            a.container,
            command,
            stdin=ctx.cell,
            user=a.user,
            workdir=a.workdir,
            env=a.env,
            tty=a.tty,
            privileged=a.privileged,
            check=a.check,
            quiet=a.quiet,
        )

    return handle
