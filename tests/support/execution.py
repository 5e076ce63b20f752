"""Set up a connector through the control-api and call it through the exec-api."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.control_api import Api, operator_api
from tests.support.factories import fetch_token
from tests.support.stack import Stack
from tests.support.upstream import UpstreamServer

PROBLEM = "application/problem+json"
QUEUEING_POLICY: dict[str, Any] = {
    "retry": {"max_attempts": 1},
    "breaker": {"window_size": 2, "minimum_calls": 2, "wait_open_s": 60, "half_open_calls": 1},
    "degradation": {"mode": "queue", "queue_delay_s": 90},
}
"""A policy whose breaker opens after two failed calls, then queues calls as jobs 90 s out."""

ORDER_SCHEMA = {
    "type": "object",
    "required": ["id", "amount"],
    "properties": {"id": {"type": "string"}, "amount": {"type": "integer", "minimum": 1}},
}


def http_connector(
    upstream: UpstreamServer, *, idempotent: bool = True, output_schema: Any = None
) -> dict[str, Any]:
    """An ``http`` connector with one operation, ``charge``: POST /charges/{id} (its answers
    held to ``output_schema`` when given)."""
    charge: dict[str, Any] = {
        "method": "POST",
        "path": "/charges/{id}",
        "payload_schema": ORDER_SCHEMA,
        "idempotent": idempotent,
    }
    if output_schema is not None:
        charge["output_schema"] = output_schema
    return {"base_url": upstream.url, "operations": {"charge": charge}}


@dataclass
class Caller:
    """One tenant: its operator (control-api) and its product backend (exec-api)."""

    operator: Api
    exec_url: str
    exec_headers: dict[str, str]
    http: httpx.AsyncClient

    async def connector(
        self, upstream: UpstreamServer, policy: dict[str, Any] | None = None, **options: Any
    ) -> str:
        """A new connector (with its own policy when given); returns its name."""
        name = f"c-{uuid.uuid4().hex[:8]}"
        policy_name = await self.policy(policy, f"p-{name}")
        made = await self.operator.write(
            "POST",
            "/connectors",
            {
                "name": name,
                "type": "http",
                "config": http_connector(upstream, **options),
                "policy": policy_name,
            },
        )
        assert made.status_code == 201, made.text
        return name

    async def policy(self, spec: dict[str, Any] | None, name: str | None = None) -> str | None:
        """A new policy with ``spec`` (its name, ``name`` or a new one), or None when there
        is no spec."""
        if spec is None:
            return None
        name = name or f"p-{uuid.uuid4().hex[:8]}"
        made = await self.operator.write("POST", "/policies", {"name": name, "spec": spec})
        assert made.status_code == 201, made.text
        return name

    async def submit_job(self, connector: str, operation: str, payload: Any) -> str:
        """``POST /api/v1/jobs``: the new job's id."""
        submitted = await self.http.post(
            f"{self.exec_url}/api/v1/jobs",
            json={"connector": connector, "operation": operation, "payload": payload},
            headers=self.exec_headers,
        )
        assert submitted.status_code == 202, submitted.text
        return str(submitted.json()["id"])

    async def finished_job(self, job_id: str, *, timeout_s: float = 20) -> dict[str, Any]:
        """The job once it ended (succeeded, failed or dead), or as it was at the timeout."""
        job: dict[str, Any] = {}
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            job = (
                await self.http.get(
                    f"{self.exec_url}/api/v1/jobs/{job_id}", headers=self.exec_headers
                )
            ).json()
            if job["status"] in ("succeeded", "failed", "dead"):
                break
            await asyncio.sleep(0.05)
        return job

    async def execute(
        self,
        connector: str,
        payload: dict[str, Any] | None = None,
        *,
        operation: str = "charge",
        key: str | None = None,
    ) -> httpx.Response:
        """``POST /api/v1/execute``."""
        headers = dict(self.exec_headers)
        if key is not None:
            headers["Idempotency-Key"] = key
        return await self.http.post(
            f"{self.exec_url}/api/v1/execute",
            json={
                "connector": connector,
                "operation": operation,
                "payload": {"id": "o-1", "amount": 5} if payload is None else payload,
            },
            headers=headers,
        )


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The problem+json body of ``response``, asserted to be ``status`` of type ``code``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert str(body["type"]).endswith(code), body
    return body


async def caller(http: httpx.AsyncClient, stack: Stack, tenant: BootstrapResult) -> Caller:
    """The tenant's operator and exec identities, with tokens."""
    token = await fetch_token(
        http, stack.url("control-api"), tenant.exec_client_id, tenant.exec_client_secret
    )
    return Caller(
        operator=await operator_api(http, stack, tenant),
        exec_url=stack.url("exec-api"),
        exec_headers={"Authorization": f"Bearer {token}"},
        http=http,
    )
