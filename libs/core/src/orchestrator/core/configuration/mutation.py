"""Who changes a workspace's configuration, and the two steps every audited write ends with.

Every write takes a ``Mutation`` (tenant, actor, reason) and runs in the caller's
tenant-scoped transaction; services never commit. A write whose content equals
what is stored changes nothing: no version bump, no audit record. The writes of this
package and of the larger areas (workflows, schedules, webhooks, the DLQ) go through
``audit.change`` (``AuditedChanges``, or ``flush_or_conflict`` and ``audit_change`` where a
write is not one row's), so they fail and audit alike.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.audit.change import flush_or_conflict, record_change
from orchestrator.core.configuration import views

Action = Literal["create", "update"]
__all__ = ["Action", "Mutation", "audit_change", "flush_or_conflict"]


@dataclass(frozen=True)
class Mutation:
    """Who changes which workspace, and why (every write is audited with it)."""

    tenant_id: uuid.UUID
    actor: str
    reason: str


async def audit_change(
    session: AsyncSession,
    m: Mutation,
    action: str,
    target: str,
    before: views.View | None,
    after: views.View | None,
) -> None:
    """Record the change in the audit trail, with who made it and why."""
    await record_change(session, m, action, target, before, after)
