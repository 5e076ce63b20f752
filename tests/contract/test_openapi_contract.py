"""Each HTTP API keeps the promises of its own OpenAPI document.

Schemathesis (its CLI, as CI would run it) generates valid and invalid requests from
``<service>/schema/openapi.json`` and runs every check: no 5xx, only documented status
codes, content types, headers and bodies, invalid input refused, valid input accepted,
secured operations refusing missing or bad credentials. Settings it cannot take on the
command line are in ``schemathesis.toml`` next to this file.

The webhook-ingress is run twice: once as any client sees it (random source ids, so
404s), once with ``source_id`` pinned to a real source, so that generated deliveries
reach the signature check; a correctly signed delivery is checked on its own.

Two control-api operations can revoke the very token a run calls with: signing out
(``DELETE /api/v1/tokens/self``), and rotating an operator's secret, since schemathesis
feeds the ids ``GET /api/v1/operators`` answered (the caller's among them) into later
cases. Every operation the main run reached afterwards would only ever see 401, so each
has a run of its own, with a token minted for it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from prometheus_client.parser import text_string_to_metric_families
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.contract import (
    CONFIG,
    DELETE_WORKSPACE,
    EVENT_STREAM,
    ROTATION,
    SIGN_OUT,
    bearer_header,
    run_schemathesis,
)
from tests.support.control_api import operator_api
from tests.support.factories import fetch_token
from tests.support.stack import Stack
from tests.support.webhooks import stripe_event, stripe_headers, stripe_source

pytestmark = pytest.mark.contract

PROBLEM = "application/problem+json"

# Each API and the identity whose token it takes (the ingress has no secured route yet).
APIS = [("exec-api", "exec"), ("webhook-ingress", None)]
"""The control-api's main run has files of its own (``test_control_api_*_contract.py``),
so that its two minutes run beside the rest of the suite."""

SELF_REVOKING = {
    # The first accepted call signs out; later ones check the 401s.
    "sign-out": (("--include-name", SIGN_OUT), "examples,coverage,fuzzing"),
    # The operators listed or created give the rotations real ids; sooner or later the
    # caller's own, after which the rest check the 401s.
    "rotation": (
        (
            "--include-name",
            ROTATION,
            "--include-name",
            "GET /api/v1/operators",
            "--include-name",
            "POST /api/v1/operators",
        ),
        "examples,coverage,fuzzing,stateful",
    ),
    # Without links its cases name workspaces that are not the caller's (404) or malformed
    # ones (400, 422); a deletion's own flow is tests/integration/test_deprovisioning.py.
    "deletion": (("--include-name", DELETE_WORKSPACE), "examples,coverage,fuzzing"),
}

DELIVERY_PATH = "/webhooks/{source_id}"
# Appended to CONFIG: every generated delivery goes to this one real source.
PINNED_SOURCE = """
[[operations]]
include-name = "POST {path}"
parameters = {{ "path.source_id" = "{source_id}" }}
"""
DELIVERIES = "orchestrator_webhook_deliveries_total"
# What a response to a hand-built request must satisfy (checks that send requests of their
# own, such as positive_data_acceptance, belong to the generated runs).
RESPONSE_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.mark.parametrize(("service", "identity"), APIS, ids=[name for name, _ in APIS])
async def test_api_conforms_to_its_openapi_document(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    tmp_path: Path,
    service: str,
    identity: str | None,
) -> None:
    await run_schemathesis(
        stack.url(service),
        tmp_path,
        "--exclude-path",
        EVENT_STREAM,
        *await bearer_header(http, stack, tenant, identity),
    )


@pytest.mark.parametrize("run", list(SELF_REVOKING))
async def test_operations_revoking_their_caller_conform_to_the_control_api_document(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult, tmp_path: Path, run: str
) -> None:
    options, phases = SELF_REVOKING[run]
    await run_schemathesis(
        stack.url("control-api"),
        tmp_path,
        *options,
        *await bearer_header(http, stack, tenant, "control"),
        phases=phases,
    )


PLATFORM_PATHS = "^/api/v1/organizations"
"""The control-api's platform routes: a tenant's operator is refused there (403), so they
are run again with a platform operator's token, to reach their handlers."""


async def test_platform_routes_conform_to_the_control_api_document(
    stack: Stack, http: httpx.AsyncClient, platform_operator: tuple[str, str], tmp_path: Path
) -> None:
    base = stack.url("control-api")
    token = await fetch_token(http, base, *platform_operator)
    await run_schemathesis(
        base,
        tmp_path,
        "--include-path-regex",
        PLATFORM_PATHS,
        "-H",
        f"Authorization: Bearer {token}",
    )


async def delivery_counts(http: httpx.AsyncClient, stack: Stack) -> dict[tuple[str, str], float]:
    """The ingress's delivery counter by (provider, outcome)."""
    text = (await http.get(f"{stack.url('webhook-ingress')}/metrics")).text
    return {
        (sample.labels["provider"], sample.labels["outcome"]): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == DELIVERIES
    }


async def test_ingress_deliveries_to_a_real_source_conform_to_its_openapi_document(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult, tmp_path: Path
) -> None:
    source_id = await stripe_source(await operator_api(http, stack, tenant))
    config = tmp_path / "schemathesis.toml"
    pin = PINNED_SOURCE.format(path=DELIVERY_PATH, source_id=source_id)
    config.write_text(CONFIG.read_text() + pin)
    before = await delivery_counts(http, stack)

    await run_schemathesis(
        stack.url("webhook-ingress"),
        tmp_path,
        "--include-path",
        DELIVERY_PATH,
        config=config,
        phases="examples,coverage,fuzzing",
    )

    after = await delivery_counts(http, stack)
    moved = {
        key: after[key] - before.get(key, 0.0) for key in after if after[key] != before.get(key)
    }
    # Generated bodies carry no Stripe signature: every one reached the source and was
    # refused by the signature check, none by the lookup. (Schemathesis warns that the
    # operation "returned only 401/403": that is the point here, and not a failure.)
    assert moved.get(("stripe", "unauthorized"), 0) > 0, moved
    assert set(moved) == {("stripe", "unauthorized")}, moved


async def test_a_signed_delivery_to_the_ingress_is_answered_as_documented(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    base = stack.url("webhook-ingress")
    document = (await http.get(f"{base}/schema/openapi.json")).json()
    operation = schemathesis.openapi.from_dict(document)[DELIVERY_PATH]["POST"]
    source_id = await stripe_source(await operator_api(http, stack, tenant))
    body = stripe_event()
    answers = []
    for headers, expected in (
        (stripe_headers(body), {"status": "accepted"}),
        (stripe_headers(body), {"status": "duplicate"}),
        (stripe_headers(body, secret="whsec_someone_else"), None),
    ):
        case = operation.Case(path_parameters={"source_id": source_id}, headers=headers, body=body)
        response = await http.post(f"{base}/webhooks/{source_id}", content=body, headers=headers)
        case.validate_response(response, checks=RESPONSE_CHECKS)
        answers.append(response.status_code)
        if expected is not None:
            assert response.json() == expected
    assert answers == [200, 200, 401]


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
