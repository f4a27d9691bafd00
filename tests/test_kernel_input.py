"""stdin typed into the notebook: in a real Jupyter kernel whose frontend answers input requests
(as JupyterLab does; here a jupyter_client that answers them), ``run -i``, ``run -it``, ``exec -it``
and ``attach`` read each submitted line, stream the output into the cell, end stdin on an empty
submit, and withdraw the prompt when the process ends on its own. A kernel that cannot ask (nbclient,
the tests' notebooks) gives an empty stdin: ``run -it`` and ``exec -it`` end as the CLI's do."""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator
from typing import Any

import pytest

from dockmagic.engine import Engine

from .support import LABEL, unique


class Kernel:
    """A real IPython kernel with dockmagic loaded, and a client that answers its input requests
    with the lines given (an empty line once they run out, if ``then_empty``)."""

    def __init__(self) -> None:
        from jupyter_client.manager import start_new_kernel

        self.manager, self.client = start_new_kernel(kernel_name="python3")
        self.run("%load_ext dockmagic")

    def run(
        self,
        code: str,
        answers: list[str] | None = None,
        *,
        answer: bool = True,
        paced: bool = False,
        timeout: float = 60,
    ) -> tuple[str, dict[str, Any], list[str]]:
        """Run ``code``: its printed output, its reply's content, the prompts it asked with.
        ``paced``: each answer waits for new output since the last (a person types at a shell's
        prompt, not into its start-up: ^D typed ahead of a starting shell may be lost)."""
        pending = list(answers or [])
        asked: dict[str, Any] | None = None  # a prompt not answered yet
        seen = -1  # how much output there was at the last answer
        msg_id = self.client.execute(code, allow_stdin=answers is not None)
        out: list[str] = []
        prompts: list[str] = []
        deadline = time.monotonic() + timeout
        reply: dict[str, Any] | None = None
        idle = False
        while not (reply is not None and idle):
            assert time.monotonic() < deadline, f"no end: {''.join(out)!r}"
            try:
                asked = self.client.get_stdin_msg(timeout=0.05)
                prompts.append(asked["content"]["prompt"])
            except queue.Empty:
                pass
            shown = len("".join(out))
            if asked is not None and answer and (not paced or shown > seen):
                self.client.input(pending.pop(0) if pending else "")
                asked, seen = None, shown
            try:
                msg = self.client.get_iopub_msg(timeout=0.05)
                if msg["parent_header"].get("msg_id") == msg_id:
                    kind = msg["msg_type"]
                    if kind == "stream":
                        out.append(msg["content"]["text"])
                    elif kind == "error":
                        out.append("\n".join(msg["content"]["traceback"]))
                    elif kind == "status" and msg["content"]["execution_state"] == "idle":
                        idle = True
            except queue.Empty:
                pass
            if reply is None:
                try:
                    got = self.client.get_shell_msg(timeout=0.01)
                    if got["parent_header"].get("msg_id") == msg_id:
                        reply = got["content"]
                except queue.Empty:
                    pass
        return "".join(out), reply, prompts

    def close(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


@pytest.fixture(scope="module")
def kernel() -> Iterator[Kernel]:
    pytest.importorskip("ipykernel")
    made = Kernel()
    yield made
    made.close()


def test_run_i_reads_lines_typed_into_the_notebook(kernel: Kernel, image: str) -> None:
    code = (
        f"%docker run -i --rm -l {LABEL}=1 {image} "
        "sh -c 'while read line; do echo got $line; done; echo stdin ended'"
    )
    out, reply, prompts = kernel.run(code, ["hello", "world"])
    assert reply["status"] == "ok", out
    assert "got hello\ngot world\nstdin ended" in out
    assert len(prompts) == 3  # two lines, then the empty submit that ends stdin


def test_run_it_is_a_shell_in_the_notebook(kernel: Kernel, image: str) -> None:
    out, reply, _ = kernel.run(
        f"%docker run -it --rm -l {LABEL}=1 {image} sh", ["echo $((6 * 7))", "exit 3"], paced=True
    )
    assert "42" in out
    assert reply["status"] == "ok", out  # an exit code is a result, not an error
    out, reply, _ = kernel.run(
        f"%docker run -it --rm -l {LABEL}=1 {image} sh", ["echo bye"], paced=True
    )
    assert "bye" in out and reply["status"] == "ok"  # the empty submit is ^D: the shell ends


def test_a_prompt_is_withdrawn_when_the_process_ends(kernel: Kernel, image: str) -> None:
    started = time.monotonic()
    out, reply, prompts = kernel.run(
        f"%docker run -i --rm -l {LABEL}=1 {image} sh -c 'sleep 1; echo done'", [], answer=False
    )
    assert reply["status"] == "ok", out
    assert "done" in out and prompts and time.monotonic() - started < 15


def test_exec_it_and_attach_in_the_notebook(kernel: Kernel, engine: Engine, image: str) -> None:
    name = unique("kin")
    engine.container_create(
        {"Image": image, "Cmd": ["sh"], "OpenStdin": True, "Tty": True, "Labels": {LABEL: "1"}},
        name=name,
    )
    try:
        engine.container_start(name)
        out, reply, _ = kernel.run(
            f"%docker exec -it {name} sh", ["cd /tmp", "pwd", ""], paced=True
        )
        assert "/tmp" in out and reply["status"] == "ok", out
        out, reply, _ = kernel.run(
            f"%docker attach {name}", ["echo attached-$((1+1))", "exit"], paced=True
        )
        assert "attached-2" in out and reply["status"] == "ok", out
        assert not engine.container_inspect(name)["State"]["Running"]
    finally:
        engine.container_delete(name, force=True)


def test_without_a_frontend_to_ask_stdin_is_empty(kernel: Kernel, image: str) -> None:
    """As nbclient runs notebooks: ``run -it`` and ``exec -it`` end as given no input."""
    out, reply, _ = kernel.run(f"%docker run -it --rm -l {LABEL}=1 {image} sh", None)
    assert reply["status"] == "ok", out
    out, reply, _ = kernel.run(f"%docker run -it --rm -l {LABEL}=1 -w /etc {image} pwd", None)
    assert "/etc" in out and reply["status"] == "ok", out
