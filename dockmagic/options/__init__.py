"""Container options, from one table (``table.OPTIONS``): the create body for run/create, the
update body, and the API version each option needs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import APIVersionError, OptionError
from .table import ALIASES, BY_NAME, OPTIONS, Body, Option, get_path, inspect_key, set_path
from .values import as_command, parse_bytes, parse_duration

__all__ = [
    "ALIASES",
    "BY_NAME",
    "OPTIONS",
    "Body",
    "Option",
    "as_command",
    "canonical",
    "check_api",
    "check_values",
    "container_config",
    "get_path",
    "inspect_key",
    "parse_bytes",
    "parse_duration",
    "set_path",
    "update_body",
]


def canonical(options: Mapping[str, Any]) -> dict[str, Any]:
    """Options by their table name (aliases resolved), unset ones (None, False, []) left out."""
    out: dict[str, Any] = {}
    for name, value in options.items():
        key = ALIASES.get(name, name)
        if key not in BY_NAME:
            raise OptionError(f"unknown container option {name!r}")
        unset = value is None or value is False or (isinstance(value, list | tuple) and not value)
        if unset and not (value is False and key == "restart"):  # restart_policy: no (YAML's false)
            continue
        out[key] = value
    return out


def check_values(options: Mapping[str, Any], spelled: Mapping[str, str] | None = None) -> None:
    """Every option's value converted once, before any request: a wrong form is one line naming the
    option (as the caller spelled it) and what it takes."""
    for name, value in canonical(options).items():
        option = BY_NAME[name]
        label = (spelled or {}).get(name, name)
        try:
            option.apply({}, value)
        except OptionError as exc:
            raise OptionError(f"{label}: {exc}") from None
        except (TypeError, ValueError, AttributeError, KeyError):
            raise OptionError(f"{label}: {value!r} is not a valid value ({option.help})") from None


def container_config(
    image: str,
    command: str | Iterable[str] | None = None,
    *,
    stdin: bool = False,
    extra: Mapping[str, Any] | None = None,
    **options: Any,
) -> Body:
    """The POST /containers/create body for these options (unset ones are left out).

    ``stdin`` attaches stdin (OpenStdin, StdinOnce, as ``docker run -i`` in the foreground);
    ``extra`` merges raw API fields (``{"HostConfig": {...}}`` merges into HostConfig).
    """
    body: Body = {"Image": image, "AttachStdout": True, "AttachStderr": True}
    if command is not None:
        body["Cmd"] = as_command(command)
    given = canonical(options)
    for option in OPTIONS:  # table order: env files before -e, --network before --ip
        if option.name in given:
            option.apply(body, given[option.name])
    if stdin:
        body.update(OpenStdin=True, AttachStdin=True, StdinOnce=True)
    for key, value in (extra or {}).items():
        if isinstance(value, Mapping) and isinstance(body.get(key), dict):
            body[key] = {**body[key], **value}
        else:
            body[key] = value
    body.setdefault("HostConfig", {})
    return body


def update_body(**options: Any) -> dict[str, Any]:
    """The POST /containers/{id}/update body: only options ``docker update`` can change."""
    given = canonical(options)
    fixed = [name for name in given if not BY_NAME[name].updatable]
    if fixed:
        raise OptionError(
            f"cannot change {', '.join(fixed)} in place (only {', '.join(updatable())})"
        )
    body: Body = {}
    for name, value in given.items():
        BY_NAME[name].apply(body, value)
    return body.get("HostConfig", {})


def updatable() -> list[str]:
    return [o.name for o in OPTIONS if o.updatable]


def check_api(options: Mapping[str, Any], version: str) -> None:
    """Refuse, by name, an option this engine's API version cannot carry."""
    for name in canonical(options):
        need = BY_NAME[name].min_api
        if need and tuple(map(int, version.split("."))) < tuple(map(int, need.split("."))):
            flag = BY_NAME[name].flags[-1]
            raise APIVersionError(f"{flag} needs API >= {need}, this engine speaks {version}")
