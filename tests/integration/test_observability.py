"""Every request is logged as one JSON line with its request and tenant ids, and counted."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx

from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.factories import fetch_token
from tests.support.stack import Stack, start_service, wait_ready


async def access_line(stack: Stack, service: str, request_id: str) -> dict[str, Any]:
    """The service's access-log line for ``request_id`` (logs are flushed per line)."""
    for _ in range(50):
        for line in stack.services[service].log().splitlines():
            if request_id in line and '"msg":"request"' in line:
                entry: dict[str, Any] = json.loads(line)
                return entry
        await asyncio.sleep(0.05)
    raise AssertionError(f"no access line for {request_id} in {service}'s log")


async def test_an_authenticated_request_is_logged_with_request_and_tenant_ids(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    token = await fetch_token(
        http, stack.url("control-api"), tenant.exec_client_id, tenant.exec_client_secret
    )
    request_id = f"req-{uuid.uuid4().hex}"
    response = await http.get(
        f"{stack.url('exec-api')}/api/v1/workspace",
        headers={"Authorization": f"Bearer {token}", "X-Request-ID": request_id},
    )
    assert response.status_code == 200, response.text
    assert response.headers["x-request-id"] == request_id
    entry = await access_line(stack, "exec-api", request_id)
    assert entry["tenant_id"] == str(tenant.tenant_id)
    assert entry["service"] == "exec-api"
    assert (entry["method"], entry["route"], entry["status"]) == ("GET", "/api/v1/workspace", 200)
    assert entry["duration_ms"] > 0


async def test_a_refused_request_is_logged_without_a_tenant_and_echoes_a_minted_id(
    stack: Stack, http: httpx.AsyncClient
) -> None:
    response = await http.get(f"{stack.url('exec-api')}/api/v1/workspace")
    assert response.status_code == 401
    request_id = response.headers["x-request-id"]
    assert response.json()["request_id"] == request_id
    entry = await access_line(stack, "exec-api", request_id)
    assert entry["tenant_id"] is None
    assert entry["status"] == 401


async def test_an_unsafe_request_id_is_replaced(stack: Stack, http: httpx.AsyncClient) -> None:
    response = await http.get(
        f"{stack.url('exec-api')}/health", headers={"X-Request-ID": "bad id\twith spaces"}
    )
    assert response.headers["x-request-id"] != "bad id\twith spaces"
    assert len(response.headers["x-request-id"]) == 32


def sample(metrics: str, name: str, **labels: str) -> float:
    """The value of one Prometheus sample, 0 when absent."""
    wanted = [f'{key}="{value}"' for key, value in labels.items()]
    for line in metrics.splitlines():
        if line.startswith(f"{name}{{") and all(part in line for part in wanted):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_requests_are_counted_and_timed_by_route_template_and_status(
    stack: Stack, http: httpx.AsyncClient
) -> None:
    control = stack.url("control-api")
    labels = {"method": "GET", "route": "/api/v1/workspaces/{workspace_id}", "status": "401"}
    before = sample(
        (await http.get(f"{control}/metrics")).text, "orchestrator_http_requests_total", **labels
    )
    for _ in range(3):
        await http.get(f"{control}/api/v1/workspaces/{uuid.uuid4()}")
    metrics = (await http.get(f"{control}/metrics")).text
    after = sample(metrics, "orchestrator_http_requests_total", **labels)
    assert after - before == 3
    # One series per route template: the raw ids never become labels.
    assert "/api/v1/workspaces/0" not in metrics
    assert (
        sample(
            metrics,
            "orchestrator_http_request_duration_seconds_count",
            method="GET",
            route="/api/v1/workspaces/{workspace_id}",
        )
        >= 3
    )


async def test_the_access_lines_of_the_last_requests_are_written_when_a_service_stops(
    service_env: dict[str, str], stack: Stack, http: httpx.AsyncClient
) -> None:
    # Access lines go out in batches (line_sink.py): a stop must not lose the last batch.
    service = start_service("exec-api-stopping", "orchestrator.exec_api", service_env)
    try:
        await asyncio.to_thread(wait_ready, service)
        ids = [f"last-{uuid.uuid4().hex}" for _ in range(5)]
        for request_id in ids:
            response = await http.get(f"{service.url}/health", headers={"X-Request-ID": request_id})
            assert response.status_code == 200
    finally:
        service.stop()
    log = service.log()
    assert all(f'"request_id":"{request_id}"' in log for request_id in ids), log[-2000:]
