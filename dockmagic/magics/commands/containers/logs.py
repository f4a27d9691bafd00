"""%docker logs and attach: a container's output, after the fact or live."""

from __future__ import annotations

from .... import helpers
from ...argv import Parser
from ..registry import Handler, command


@command(
    "attach|container attach",
    "Join a running container: its output live, and its stdin from the terminal (terminal "
    "IPython) or the input box under the cell (JupyterLab) until it stops or you detach.",
)
def _attach(p: Parser) -> Handler:
    p.switch("--no-stdin", help="do not attach stdin")
    p.switch("--sig-proxy", help="accepted: Ctrl-C detaches and leaves the container running")
    p.add_argument("--detach-keys", help="keys that detach in a terminal (default ctrl-p,ctrl-q)")
    p.add_argument("container")
    return lambda a, ctx: helpers.attach(
        a.container, no_stdin=a.no_stdin, detach_keys=a.detach_keys
    )


@command(
    "logs|container logs", "A container's output, stdout and stderr apart; -f follows until Ctrl-C."
)
def _logs(p: Parser) -> Handler:
    p.add_argument("-f", "--follow", action="store_true")
    p.add_argument("-n", "--tail", metavar="N", help="only the last N lines (or all)")
    p.add_argument("--since", help="e.g. 10m, 2024-01-02T15:04:05Z or Unix seconds")
    p.add_argument("--until")
    p.add_argument("-t", "--timestamps", action="store_true")
    p.switch("--details", help="add the extra attributes given to the log driver")
    p.add_argument("container")
    return lambda a, ctx: helpers.logs(
        a.container,
        follow=a.follow,
        tail=a.tail,
        since=a.since,
        until=a.until,
        timestamps=a.timestamps,
        details=a.details,
    )
