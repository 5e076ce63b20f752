"""Every error of every HTTP API is an RFC 9457 problem, and no client mistake is a 500.

The webhook-ingress has no authenticated or body-taking route yet, so it is covered by
the routing cases (404, 405) and the request-id cases only.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from orchestrator.core.settings import CoreSettings
from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.factories import fetch_token
from tests.support.stack import Stack

PROBLEM = "application/problem+json"
HTTP_APIS = ("control-api", "exec-api", "webhook-ingress")

# Where each audience's token is checked: (service, method, path).
CONTROL_ROUTE = ("control-api", "GET", "/api/v1/workspaces")
EXEC_ROUTE = ("exec-api", "GET", "/api/v1/workspace")
# JSON routes of the control-api that need a valid control token to reach their body.
JSON_ROUTES = ("/api/v1/workspaces", "/api/v1/tokens/revoke")
VALID_BODIES = {
    "/api/v1/workspaces": {"name": "never-created", "environment": "dev", "reason": "a test"},
    "/api/v1/tokens/revoke": {"token": "a.b.c", "reason": "a test"},
}


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """``response`` is a problem document of ``status`` carrying its request id."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0].strip() == PROBLEM, response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == response.status_code
    for member in ("type", "title", "detail"):
        assert isinstance(body[member], str), body
        assert body[member], body
    assert body["type"].startswith("urn:orchestrator:problem:"), body
    assert body["request_id"] == response.headers["x-request-id"], body
    return body


@pytest.fixture
async def tokens(stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult) -> dict[str, str]:
    """One valid token per audience, for the tenant's exec and control identities."""
    control = stack.url("control-api")
    return {
        "control": await fetch_token(
            http, control, tenant.control_client_id, tenant.control_client_secret
        ),
        "exec": await fetch_token(http, control, tenant.exec_client_id, tenant.exec_client_secret),
    }


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("service", HTTP_APIS)
@pytest.mark.parametrize("path", ["/api/v1/no-such-thing", "/health/extra"])
async def test_unknown_route_is_a_404_problem(
    stack: Stack, http: httpx.AsyncClient, service: str, path: str
) -> None:
    response = await http.get(stack.url(service) + path)
    assert_problem(response, 404)


@pytest.mark.parametrize("service", HTTP_APIS)
@pytest.mark.parametrize("path", ["/%00", "/api/v1/x%00y", "/health?x=%00"])
async def test_a_nul_in_the_path_or_query_is_a_400_problem_before_routing(
    stack: Stack, http: httpx.AsyncClient, service: str, path: str
) -> None:
    response = await http.get(stack.url(service) + path)
    assert_problem(response, 400)


@pytest.mark.parametrize("service", HTTP_APIS)
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
async def test_wrong_method_is_a_405_problem_listing_the_allowed_ones(
    stack: Stack, http: httpx.AsyncClient, service: str, method: str
) -> None:
    response = await http.request(method, stack.url(service) + "/health", json={})
    assert_problem(response, 405)
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET", "OPTIONS"}


async def test_options_lists_every_method_of_a_path(stack: Stack, http: httpx.AsyncClient) -> None:
    response = await http.options(stack.url("control-api") + "/api/v1/workspaces")
    assert response.status_code == 204
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {
        "GET",
        "OPTIONS",
        "POST",
    }


@pytest.mark.parametrize(("service", "method", "path"), [CONTROL_ROUTE, EXEC_ROUTE])
@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer garbage",
        "Bearer a.b.c",
        "Bearer " + "x" * 9000,
        "Basic " + base64.b64encode(b"user:pass").decode(),
        "Token abc",
    ],
    ids=[
        "absent",
        "empty",
        "no-token",
        "garbage",
        "bad-jws",
        "huge",
        "basic",
        "scheme",
    ],
)
async def test_missing_or_garbage_bearer_token_is_a_401_problem(
    stack: Stack,
    http: httpx.AsyncClient,
    service: str,
    method: str,
    path: str,
    authorization: str | None,
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = await http.request(method, stack.url(service) + path, headers=headers)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("route", "audience"),
    [(CONTROL_ROUTE, "exec"), (EXEC_ROUTE, "control")],
    ids=["control", "exec"],
)
async def test_token_of_the_other_audience_is_a_401_problem(
    stack: Stack,
    http: httpx.AsyncClient,
    tokens: dict[str, str],
    route: tuple[str, str, str],
    audience: str,
) -> None:
    service, method, path = route
    response = await http.request(
        method, stack.url(service) + path, headers=bearer(tokens[audience])
    )
    assert_problem(response, 401)


@pytest.mark.parametrize("path", JSON_ROUTES)
@pytest.mark.parametrize(
    "content",
    [b"{", b'{"name": ', b"not json", b"\xff\xfe", b"", b"null", b"[]", b'"text"', b"{}"],
    ids=[
        "open-brace",
        "truncated",
        "bare-word",
        "not-utf8",
        "empty",
        "null",
        "array",
        "string",
        "empty-object",
    ],
)
async def test_malformed_json_body_is_a_400_problem(
    stack: Stack, http: httpx.AsyncClient, tokens: dict[str, str], path: str, content: bytes
) -> None:
    headers = {**bearer(tokens["control"]), "Content-Type": "application/json"}
    response = await http.post(stack.url("control-api") + path, content=content, headers=headers)
    assert_problem(response, 400)


WORKSPACES, REVOKE = JSON_ROUTES
SCHEMA_BREAKS: dict[str, list[tuple[str, dict[str, object]]]] = {
    "unknown-member": [(path, {"unknown": 1}) for path in JSON_ROUTES],
    "wrong-type": [(path, {"reason": 42}) for path in JSON_ROUTES],
    "nul": [(path, {"reason": "\x00\x00\x00"}) for path in JSON_ROUTES],
    "too-long": [(path, {"reason": "x" * 1001}) for path in JSON_ROUTES],
    "nul-operation-id": [(WORKSPACES, {"operation_id": "op\x00"})],
    "name-with-final-newline": [(WORKSPACES, {"name": "ws\n"})],
    "name-with-capitals": [(WORKSPACES, {"name": "Billing"})],
    "unknown-environment": [(WORKSPACES, {"environment": "staging"})],
}


@pytest.mark.parametrize(
    ("path", "change"),
    [case for cases in SCHEMA_BREAKS.values() for case in cases],
    ids=[f"{name}-{path}" for name, cases in SCHEMA_BREAKS.items() for path, _ in cases],
)
async def test_body_breaking_the_schema_is_a_400_problem_naming_the_member(
    stack: Stack,
    http: httpx.AsyncClient,
    tokens: dict[str, str],
    path: str,
    change: dict[str, object],
) -> None:
    body = {**VALID_BODIES[path], **change}
    response = await http.post(
        stack.url("control-api") + path, json=body, headers=bearer(tokens["control"])
    )
    problem = assert_problem(response, 400)
    member = next(iter(change))
    assert any(
        error["key"] == member or f"`{member}`" in error["message"] for error in problem["errors"]
    ), problem


@pytest.mark.parametrize("path", JSON_ROUTES)
@pytest.mark.parametrize(
    ("content_type", "content"),
    [
        ("text/plain", b'{"reason": "json in disguise"}'),
        ("application/x-www-form-urlencoded", b"reason=a+form"),
        ("multipart/form-data; boundary=x", b"--x--"),
        (None, b"{}"),
    ],
    ids=["text", "form", "multipart", "none"],
)
async def test_json_route_given_another_media_type_is_a_415_problem(
    stack: Stack,
    http: httpx.AsyncClient,
    tokens: dict[str, str],
    path: str,
    content_type: str | None,
    content: bytes,
) -> None:
    headers = bearer(tokens["control"])
    if content_type is not None:
        headers["Content-Type"] = content_type
    response = await http.post(stack.url("control-api") + path, content=content, headers=headers)
    assert_problem(response, 415)


@pytest.mark.parametrize(
    ("content_type", "content"),
    [
        ("application/json", b'{"grant_type": "client_credentials"}'),
        ("text/plain", b"grant_type=client_credentials"),
    ],
    ids=["json", "text"],
)
async def test_token_endpoint_given_another_media_type_than_a_form_is_a_415_problem(
    stack: Stack, http: httpx.AsyncClient, content_type: str, content: bytes
) -> None:
    response = await http.post(
        stack.url("control-api") + "/oauth/token",
        content=content,
        headers={"Content-Type": content_type},
    )
    assert_problem(response, 415)


async def _chunks(size: int) -> AsyncIterator[bytes]:
    sent = 0
    while sent < size:
        chunk = b"a" * min(8192, size - sent)
        sent += len(chunk)
        yield chunk


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        *((path, "application/json") for path in JSON_ROUTES),
        ("/oauth/token", "application/x-www-form-urlencoded"),
    ],
)
@pytest.mark.parametrize("framing", ["content-length", "chunked"])
async def test_oversized_body_is_a_413_problem(
    stack: Stack,
    http: httpx.AsyncClient,
    settings: CoreSettings,
    tokens: dict[str, str],
    path: str,
    content_type: str,
    framing: str,
) -> None:
    size = settings.deployment.max_body_bytes + 1
    content = b"a" * size if framing == "content-length" else _chunks(size)
    headers = {**bearer(tokens["control"]), "Content-Type": content_type}
    response = await http.post(stack.url("control-api") + path, content=content, headers=headers)
    assert_problem(response, 413)


@pytest.mark.parametrize("grant_type", ["password", "authorization_code", "", "CLIENT_CREDENTIALS"])
async def test_unknown_grant_type_is_a_400_unsupported_grant_type_problem(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult, grant_type: str
) -> None:
    response = await http.post(
        stack.url("control-api") + "/oauth/token",
        data={
            "grant_type": grant_type,
            "client_id": tenant.control_client_id,
            "client_secret": tenant.control_client_secret,
        },
    )
    assert assert_problem(response, 400)["error"] == "unsupported_grant_type"


@pytest.mark.parametrize("via", ["form", "basic"])
@pytest.mark.parametrize(
    "credentials",
    [
        ("control", "orcs_wrong"),
        ("exec", "orcs_wrong"),
        ("control", ""),
        ("op_unknown", "orcs_wrong"),
        ("svc_unknown", "orcs_wrong"),
        ("nul\x00id", "orcs_wrong"),
    ],
    ids=[
        "control-wrong-secret",
        "exec-wrong-secret",
        "empty-secret",
        "unknown-operator",
        "unknown-service",
        "nul",
    ],
)
async def test_bad_client_credentials_are_a_401_invalid_client_problem(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    via: str,
    credentials: tuple[str, str],
) -> None:
    known = {"control": tenant.control_client_id, "exec": tenant.exec_client_id}
    client_id, secret = known.get(credentials[0], credentials[0]), credentials[1]
    form: dict[str, str] = {"grant_type": "client_credentials"}
    headers: dict[str, str] = {}
    if via == "form":
        form |= {"client_id": client_id, "client_secret": secret}
    else:
        pair = f"{client_id}:{secret}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
    response = await http.post(
        stack.url("control-api") + "/oauth/token", data=form, headers=headers
    )
    assert assert_problem(response, 401)["error"] == "invalid_client"
    assert response.headers["www-authenticate"].startswith("Basic")


@pytest.mark.parametrize(
    "authorization",
    [
        b"Basic",
        b"Basic !!!not-base64!!!",
        b"Basic " + base64.b64encode(b"no-colon"),
        b"Basic " + base64.b64encode(b"\xff\xfe:not-utf8"),
        "Basic \u00e9".encode(),
        b"Basic " + base64.b64encode(b"op_x%00y:secret"),
    ],
    ids=["no-credentials", "bad-base64", "no-colon", "not-utf8", "not-ascii", "escaped-nul"],
)
async def test_malformed_basic_credentials_are_a_401_invalid_client_problem(
    stack: Stack, http: httpx.AsyncClient, authorization: bytes
) -> None:
    response = await http.post(
        stack.url("control-api") + "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={b"Authorization": authorization},
    )
    assert assert_problem(response, 401)["error"] == "invalid_client"


@pytest.mark.parametrize("service", HTTP_APIS)
async def test_request_id_is_echoed_on_success_and_in_problems(
    stack: Stack, http: httpx.AsyncClient, service: str
) -> None:
    request_id = "req-1234.abcd:XYZ_9"
    ok = await http.get(stack.url(service) + "/health", headers={"X-Request-ID": request_id})
    assert ok.status_code == 200
    assert ok.headers["x-request-id"] == request_id
    missing = await http.get(
        stack.url(service) + "/api/v1/no-such-thing", headers={"X-Request-ID": request_id}
    )
    assert assert_problem(missing, 404)["request_id"] == request_id


@pytest.mark.parametrize("service", HTTP_APIS)
@pytest.mark.parametrize(
    "unsafe",
    ["has space", "x" * 101, "new\\nline", "<script>"],
    ids=["space", "long", "escape", "markup"],
)
async def test_unsafe_request_id_is_replaced_by_a_fresh_one(
    stack: Stack, http: httpx.AsyncClient, service: str, unsafe: str
) -> None:
    response = await http.get(
        stack.url(service) + "/api/v1/no-such-thing", headers={"X-Request-ID": unsafe}
    )
    body = assert_problem(response, 404)
    assert body["request_id"] != unsafe
    assert len(body["request_id"]) == 32


async def test_request_id_of_an_authenticated_failure_is_echoed(
    stack: Stack, http: httpx.AsyncClient
) -> None:
    service, method, path = CONTROL_ROUTE
    response = await http.request(
        method, stack.url(service) + path, headers={"X-Request-ID": "trace-401"}
    )
    assert assert_problem(response, 401)["request_id"] == "trace-401"
    assert response.headers["x-request-id"] == "trace-401"
