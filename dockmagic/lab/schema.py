"""The Engine API as the lab proxy forwards it: one version (``API_VERSION``), every operation's
query parameters, headers and body shape, read from the spec (``api-v1.41.json``, written by
``tools/lab_api.py``). A request is made to conform to it before any rule looks at it:

- JSON is read as Go reads it (keys match fields without regard to case, the last repeat wins), so a
  repeated key in any case, or a key that is not ASCII (Go folds ``ſ`` to ``s``), is refused;
- each key is written back under the spec's own name, each value checked against its type;
- a key the spec does not name is dropped when its value is empty (the docker CLI sends newer fields
  as null or zero) and refused by name otherwise.

What is forwarded is the conformed body, re-encoded: the engine reads exactly what was checked.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

API_VERSION = "1.41"


class Refused(Exception):
    """A request the policy does not allow: answered 403 with the rule's name."""

    def __init__(self, rule: str, detail: str) -> None:
        super().__init__(f"lab policy ({rule}): {detail}")
        self.rule = rule


class Hidden(Exception):
    """Another student's resource (or none): answered 404 as if absent."""

    def __init__(self, kind: str, name: str) -> None:
        super().__init__(f"No such {kind}: {name}")


@cache
def operations() -> dict[str, dict[str, Any]]:
    text = (
        resources.files(__package__)
        .joinpath(f"api-v{API_VERSION}.json")
        .read_text(encoding="utf-8")
    )
    return json.loads(text)["operations"]


def parse_json(raw: bytes) -> Any:
    """A JSON value as Go would read it, or Refused."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        for key, _ in items:
            if not key.isascii():
                raise Refused("json", f"a key that is not ASCII: {key!r}")
            if key.lower() in seen:
                raise Refused(
                    "json", f"the key {key!r} is given twice (keys match without regard to case)"
                )
            seen.add(key.lower())
        return dict(items)

    try:
        return json.loads(raw, object_pairs_hook=pairs)
    except (ValueError, RecursionError):
        raise Refused("json", "the body is not JSON the engine would read") from None


def empty(value: Any) -> bool:
    """What Go leaves as the zero value: absent in effect."""
    if isinstance(value, (list, tuple)):
        return all(empty(v) for v in value)
    if isinstance(value, dict):
        return all(empty(v) for v in value.values())
    return value in (None, "", 0, False) and not (isinstance(value, float) and value != 0)


_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
}


def conform(value: Any, shape: Any, where: str) -> Any:
    """``value`` checked against ``shape`` (from the spec), its keys renamed to the spec's."""
    if value is None or shape == "any":
        return value
    if isinstance(shape, str):
        wanted = _TYPES.get(shape, (object,))
        if not isinstance(value, wanted) or (shape != "boolean" and isinstance(value, bool)):
            raise Refused(
                "json", f"{where} must be {'a' if shape[0] not in 'ai' else 'an'} {shape}"
            )
        return value
    if shape.get("type") == "array":
        if not isinstance(value, list):
            raise Refused("json", f"{where} must be a list")
        return [conform(v, shape["items"], f"{where}[{i}]") for i, v in enumerate(value)]
    if not isinstance(value, dict):
        raise Refused("json", f"{where} must be an object")
    props: dict[str, Any] = shape.get("props", {})
    names = {name.lower(): name for name in props}
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = names.get(key.lower())
        if name is not None:
            out[name] = conform(item, props[name], f"{where}.{name}" if where else name)
        elif "extra" in shape:
            out[key] = conform(item, shape["extra"], f"{where}[{key!r}]")
        elif not empty(item):
            raise Refused(
                "fields",
                f"{where + '.' if where else ''}{key} is not a field this lab passes (API {API_VERSION})",
            )
    return out


def conform_body(operation: str, raw: bytes) -> Any:
    shape = operations()[operation]["body"]
    return conform(parse_json(raw or b"{}"), shape, "")
