"""``!cmd`` lines in the notebook's shell container (``%docker shell ... --bang``).

IPython turns ``!cmd`` into ``get_ipython().system("cmd")`` and ``x = !cmd`` into
``get_ipython().getoutput("cmd")``; while the route is on, both are this module's, on the kernel's
shell object only (its class, and any other shell, keep IPython's own).
"""

from __future__ import annotations

import sys
from typing import Any

from .. import helpers
from ..errors import DockerError

_saved: dict[str, Any] = {}  # the shell's own system and getoutput while the route is on


def routed(ip: Any) -> bool:
    return bool(_saved) and _saved.get("ip") is ip


def route(ip: Any) -> None:
    """``!cmd`` and ``x = !cmd`` run in the notebook's shell container from now on."""
    if routed(ip):
        return
    unroute()
    _saved.update(ip=ip, system=ip.__dict__.get("system"), getoutput=ip.__dict__.get("getoutput"))

    def system(cmd: str) -> None:
        # depth=1: $names are the caller's, as IPython's own system expands them
        ip.user_ns["_exit_code"] = _run(ip.var_expand(cmd, depth=1), quiet=False)[0]

    def getoutput(cmd: str, split: bool = True, depth: int = 0) -> Any:
        from IPython.utils.text import LSString, SList

        code, out = _run(ip.var_expand(cmd, depth=depth + 1), quiet=True)
        ip.user_ns["_exit_code"] = code
        return SList(out.splitlines()) if split else LSString(out)

    ip.system = system
    ip.getoutput = getoutput


def unroute() -> None:
    """Give ``!`` back to the kernel's own shell."""
    if not _saved:
        return
    ip = _saved["ip"]
    for name in ("system", "getoutput"):
        if _saved[name] is None:
            ip.__dict__.pop(name, None)  # the class's method shows through again
        else:
            setattr(ip, name, _saved[name])
    _saved.clear()


def _run(script: str, quiet: bool) -> tuple[int, str]:
    """The exit code and (for ``x = !cmd``) stdout with stderr after it, as IPython's getoutput
    merges them. Errors are one line on stderr, Ctrl-C stops the command (as IPython's ``!``)."""
    try:
        result = helpers.shell().run(script, quiet=quiet)
    except KeyboardInterrupt:
        print("^C", file=sys.stderr)
        return 130, ""
    except DockerError as exc:
        print(f"docker: {exc}", file=sys.stderr)
        return 1, ""
    return result.exit_code or 0, result.stdout + result.stderr
