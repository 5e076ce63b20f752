"""Webhook-inbox retention: processed events and finished forwards go by age; events not
yet routed and forwards still pending stay, and each workspace's purge sees only its own."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.maintenance import chores as maintenance
from orchestrator.core.tenancy.service import BootstrapResult
from orchestrator.core.webhooks import retention
from orchestrator.core.webhooks.models import WebhookForward, WebhookInboxEntry
from tests.support.control_api import operator_api
from tests.support.factories import new_tenant
from tests.support.stack import Stack
from tests.support.webhooks import bind, slack_event, slack_source, store_delivery

pytestmark = pytest.mark.integration
KEEP = dt.timedelta(days=30)
OLD = dt.timedelta(days=40)
RECENT = dt.timedelta(days=1)


class Workspace:
    """One workspace's source and binding, and rows of the inbox and forwards by label."""

    def __init__(self, tenant_id: uuid.UUID, source_id: uuid.UUID, binding_id: uuid.UUID) -> None:
        self.tenant_id, self.source_id, self.binding_id = tenant_id, source_id, binding_id
        self.entries: dict[str, uuid.UUID] = {}
        self.forwards: dict[str, uuid.UUID] = {}


async def workspace(http: httpx.AsyncClient, stack: Stack, tenant: BootstrapResult) -> Workspace:
    api = await operator_api(http, stack, tenant)
    made = await slack_source(api, f"s-{uuid.uuid4().hex[:6]}", {})
    assert made.status_code == 201, made.text
    source_id = made.json()["id"]
    binding = await bind(
        api, source_id, {"action": "forward", "forward_url": "http://127.0.0.1:9/x"}
    )
    return Workspace(tenant.tenant_id, uuid.UUID(source_id), uuid.UUID(binding))


async def entry(
    app: async_sessionmaker[AsyncSession],
    owner: async_sessionmaker[AsyncSession],
    ws: Workspace,
    label: str,
    *,
    status: str,
    age: dt.timedelta,
) -> None:
    """An inbox entry of ``status`` received ``age`` ago."""
    body = slack_event("C1", text=label)
    # No outbox row: the stack's worker must not route it meanwhile (``received`` stays so).
    entry_id = await store_delivery(
        app, ws.tenant_id, ws.source_id, "slack", body, route_messages=0
    )
    async with tenant_transaction(owner, ws.tenant_id) as session:
        await session.execute(
            update(WebhookInboxEntry)
            .where(WebhookInboxEntry.id == entry_id)
            .values(status=status, received_at=dt.datetime.now(dt.UTC) - age)
        )
    ws.entries[label] = entry_id


async def forward(
    owner: async_sessionmaker[AsyncSession],
    ws: Workspace,
    label: str,
    *,
    state: str,
    age: dt.timedelta | None,
) -> None:
    """A forward in ``state``, finished ``age`` ago (never, when ``None``)."""
    forward_id = uuid.uuid4()
    finished = None if age is None else dt.datetime.now(dt.UTC) - age
    async with tenant_transaction(owner, ws.tenant_id) as session:
        await session.execute(
            insert(WebhookForward).values(
                id=forward_id,
                tenant_id=ws.tenant_id,
                binding_id=ws.binding_id,
                inbox_id=uuid.uuid4(),
                url="http://127.0.0.1:9/x",
                content_type="application/json",
                body=b"{}",
                state=state,
                finished_at=finished,
            )
        )
    ws.forwards[label] = forward_id


async def remaining(
    owner: async_sessionmaker[AsyncSession], ws: Workspace
) -> tuple[set[str], set[str]]:
    """The labels of the workspace's entries and forwards still stored."""
    async with tenant_transaction(owner, ws.tenant_id) as session:
        entries = set(
            await session.scalars(
                select(WebhookInboxEntry.id).where(
                    WebhookInboxEntry.id.in_(list(ws.entries.values()))
                )
            )
        )
        forwards = set(
            await session.scalars(
                select(WebhookForward.id).where(WebhookForward.id.in_(list(ws.forwards.values())))
            )
        )
    return (
        {label for label, id_ in ws.entries.items() if id_ in entries},
        {label for label, id_ in ws.forwards.items() if id_ in forwards},
    )


async def test_old_processed_events_and_finished_forwards_go_and_the_rest_stays(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    owner_sessions: async_sessionmaker[AsyncSession],
    kek: KeyEncryptionKey,
) -> None:
    mine = await workspace(http, stack, tenant)
    theirs = await workspace(http, stack, await new_tenant(app_sessions, kek))
    for ws in (mine, theirs):
        await entry(app_sessions, owner_sessions, ws, "old-routed", status="routed", age=OLD)
        await entry(app_sessions, owner_sessions, ws, "old-unrouted", status="unrouted", age=OLD)
        await entry(app_sessions, owner_sessions, ws, "old-received", status="received", age=OLD)
        await entry(app_sessions, owner_sessions, ws, "new-routed", status="routed", age=RECENT)
        await forward(owner_sessions, ws, "old-delivered", state="delivered", age=OLD)
        await forward(owner_sessions, ws, "old-failed", state="failed", age=OLD)
        await forward(owner_sessions, ws, "pending", state="pending", age=None)
        await forward(owner_sessions, ws, "new-delivered", state="delivered", age=RECENT)

    # One workspace's purge (as the runtime role, under RLS) touches only its rows.
    before = dt.datetime.now(dt.UTC) - KEEP
    async with tenant_transaction(app_sessions, mine.tenant_id) as session:
        purged = await retention.purge_before(session, mine.tenant_id, before=before, limit=1000)
    assert purged == 4
    kept = ({"old-received", "new-routed"}, {"pending", "new-delivered"})
    assert await remaining(owner_sessions, mine) == kept
    assert await remaining(owner_sessions, theirs) == (set(theirs.entries), set(theirs.forwards))

    # The worker's maintenance walks every workspace.
    assert await maintenance.purge_webhook_inbox(app_sessions, keep=KEEP) >= 4
    assert await remaining(owner_sessions, theirs) == kept
    assert await remaining(owner_sessions, mine) == kept


async def test_a_purge_in_batches_takes_everything_due(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    ws = await workspace(http, stack, tenant)
    for index in range(5):
        await entry(app_sessions, owner_sessions, ws, f"e{index}", status="ignored", age=OLD)
    before = dt.datetime.now(dt.UTC) - KEEP
    batches = []
    while True:
        async with tenant_transaction(app_sessions, ws.tenant_id) as session:
            batches.append(
                await retention.purge_before(session, ws.tenant_id, before=before, limit=2)
            )
        if batches[-1] < 2:
            break
    assert batches == [2, 2, 1]
    assert await remaining(owner_sessions, ws) == (set(), set())
