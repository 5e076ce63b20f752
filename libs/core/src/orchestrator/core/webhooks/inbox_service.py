"""Business rules of the webhook inbox as operators see it: read, and send events back to
the worker. Runs in the caller's tenant-scoped transaction; never commits.

A retry puts an ``unrouted``, ``ignored`` or ``failed`` event back to ``received`` with a
new ``route_webhook`` outbox row, so it is routed afresh against today's claims and
bindings; a ``routed`` event already started its jobs and forwards, and a ``received``
one is on its way (409). Each retry is audited.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.configuration.public import Mutation, audit_change
from orchestrator.core.errors import Conflict, NotFound
from orchestrator.core.events.wake import Notifier, after_commit
from orchestrator.core.webhooks import inbox_repository
from orchestrator.core.webhooks.inbox_repository import RETRYABLE, InboxFilter
from orchestrator.core.webhooks.models import WebhookInboxEntry

MAX_RETRY_BATCH = 1000
"""The most events one filtered retry sends back."""


def filter_view(f: InboxFilter) -> dict[str, Any]:
    """The audited shape of a retry filter."""
    return {
        "statuses": list(f.statuses) if f.statuses is not None else None,
        "source_id": str(f.source_id) if f.source_id else None,
        "event_type": f.event_type,
        "received_after": f.received_after.isoformat() if f.received_after else None,
        "received_before": f.received_before.isoformat() if f.received_before else None,
    }


async def get(session: AsyncSession, inbox_id: uuid.UUID) -> WebhookInboxEntry:
    """One event of the workspace's inbox, or 404."""
    entry = await inbox_repository.get(session, inbox_id)
    if entry is None:
        raise NotFound("No such webhook event in this workspace's inbox.")
    return entry


async def retry_one(
    session: AsyncSession, notifier: Notifier, m: Mutation, inbox_id: uuid.UUID
) -> WebhookInboxEntry:
    """Send one event back to the worker; 404 if unknown, 409 unless it is retryable."""
    entry = await inbox_repository.get(session, inbox_id, for_update=True)
    if entry is None:
        raise NotFound("No such webhook event in this workspace's inbox.")
    if entry.status not in RETRYABLE:
        raise Conflict(
            f"The event is {entry.status}; only {', '.join(RETRYABLE)} events can be retried.",
            inbox_status=entry.status,
        )
    before = {"status": entry.status}
    await inbox_repository.retry(session, InboxFilter(), limit=1, ids=[inbox_id])
    after_commit(session, notifier.outbox_written)
    await session.refresh(entry)
    await audit_change(
        session,
        m,
        "webhook_inbox.retry",
        f"webhook_inbox:{inbox_id}",
        before,
        {"status": entry.status},
    )
    return entry


async def retry_many(
    session: AsyncSession, notifier: Notifier, m: Mutation, f: InboxFilter, *, limit: int
) -> list[uuid.UUID]:
    """Send up to ``limit`` retryable events matching ``f`` back to the worker, oldest
    first; their ids (call again while a full batch comes back)."""
    statuses = [s for s in (f.statuses or RETRYABLE) if s in RETRYABLE]
    f = InboxFilter(
        statuses=statuses,
        source_id=f.source_id,
        event_type=f.event_type,
        received_after=f.received_after,
        received_before=f.received_before,
    )
    ids = await inbox_repository.retry(session, f, limit=min(limit, MAX_RETRY_BATCH))
    if ids:
        after_commit(session, notifier.outbox_written)
        await audit_change(
            session,
            m,
            "webhook_inbox.retry_many",
            "webhook_inbox",
            None,
            {"filter": filter_view(f), "retried": [str(i) for i in ids]},
        )
    return ids
