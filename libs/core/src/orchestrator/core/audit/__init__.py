"""Append-only audit records, written in the same transaction as the change.

Read back newest first through ``audit.repository`` and ``audit.cursor`` (``GET /api/v1/audit``).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.models import AuditLog
from orchestrator.core.observability.context import request_id_var

_KINDS = "audited_kinds"


def audited_kinds(session: AsyncSession) -> set[str]:
    """The kinds of what ``session`` has audited so far (``policy`` for ``policy.update``)."""
    kinds: set[str] = session.info.get(_KINDS, set())
    return kinds


async def record(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    actor: str,
    action: str,
    target: str,
    reason: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    impersonation: dict[str, Any] | None = None,
) -> None:
    """Add one audit record; the caller's transaction must be scoped to ``tenant_id``."""
    session.info.setdefault(_KINDS, set()).add(action.partition(".")[0])
    session.add(
        AuditLog(
            tenant_id=tenant_id,
            actor=actor,
            action=action,
            target=target,
            reason=reason,
            before=before,
            after=after,
            request_id=request_id_var.get(),
            impersonation=impersonation,
        )
    )
    await session.flush()
