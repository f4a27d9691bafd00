"""Writes ``dockmagic/lab/api-v1.41.json`` from the Engine API spec: for every operation of the spec,
its method, path, query and header parameters (with their types) and the shape of its JSON body,
``$ref``s and ``allOf`` resolved. The lab proxy passes nothing that this table does not name.

    python -m tools.lab_api [SPEC]   (default: ../shared/engine-api/v1.41.yaml)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

OUT = Path(__file__).parents[1] / "dockmagic" / "lab" / "api-v1.41.json"
SPEC = Path(__file__).parents[2] / "shared" / "engine-api" / "v1.41.yaml"


def shape(schema: dict[str, Any], spec: dict[str, Any], depth: int = 0) -> Any:
    """A schema cut to what the proxy checks: types, properties, items, additional properties."""
    if depth > 12:
        return "any"
    if "$ref" in schema:
        return shape(spec["definitions"][schema["$ref"].rsplit("/", 1)[1]], spec, depth + 1)
    if "allOf" in schema:
        parts = [shape(part, spec, depth + 1) for part in schema["allOf"]]
        if all(isinstance(part, str) for part in parts):  # a description around a plain type
            return parts[0]
        props: dict[str, Any] = {}
        for part in [*schema["allOf"], {k: v for k, v in schema.items() if k != "allOf"}]:
            part_shape = shape(part, spec, depth + 1)
            if isinstance(part_shape, dict):
                props.update(part_shape.get("props", {}))
        return {"type": "object", "props": props}
    kind = schema.get("type")
    if kind == "object" or "properties" in schema or "additionalProperties" in schema:
        out: dict[str, Any] = {"type": "object"}
        if "properties" in schema:
            out["props"] = {k: shape(v, spec, depth + 1) for k, v in schema["properties"].items()}
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            out["extra"] = shape(extra, spec, depth + 1) if extra else "any"
        elif extra is True or "properties" not in schema:
            out["extra"] = "any"
        return out
    if kind == "array":
        return {"type": "array", "items": shape(schema.get("items") or {}, spec, depth + 1)}
    return kind or "any"


def table(spec: dict[str, Any]) -> dict[str, Any]:
    ops: dict[str, Any] = {}
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            query, headers, body = {}, [], None
            for p in op.get("parameters") or []:
                if p["in"] == "query":
                    query[p["name"]] = p.get("type", "string")
                elif p["in"] == "header":
                    headers.append(p["name"])
                elif p["in"] == "body":
                    body = shape(p.get("schema") or {}, spec)
            ops[op["operationId"]] = {
                "method": method.upper(),
                "path": path,
                "query": query,
                "headers": headers,
                "consumes": op.get("consumes") or [],
                "body": body,
            }
    return {"version": spec["info"]["version"], "operations": ops}


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else SPEC
    spec = yaml.safe_load(source.read_text(encoding="utf-8"))
    OUT.write_text(json.dumps(table(spec), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(table(spec)['operations'])} operations of API {spec['info']['version']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
