"""Webhook-inbox retention: forget processed deliveries and finished forwards by age.

An entry still ``received`` (not yet routed) is never deleted, whatever its age. Any
other entry, and any forward ``delivered`` or ``failed``, goes once older than the keep
period. Deleting an entry also forgets its dedupe id: a provider resending the same
event after that is taken as new, so keep longer than any provider retries (Stripe's
are the longest, three days).
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_PURGE = text(
    """
    WITH inbox AS (
        DELETE FROM webhook_inbox WHERE id IN (
            SELECT id FROM webhook_inbox
            WHERE tenant_id = :tenant_id AND status <> 'received' AND received_at < :before
            LIMIT :limit
        )
        RETURNING 1
    ), forwards AS (
        DELETE FROM webhook_forwards WHERE id IN (
            SELECT id FROM webhook_forwards
            WHERE tenant_id = :tenant_id AND state IN ('delivered', 'failed')
              AND finished_at < :before
            LIMIT :limit
        )
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM inbox) + (SELECT count(*) FROM forwards)
    """
)


async def purge_before(
    session: AsyncSession, tenant_id: uuid.UUID, *, before: dt.datetime, limit: int
) -> int:
    """Delete up to ``limit`` processed entries and ``limit`` finished forwards of the
    tenant from before ``before``; how many rows went. The session's transaction must be
    scoped to ``tenant_id``."""
    purged = await session.scalar(
        _PURGE, {"tenant_id": tenant_id, "before": before, "limit": limit}
    )
    return int(purged or 0)
