"""A rollback while a workflow run is moving (ADR 0077's rule): the run keeps the definition
it started with, and a later step whose connector the active version lacks cannot be
queued: it is ``not_started`` and the run fails, compensating the steps before it as any
failed step does."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.control_api import Api, operator_api
from tests.support.durability import until
from tests.support.jobs import exec_headers
from tests.support.stack import Stack
from tests.support.upstream import UpstreamServer

pytestmark = pytest.mark.integration


def connector(upstream: UpstreamServer, operation: str) -> dict[str, Any]:
    """An ``http`` connector of one operation: POST /wf/{order}/<operation>."""
    return {
        "type": "http",
        "config": {
            "base_url": upstream.url,
            "operations": {operation: {"method": "POST", "path": f"/wf/{{order}}/{operation}"}},
        },
    }


def step(name: str, connector_name: str) -> dict[str, Any]:
    payload = {"order": {"$ref": "/input/order"}}
    return {"name": name, "connector": connector_name, "operation": name, "payload": payload}


async def made(api: Api, path: str, body: dict[str, Any]) -> None:
    answer = await api.write("POST", path, body)
    assert answer.status_code == 201, answer.text


async def test_a_step_whose_connector_a_rollback_removed_fails_and_the_run_ends(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult, upstream: UpstreamServer
) -> None:
    api = await operator_api(http, stack, tenant)
    await made(api, "/connectors", {"name": "first", **connector(upstream, "hold")})  # v1
    await made(api, "/connectors", {"name": "second", **connector(upstream, "notify")})  # v2
    steps = [step("hold", "first"), step("notify", "second")]
    await made(api, "/workflows", {"name": "flow", "steps": steps})  # v3
    order = uuid.uuid4().hex[:12]
    upstream.delay(f"/wf/{order}/hold", ms=1500)  # the run is still on its first step

    headers = await exec_headers(http, stack, tenant)
    base = stack.url("exec-api")
    started = await http.post(
        f"{base}/api/v1/workflows/flow/runs", json={"input": {"order": order}}, headers=headers
    )
    assert started.status_code == 202, started.text
    assert await upstream.until_calls(1, f"/wf/{order}/hold") == 1
    moved = await api.write(
        "POST", "/versions/1/activate", expected_active_version=3, reason="back to one connector"
    )
    assert moved.status_code == 200, moved.text  # the running run does not hold it back

    run: dict[str, Any] = {}

    async def ended() -> bool:
        answer = await http.get(
            f"{base}/api/v1/workflow-runs/{started.json()['id']}", headers=headers
        )
        run.update(answer.json())
        return run["status"] not in ("running", "compensating")

    assert await until(ended, timeout_s=20, every_s=0.1), run
    assert run["status"] == "failed", run
    assert [s["status"] for s in run["steps"]] == ["succeeded", "not_started"], run
    assert "notify" in run["error"], run["error"]
    assert "second" in run["error"], run["error"]
    assert upstream.calls(f"/wf/{order}/notify") == 0
