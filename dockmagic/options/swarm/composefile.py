"""Reading a Compose file for ``stack deploy`` (stack.py): the YAML as a mapping, its variables,
and the values it allows in two forms. (``%docker compose`` reads files with compose/model.py.)"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ...errors import OptionError
from ..values import scalar


def parsed(source: str | Mapping[str, Any]) -> Mapping[str, Any]:
    """A Compose file's text (or the mapping itself) as its mapping."""
    if isinstance(source, Mapping):
        return source
    import yaml

    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        raise OptionError(
            f"the compose file is not valid YAML: {str(exc).splitlines()[0]}"
        ) from None
    if not isinstance(data, Mapping):
        raise OptionError("a compose file is a mapping with services:")
    return data


def pairs(value: Any, what: str) -> dict[str, str]:
    """A Compose file's mapping or list of ``KEY=VALUE`` (labels, environment, driver_opts): a key
    without a value is ""."""
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return {str(k): "" if x is None else scalar(x) for k, x in value.items()}
    if isinstance(value, list):
        return dict(str(item).partition("=")[::2] for item in value)
    raise OptionError(f"{what} is a mapping or a list of KEY=VALUE, not {value!r}")


def as_list(value: Any) -> list[Any]:
    """One item or a list of them (``env_file: a.env`` or ``env_file: [a.env]``)."""
    return [] if value is None else [value] if isinstance(value, str | Mapping) else list(value)


_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|(?P<plain>[A-Za-z_]\w*)|\{(?P<braced>[A-Za-z_]\w*)(?P<how>:?[-?])?(?P<arg>[^}]*)\})"
)


def interpolated(value: Any, env: Mapping[str, str]) -> Any:
    """Every string of a Compose file with ``$VAR``, ``${VAR}``, ``${VAR:-default}``, ``${VAR-default}``,
    ``${VAR:?why}`` and ``$$`` substituted from ``env``, as the CLI substitutes before it reads."""
    if isinstance(value, str):

        def one(m: re.Match[str]) -> str:
            if m["escaped"]:
                return "$"
            name = m["plain"] or m["braced"]
            how, arg, found = m["how"] or "", m["arg"] or "", env.get(name)
            missing = found is None or (how.startswith(":") and found == "")
            if how.endswith("?") and missing:
                raise OptionError(f"required variable {name} is missing a value: {arg or name}")
            if how.endswith("-") and missing:
                return arg
            if m["braced"] and not how and arg:
                raise OptionError(f"invalid interpolation format for {m[0]!r}")
            return found or ""

        return _VARIABLE.sub(one, value)
    if isinstance(value, Mapping):
        return {k: interpolated(x, env) for k, x in value.items()}
    if isinstance(value, list):
        return [interpolated(x, env) for x in value]
    return value
