"""Row-level security of the routing index: a workspace reads its organization's claims
and writes only its own (ADR 0036)."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.tenancy.service import BootstrapResult
from orchestrator.core.webhooks.models import WebhookRoute
from tests.support.control_api import operator_api
from tests.support.factories import new_tenant
from tests.support.stack import Stack
from tests.support.webhooks import slack_source

pytestmark = pytest.mark.integration


async def claims(
    sessions: async_sessionmaker[AsyncSession], tenant: BootstrapResult
) -> list[tuple[str, uuid.UUID]]:
    async with tenant_transaction(sessions, tenant.tenant_id) as session:
        rows = await session.scalars(select(WebhookRoute).order_by(WebhookRoute.value))
        return [(row.value, row.tenant_id) for row in rows]


async def test_a_workspace_reads_its_organizations_claims_and_no_other(
    stack: Stack,
    http: httpx.AsyncClient,
    app_sessions: async_sessionmaker[AsyncSession],
    kek: KeyEncryptionKey,
    other_tenant: BootstrapResult,
) -> None:
    name = f"org-{uuid.uuid4().hex[:8]}"
    a = await new_tenant(app_sessions, kek, org=name)
    b = await new_tenant(app_sessions, kek, org=name)
    api = await operator_api(http, stack, b)
    made = await slack_source(api, "a", {"channel": ["CA"]}, workspace=str(a.tenant_id))
    assert made.status_code == 201, made.text
    made = await slack_source(api, "b", {"channel": ["CB"]}, workspace=str(b.tenant_id))
    assert made.status_code == 201, made.text
    foreign = await slack_source(
        await operator_api(http, stack, other_tenant), "x", {"channel": ["CX"]}
    )
    assert foreign.status_code == 201, foreign.text

    expected = [("CA", a.tenant_id), ("CB", b.tenant_id)]
    assert await claims(app_sessions, a) == expected
    assert await claims(app_sessions, b) == expected
    assert await claims(app_sessions, other_tenant) == [("CX", other_tenant.tenant_id)]


async def test_a_workspace_cannot_remove_a_siblings_claims(
    stack: Stack,
    http: httpx.AsyncClient,
    app_sessions: async_sessionmaker[AsyncSession],
    kek: KeyEncryptionKey,
) -> None:
    name = f"org-{uuid.uuid4().hex[:8]}"
    a = await new_tenant(app_sessions, kek, org=name)
    b = await new_tenant(app_sessions, kek, org=name)
    api = await operator_api(http, stack, b)
    made = await slack_source(api, "b", {"channel": ["CB"]}, workspace=str(b.tenant_id))
    assert made.status_code == 201, made.text
    async with tenant_transaction(app_sessions, a.tenant_id) as session:
        await session.execute(delete(WebhookRoute).where(WebhookRoute.value == "CB"))
    assert await claims(app_sessions, b) == [("CB", b.tenant_id)]
