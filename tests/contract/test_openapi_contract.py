"""Each HTTP API keeps the promises of its own OpenAPI document.

Schemathesis (its CLI, as CI would run it) generates valid and invalid requests from
``<service>/schema/openapi.json`` and runs every check: no 5xx, only documented status
codes, content types, headers and bodies, invalid input refused, valid input accepted,
secured operations refusing missing or bad credentials. Settings it cannot take on the
command line are in ``schemathesis.toml`` next to this file.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.factories import fetch_token
from tests.support.stack import Stack

pytestmark = pytest.mark.contract

CONFIG = Path(__file__).with_name("schemathesis.toml")
MAX_EXAMPLES = 50
RUN_TIMEOUT_S = 240
PROBLEM = "application/problem+json"

# Each API and the identity whose token it takes (the ingress has no secured route yet).
APIS = [("control-api", "control"), ("exec-api", "exec"), ("webhook-ingress", None)]


async def bearer_header(
    http: httpx.AsyncClient, stack: Stack, tenant: BootstrapResult, identity: str | None
) -> list[str]:
    """``-H`` arguments carrying a valid token of ``identity``, if any."""
    if identity is None:
        return []
    client_id, secret = {
        "control": (tenant.control_client_id, tenant.control_client_secret),
        "exec": (tenant.exec_client_id, tenant.exec_client_secret),
    }[identity]
    token = await fetch_token(http, stack.url("control-api"), client_id, secret)
    return ["-H", f"Authorization: Bearer {token}"]


@pytest.mark.parametrize(("service", "identity"), APIS, ids=[name for name, _ in APIS])
async def test_api_conforms_to_its_openapi_document(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    tmp_path: Path,
    service: str,
    identity: str | None,
) -> None:
    argv = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(CONFIG),
        "run",
        f"{stack.url(service)}/schema/openapi.json",
        "--checks",
        "all",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--generation-database",
        "none",
        "--request-timeout",
        "10",
        "--no-color",
        # A live event stream never ends by itself: tests/integration/test_events.py covers it.
        "--exclude-path",
        "/api/v1/events/stream",
        *await bearer_header(http, stack, tenant, identity),
    ]
    # In tmp_path, so nothing schemathesis caches lands in the repository.
    process = await asyncio.create_subprocess_exec(
        *argv,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), RUN_TIMEOUT_S)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    report = output.decode(errors="replace")
    assert process.returncode == 0, f"schemathesis failed against {service}:\n{report}"


def _error_responses(document: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, status, response)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        for status, response in operation["responses"].items()
        if status[0] in "45"
    ]


@pytest.mark.parametrize("service", [name for name, _ in APIS])
async def test_every_documented_error_is_a_problem_document(
    stack: Stack, http: httpx.AsyncClient, service: str
) -> None:
    response = await http.get(f"{stack.url(service)}/schema/openapi.json")
    assert response.status_code == 200, response.text
    document = response.json()
    errors = _error_responses(document)
    assert errors, "every API documents at least /ready's 503"
    for method, path, status, spec in errors:
        assert list(spec.get("content", {})) == [PROBLEM], (method, path, status, spec)
        schema = spec["content"][PROBLEM]["schema"]
        assert schema == {"$ref": "#/components/schemas/ProblemDetails"}, (method, path, status)
    problem = document["components"]["schemas"]["ProblemDetails"]
    assert set(problem["required"]) >= {"type", "title", "status", "detail", "instance"}
