"""An ingress SIGKILLed in the middle of a burst loses nothing it answered 200 to."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import msgspec
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.db.tenant import set_tenant
from orchestrator.core.tenancy.service import BootstrapResult
from orchestrator.core.webhooks.models import WebhookInboxEntry
from tests.support.control_api import operator_api
from tests.support.stack import Service, Stack, start_service, wait_ready
from tests.support.upstream import UpstreamServer
from tests.support.webhooks import bind, stripe_headers, stripe_source

pytestmark = pytest.mark.integration

DELIVERIES = 200
KILL_AFTER = 50
"""The ingress dies once this many deliveries were answered 200 (others in flight)."""
CONCURRENCY = 16


async def deliver(http: httpx.AsyncClient, ingress: Service, source_id: str, body: bytes) -> bool:
    """POST one signed delivery; whether it was answered 2xx (a dead ingress answers none)."""
    try:
        answer = await http.post(
            f"{ingress.url}/webhooks/{source_id}", content=body, headers=stripe_headers(body)
        )
    except httpx.HTTPError:
        return False
    return answer.is_success


async def stored(owner: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID, source: str) -> int:
    async with owner() as session, session.begin():
        await set_tenant(session, tenant_id)
        count = await session.scalar(
            select(func.count()).where(WebhookInboxEntry.source_id == uuid.UUID(source))
        )
    return int(count or 0)


async def test_an_ingress_killed_right_after_answering_loses_nothing(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    service_env: dict[str, str],
    upstream: UpstreamServer,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    api = await operator_api(http, stack, tenant)
    source_id = await stripe_source(api)
    connector = f"c-{uuid.uuid4().hex[:8]}"
    config = {
        "base_url": f"{upstream.url}/crash",
        "operations": {"record": {"method": "POST", "path": "/{id}"}},
    }
    made = await api.write(
        "POST", "/connectors", {"name": connector, "type": "http", "config": config}
    )
    assert made.status_code == 201, made.text
    # Each event becomes a job that POSTs to /crash/<event id>: one upstream call per event.
    await bind(
        api,
        source_id,
        {
            "action": "job",
            "connector": connector,
            "operation": "record",
            "payload_mapping": {"id": "/id"},
        },
    )
    ids = [f"evt_{uuid.uuid4().hex}" for _ in range(DELIVERIES)]
    bodies = [msgspec.json.encode({"id": i, "type": "charge.succeeded"}) for i in ids]

    ingress = start_service("ingress-crash", "orchestrator.webhook_ingress", service_env)
    try:
        wait_ready(ingress)
        answered: set[int] = set()
        gate = asyncio.Semaphore(CONCURRENCY)

        async def send(index: int) -> None:
            async with gate:
                if ingress.process.poll() is not None:
                    return  # dead: a provider would retry later
                if await deliver(http, ingress, source_id, bodies[index]):
                    answered.add(index)
                    if len(answered) == KILL_AFTER:
                        ingress.kill()  # SIGKILL, with requests still in flight

        await asyncio.gather(*(send(i) for i in range(DELIVERIES)))
        assert KILL_AFTER <= len(answered) < DELIVERIES, len(answered)
    finally:
        ingress.stop()

    # Every delivery answered 200 is already durable: none of them is sent again.
    again = start_service("ingress-crash-2", "orchestrator.webhook_ingress", service_env)
    try:
        wait_ready(again)
        unanswered = [i for i in range(DELIVERIES) if i not in answered]
        resent = await asyncio.gather(
            *(deliver(http, again, source_id, bodies[i]) for i in unanswered)
        )
        assert all(resent)
    finally:
        again.stop()

    await upstream.until_calls(DELIVERIES, wait_s=30)
    assert await stored(owner_sessions, tenant.tenant_id, source_id) == DELIVERIES
    assert {i: upstream.calls(f"/crash/{i}") for i in ids} == dict.fromkeys(ids, 1)
    await asyncio.sleep(0.5)  # nothing more arrives late
    assert upstream.calls_under("/crash/") == DELIVERIES
