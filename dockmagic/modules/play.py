"""Plays: a list of tasks in YAML (or Python), run in order like an Ansible play, with
``register``, ``when``, ``loop``, ``ignore_errors`` and ``{{ }}`` templating; a recap at the end."""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import DockerError
from ..options.resources import NETWORK_OPTIONS, VOLUME_OPTIONS, by_name
from ..render.plays import PlayResult, TaskRun
from . import MODULES
from .community import FQCN
from .result import ModuleError, Result
from .template import condition, render

CONTROL = {"name", "register", "when", "loop", "ignore_errors"}


def parse_tasks(source: str | list[dict[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(source, list):
        return source
    try:
        import yaml
    except ImportError:
        raise ModuleError("plays in YAML need PyYAML: pip install 'dockmagic[play]'") from None
    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "invalid YAML"
        raise ModuleError(f"the play is not valid YAML: {first}") from None
    if isinstance(data, dict) and "tasks" in data:
        data = data["tasks"]
    elif (
        isinstance(data, list) and data and all(isinstance(p, dict) and "tasks" in p for p in data)
    ):
        data = [
            task for one in data for task in one["tasks"] or []
        ]  # an Ansible playbook: its plays' tasks
    if not isinstance(data, list) or not all(isinstance(t, dict) for t in data):
        raise ModuleError("a play is a list of tasks (each a mapping with one module key)")
    return data


def module_of(task: Mapping[str, Any]) -> tuple[str, Any]:
    """The task's module (community.docker's names accepted: ``community.docker.docker_container``)
    and its arguments."""
    keys = [k for k in task if k not in CONTROL]
    if len(keys) != 1 or keys[0] not in FQCN:
        known = ", ".join(MODULES)
        raise ModuleError(
            f"task {task.get('name', keys)!r} needs exactly one module key, one of: {known}"
        )
    return FQCN[keys[0]], task[keys[0]]


def _check_control(task: Mapping[str, Any], index: int) -> None:
    """The task's own keys, before anything runs: one line for a wrong form."""
    title = task.get("name", f"#{index + 1}")
    register = task.get("register")
    if register is not None and not (isinstance(register, str) and register.isidentifier()):
        raise ModuleError(f"task {title!r}: register takes a variable name, not {register!r}")
    loop = task.get("loop")
    if loop is not None and not isinstance(
        loop, list | str
    ):  # a string is a {{ template }} of a list
        raise ModuleError(
            f"task {title!r}: loop takes a list (or a {{{{ variable }}}} holding one), not {loop!r}"
        )
    if not isinstance(task.get("ignore_errors", False), bool):
        raise ModuleError(
            f"task {title!r}: ignore_errors is true or false, not {task['ignore_errors']!r}"
        )


_OPTION_TABLES = {"network": NETWORK_OPTIONS, "volume": VOLUME_OPTIONS}


def _check_arguments(module: str, call: Mapping[str, Any]) -> None:
    """The task's arguments against the module's own, before it runs: one line for a wrong one.
    (``container`` takes any option by name and checks them against the option table itself.)"""
    params: dict[str, Any] = dict(inspect.signature(MODULES[module]).parameters)
    required = [
        n for n, p in params.items() if p.default is p.empty and p.kind is p.POSITIONAL_OR_KEYWORD
    ]
    missing = [n for n in required if n not in call]
    if missing:
        raise ModuleError(f"{module} needs {', '.join(missing)}")
    if module in _OPTION_TABLES:  # its **options: network or volume create's, by either name
        params |= by_name(_OPTION_TABLES[module])
    elif any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return
    unknown = [k for k in call if k not in params]
    if unknown:
        close = difflib.get_close_matches(unknown[0], list(params), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ModuleError(f"unknown option {unknown[0]!r} for {module}{hint}")


def play(
    source: str | list[dict[str, Any]],
    *,
    check: bool = False,
    diff: bool = False,
    vars: Mapping[str, Any] | None = None,
    show: bool = True,
    progress: Callable[[PlayResult], None] | None = None,
    engine: Any = None,
) -> PlayResult:
    """Run tasks in order; a failing task stops the play (unless ``ignore_errors``).

    ``show`` prints a line per task as it ends (and the recap); ``progress`` is called with the
    play so far after each task instead (the magic uses it to update a display in place)."""
    tasks = parse_tasks(source)
    for index, task in enumerate(tasks):
        _check_control(task, index)
    result = PlayResult(check=check, diff=diff)
    names: dict[str, Any] = dict(vars or {})
    for index, task in enumerate(tasks):
        module, args = module_of(task)
        title = str(task.get("name") or f"{module} #{index + 1}")
        loop = render(task["loop"], names) if "loop" in task else [None]
        if not isinstance(loop, list):
            raise ModuleError(f"task {title!r}: loop is {loop!r} once rendered; it must be a list")
        runs: list[Result] = []
        stop = False
        for item in loop:
            scope = {**names, **({"item": item} if "loop" in task else {})}
            if "when" in task and not condition(task["when"], scope):
                run = TaskRun(title, module, "skipping", item=item)
            else:
                try:
                    kwargs = render(args or {}, scope)
                    if not isinstance(kwargs, dict):
                        raise ModuleError(f"the arguments of {module} must be a mapping")
                    call = {
                        **kwargs,
                        "check_mode": check,
                        "diff": diff,
                        **({"engine": engine} if engine else {}),
                    }
                    _check_arguments(module, call)
                    outcome = MODULES[module](**call)
                except DockerError as exc:
                    outcome = Result(failed=True, msg=str(exc))
                run = TaskRun(title, module, outcome.status, outcome, item)
                runs.append(outcome)
                if outcome.failed and not task.get("ignore_errors"):
                    stop = True
            result.tasks.append(run)
            if progress is not None:
                progress(result)
            elif show:
                print(run.line(diff), flush=True)
            if stop:
                break
        if "register" in task:
            registered = (
                runs[0].as_dict()
                if len(runs) == 1 and "loop" not in task
                else {
                    "results": [r.as_dict() for r in runs],
                    "changed": any(r.changed for r in runs),
                }
            )
            names[task["register"]] = registered
            result.registered[task["register"]] = registered
        if stop:
            result.failed_task = title
            break
    if show and progress is None:
        print("PLAY RECAP  " + result.recap_line())
    return result
