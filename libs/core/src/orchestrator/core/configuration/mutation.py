"""Who changes a workspace's configuration, and the two steps every audited write ends with.

Every write takes a ``Mutation`` (tenant, actor, reason) and runs in the caller's
tenant-scoped transaction; services never commit. A write whose content equals
what is stored changes nothing: no version bump, no audit record. The writes of this
package and of the larger areas (workflows, schedules, webhooks, the DLQ) flush through
``flush_or_conflict`` and record through ``audit_change``, so they fail and audit alike.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core import audit
from orchestrator.core.configuration import views
from orchestrator.core.errors import Conflict

Action = Literal["create", "update"]
UNIQUE_OR_FOREIGN_KEY = frozenset({"23505", "23503"})


@dataclass(frozen=True)
class Mutation:
    """Who changes which workspace, and why (every write is audited with it)."""

    tenant_id: uuid.UUID
    actor: str
    reason: str


async def flush_or_conflict(session: AsyncSession, what: str) -> None:
    """Flush the session; 409 when a concurrent writer took the name or removed a reference."""
    try:
        await session.flush()
    except IntegrityError as exc:
        # A unique or foreign key violation: a concurrent writer got there first.
        if getattr(exc.orig, "sqlstate", None) in UNIQUE_OR_FOREIGN_KEY:
            raise Conflict(f"A concurrent change to {what} won; read it again and retry.") from exc
        raise


async def audit_change(
    session: AsyncSession,
    m: Mutation,
    action: str,
    target: str,
    before: views.View | None,
    after: views.View | None,
) -> None:
    """Record the change in the audit trail, with who made it and why."""
    await audit.record(
        session,
        tenant_id=m.tenant_id,
        actor=m.actor,
        action=action,
        target=target,
        reason=m.reason,
        before=before,
        after=after,
    )
