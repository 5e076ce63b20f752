"""Each HTTP service's OpenAPI document, as its app renders it (no server needed).

``python -m tests.support.openapi DIR`` writes them to ``DIR`` as ``<service>.json``:
that is how ``tests/contract/openapi/`` was made, from the code before a change that
must not alter them (``tests/contract/test_openapi_unchanged.py``).
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.serialization import decode_json, encode_json

SERVICES = ("control_api", "exec_api", "webhook_ingress")


def litestar_of(app: Any) -> Litestar:
    """The framework app inside a service's middleware."""
    while not isinstance(app, Litestar):
        app = app.app
    return app


def rendered(service: str) -> dict[str, Any]:
    """``service``'s OpenAPI document, as ``/schema/openapi.json`` serves it."""
    module = importlib.import_module(f"orchestrator.{service}.app")
    document = litestar_of(module.create_app()).openapi_schema.to_schema()
    schema: dict[str, Any] = decode_json(encode_json(document))  # as the route encodes it
    return schema


def dumped(schema: dict[str, Any]) -> str:
    """One stable text of a document (sorted keys), for files and diffs."""
    return json.dumps(schema, indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    target = Path(sys.argv[1])
    target.mkdir(parents=True, exist_ok=True)
    for name in SERVICES:
        (target / f"{name}.json").write_text(dumped(rendered(name)))
