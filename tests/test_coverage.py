"""Every operation of the Engine API's groups (all but plugins and sessions) has a method."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from dockmagic.engine import Engine

GROUPS = {
    "Container",
    "Exec",
    "Image",
    "Network",
    "Volume",
    "System",
    "Swarm",
    "Node",
    "Service",
    "Task",
    "Secret",
    "Config",
    "Distribution",
}
# A copy of ../shared/engine-api/operations-v1.51.tsv (Apache-2.0, from moby/moby).
OPERATIONS = Path(__file__).parent / "data" / "operations-v1.51.tsv"


def snake(operation_id: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower()


def test_every_operation_has_a_client_method() -> None:
    with OPERATIONS.open() as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["tag"] in GROUPS]
    assert len(rows) > 60
    missing = [
        f"{r['operationId']} ({r['method']} {r['path']}) -> Engine.{snake(r['operationId'])}"
        for r in rows
        if not callable(getattr(Engine, snake(r["operationId"]), None))
    ]
    assert not missing, "operations without a client method:\n" + "\n".join(missing)
