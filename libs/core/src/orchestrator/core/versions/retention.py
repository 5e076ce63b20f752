"""Old configuration versions go: by count and by age, never the active version nor the
one a rollback returns to (ADR 0077)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# The head's pointers are foreign keys too: the database refuses to delete what they name,
# so they are left out here rather than failing the batch.
_PURGE = text(
    """
    DELETE FROM workspace_versions
    WHERE (tenant_id, number) IN (
        SELECT v.tenant_id, v.number
        FROM workspace_versions v
        JOIN workspace_version_heads h ON h.tenant_id = v.tenant_id
        WHERE v.created_at < :before
          AND v.number <= h.latest - :keep
          AND v.number <> h.active
          AND v.number IS DISTINCT FROM h.previous
        ORDER BY v.number
        LIMIT :limit
    )
    """
)


async def purge_old(session: AsyncSession, *, before: dt.datetime, keep: int, limit: int) -> int:
    """Delete up to ``limit`` of the workspace's versions made before ``before`` and not
    among its ``keep`` newest; how many went. The session is scoped to the workspace."""
    result = await session.execute(_PURGE, {"before": before, "keep": keep, "limit": limit})
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
