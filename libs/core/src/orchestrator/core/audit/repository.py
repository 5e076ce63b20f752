"""Every query of the audit log: the newest-first page of one workspace's records."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.audit.cursor import AuditPosition
from orchestrator.core.models import AuditLog


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which records to list; every member set narrows the set."""

    actor: str | None = None
    action: str | None = None
    action_prefix: str | None = None
    target: str | None = None
    since: dt.datetime | None = None
    """Inclusive."""
    until: dt.datetime | None = None
    """Exclusive."""


async def page(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    f: AuditFilter,
    *,
    after: AuditPosition | None,
    limit: int,
) -> Sequence[AuditLog]:
    """Up to ``limit`` records matching ``f``, newest first by (created_at, id), older than
    ``after``."""
    return (await session.scalars(page_query(tenant_id, f, after=after, limit=limit))).all()


def page_query(
    tenant_id: uuid.UUID, f: AuditFilter, *, after: AuditPosition | None, limit: int
) -> Select[AuditLog]:
    """The query of ``page``: a backward scan of ``ix_audit_log_tenant_id_created_at``,
    the filters applied on the way."""
    query = select(AuditLog).where(AuditLog.tenant_id == tenant_id)
    if f.actor is not None:
        query = query.where(AuditLog.actor == f.actor)
    if f.action is not None:
        query = query.where(AuditLog.action == f.action)
    if f.action_prefix is not None:
        query = query.where(AuditLog.action.startswith(f.action_prefix, autoescape=True))
    if f.target is not None:
        query = query.where(AuditLog.target == f.target)
    if f.since is not None:
        query = query.where(AuditLog.created_at >= f.since)
    if f.until is not None:
        query = query.where(AuditLog.created_at < f.until)
    if after is not None:
        query = query.where(
            tuple_(AuditLog.created_at, AuditLog.id) < tuple_(after.created_at, after.id)
        )
    return query.order_by(AuditLog.created_at.desc(), AuditLog.id.desc()).limit(limit)
