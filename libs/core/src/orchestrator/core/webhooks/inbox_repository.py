"""Queries of the webhook inbox; every one runs under the session's tenant (RLS).

Status changes are compare-and-set on ``status``: the worker marks only a
``received`` row, a retry resets only an unrouted, ignored or failed one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    cast,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.jobs.public import JobCursor, clip
from orchestrator.core.models import OutboxMessage
from orchestrator.core.outbox.kinds import ROUTE_WEBHOOK
from orchestrator.core.webhooks.models import WebhookInboxEntry

RETRYABLE = ("unrouted", "ignored", "failed")
"""Statuses a retry sends back to the worker; ``received`` is on its way, ``routed`` done."""

Entry = WebhookInboxEntry


@dataclass(frozen=True, slots=True)
class InboxFilter:
    """Which events of the workspace's inbox; ``None`` fields do not filter."""

    statuses: Sequence[str] | None = None
    source_id: uuid.UUID | None = None
    event_type: str | None = None
    received_after: dt.datetime | None = None
    received_before: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What routing made of an event."""

    status: str
    """``routed``, ``ignored``, ``unrouted`` or ``failed``."""
    tenant_id: uuid.UUID | None = None
    source_id: uuid.UUID | None = None
    actions: int = 0
    error: str | None = None


def _conditions(f: InboxFilter) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if f.statuses is not None:
        found.append(Entry.status.in_(list(f.statuses)))
    if f.source_id is not None:
        found.append(Entry.source_id == f.source_id)
    if f.event_type is not None:
        found.append(Entry.event_type == f.event_type)
    if f.received_after is not None:
        found.append(Entry.received_at > f.received_after)
    if f.received_before is not None:
        found.append(Entry.received_at < f.received_before)
    return found


async def lock_received_many(
    session: AsyncSession, inbox_ids: Sequence[uuid.UUID]
) -> Sequence[Entry]:
    """The events of ``inbox_ids`` that still wait to be routed, locked for the transaction,
    in the order they were received; one another transaction holds is skipped (it is being
    routed there)."""
    query = (
        select(Entry)
        .where(Entry.id.in_(list(inbox_ids)), Entry.status == "received")
        .order_by(Entry.received_at, Entry.id)
        .with_for_update(skip_locked=True)
    )
    return (await session.scalars(query)).all()


_MARK = text("""
    UPDATE webhook_inbox AS e
    SET status = o.status, routed_tenant_id = o.tenant_id, routed_source_id = o.source_id,
        actions = o.actions, last_error = o.error, attempts = e.attempts + 1,
        processed_at = now()
    FROM unnest(CAST(:ids AS uuid[]), CAST(:statuses AS text[]), CAST(:tenants AS uuid[]),
                CAST(:sources AS uuid[]), CAST(:actions AS int[]), CAST(:errors AS text[]))
         AS o(id, status, tenant_id, source_id, actions, error)
    WHERE e.id = o.id AND e.status = 'received'
""")


async def mark_many(session: AsyncSession, outcomes: Mapping[uuid.UUID, Outcome]) -> None:
    """CAS received → each outcome's status, counting the attempt, in one statement."""
    if not outcomes:
        return
    await session.execute(
        _MARK,
        {
            "ids": list(outcomes),
            "statuses": [o.status for o in outcomes.values()],
            "tenants": [o.tenant_id for o in outcomes.values()],
            "sources": [o.source_id for o in outcomes.values()],
            "actions": [o.actions for o in outcomes.values()],
            "errors": [clip(o.error) for o in outcomes.values()],
        },
    )


async def get(
    session: AsyncSession, inbox_id: uuid.UUID, *, for_update: bool = False
) -> Entry | None:
    """One event of the tenant's inbox."""
    query = select(Entry).where(Entry.id == inbox_id)
    return await session.scalar(query.with_for_update() if for_update else query)


async def page(
    session: AsyncSession, f: InboxFilter, *, after: JobCursor | None, limit: int
) -> Sequence[Entry]:
    """Newest first by (received_at, id), after the cursor."""
    query = select(Entry).where(*_conditions(f))
    if after is not None:
        query = query.where(
            or_(
                Entry.received_at < after.created_at,
                and_(Entry.received_at == after.created_at, Entry.id < after.id),
            )
        )
    query = query.order_by(Entry.received_at.desc(), Entry.id.desc()).limit(limit)
    return (await session.scalars(query)).all()


async def retry(
    session: AsyncSession,
    f: InboxFilter,
    *,
    limit: int,
    ids: Sequence[uuid.UUID] | None = None,
) -> list[uuid.UUID]:
    """Send up to ``limit`` retryable events matching ``f`` (and ``ids``) back to
    ``received``, oldest first, each with its ``route_webhook`` outbox row, in one
    statement; their ids. Rows another transaction holds are skipped."""
    picked_query = select(Entry.id).where(*_conditions(f), Entry.status.in_(RETRYABLE))
    if ids is not None:
        picked_query = picked_query.where(Entry.id.in_(list(ids)))
    picked = (
        picked_query.order_by(Entry.received_at, Entry.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("picked")
    )
    retried = (
        update(Entry)
        .where(Entry.id.in_(select(picked.c.id)), Entry.status.in_(RETRYABLE))
        .values(status="received")
        .returning(Entry.id, Entry.tenant_id)
        .cte("retried")
    )
    box = (
        insert(OutboxMessage)
        .from_select(
            ["workspace_id", "kind", "payload"],
            select(
                retried.c.tenant_id,
                literal(ROUTE_WEBHOOK),
                func.jsonb_build_object(
                    "tenant_id",
                    cast(retried.c.tenant_id, String),
                    "inbox_id",
                    cast(retried.c.id, String),
                ),
            ),
        )
        .cte("box")
    )
    rows = await session.execute(select(retried.c.id).add_cte(box))
    return [row[0] for row in rows]
