"""%docker shell and %%docker sh: cells in one long-lived container, folder and exports carried."""

from __future__ import annotations

import time
from typing import Any

import pytest
from IPython.core.error import UsageError

import dockmagic
from dockmagic.engine import Engine
from dockmagic.errors import NotFound

from .support import LABEL, LABELS, unique
from .test_helpers_run import interrupt_main_after


def test_cells_carry_folder_and_exports(ip: Any, engine: Engine, image: str, capfd: Any) -> None:
    ip.run_line_magic(
        "docker", f"shell -d --label {LABEL}=1 {image}"
    )  # -d: it runs in the background anyway
    shell = dockmagic.shell()
    try:
        assert (
            shell.owned
            and engine.container_inspect(shell.container)["Config"]["Labels"]["dockmagic.shell"]
            == "1"
        )
        ip.run_cell_magic(
            "docker",
            "sh",
            "mkdir -p /tmp/work && cd /tmp/work\nexport GREETING=hello\nplain=kept?\n",
        )
        r = ip.run_cell_magic("docker", "sh", 'pwd; echo "$GREETING"; echo oops >&2; exit 3\n')
        assert (r.stdout, r.stderr, r.exit_code) == ("/tmp/work\nhello\n", "oops\n", 3)
        assert (
            ip.run_line_magic("docker", "sh -q pwd").stdout == "/tmp/work\n"
        )  # kept after a failing cell
        times = []
        for _ in range(5):
            started = time.perf_counter()
            ip.run_cell_magic("docker", "sh -q", "echo hi\n")
            times.append(time.perf_counter() - started)
        print(f"%%docker sh cell of echo: median {sorted(times)[2] * 1000:.0f} ms")
        with pytest.raises(UsageError, match="exited with code 1"):
            ip.run_cell_magic("docker", "sh -q --check", "false\n")
    finally:
        ip.run_line_magic("docker", "shell --stop")
    with pytest.raises(NotFound):
        engine.container_inspect(shell.container)


def test_adopts_a_running_container_and_leaves_it(
    ip: Any, engine: Engine, make_container: Any
) -> None:
    name = unique()
    cid = make_container(["sleep", "300"], name=name)
    engine.container_start(cid)
    ip.run_line_magic("docker", f"shell {name}")
    assert not dockmagic.shell().owned
    assert ip.run_line_magic("docker", "sh -q hostname").exit_code == 0
    ip.run_line_magic("docker", "shell --stop")
    assert engine.container_inspect(cid)["State"]["Running"]  # not ours to remove


def test_ctrl_c_stops_the_command_not_the_shell(ip: Any, engine: Engine, image: str) -> None:
    shell = dockmagic.shell(image, labels=LABELS)
    try:
        timer = interrupt_main_after(0.8)
        with pytest.raises(UsageError, match="interrupted"):
            ip.run_cell_magic("docker", "sh", "sleep 30\n")
        timer.join()
        assert engine.container_inspect(shell.container)["State"]["Running"]
        processes = [" ".join(p) for p in engine.container_top(shell.container)["Processes"]]
        assert not any(p.endswith("sleep 30") for p in processes), processes
        assert ip.run_line_magic("docker", "sh -q echo still here").stdout == "still here\n"
    finally:
        dockmagic.shell_close()


def test_sh_without_a_shell_is_one_line(ip: Any) -> None:
    dockmagic.shell_close()
    with pytest.raises(UsageError, match="no shell yet"):
        ip.run_line_magic("docker", "sh true")


def test_bang_lines_run_in_the_shell_when_asked(ip: Any, engine: Engine, image: str) -> None:
    own = (ip.system, ip.getoutput)
    ip.run_line_magic("docker", f"shell --label {LABEL}=1 --bang {image}")
    shell = dockmagic.shell()
    try:
        ip.user_ns["where"] = "/tmp"
        ip.run_cell("!cd $where && export MOOD=calm")
        ip.run_cell("here = !pwd; echo $MOOD; echo warn >&2; exit 4")
        assert list(ip.user_ns["here"]) == [
            "/tmp",
            "calm",
            "warn",
        ]  # stderr after stdout, as IPython's
        assert ip.user_ns["_exit_code"] == 4
        ip.run_cell("name = !hostname")
        assert ip.user_ns["name"][0] == shell.container[:12]
        ip.run_line_magic("docker", "shell --no-bang")
        ip.run_cell("name = !hostname")
        assert ip.user_ns["name"][0] != shell.container[:12]  # this machine's own shell again
        assert (ip.system, ip.getoutput) == own
    finally:
        ip.run_line_magic("docker", "shell --stop")
