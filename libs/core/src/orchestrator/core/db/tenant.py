"""Per-transaction tenant context for row-level security.

The tenant is set with ``set_config(..., is_local => true)``: it lasts for the
current transaction only, so a pooled connection never carries one tenant's
id into another's request.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

_SET_TENANT = text("SELECT set_config('app.tenant_id', :tenant_id, true)")
_SET_ORGANIZATION = text("SELECT set_config('app.organization_id', :organization_id, true)")


async def set_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    """Scope the session's current transaction to one tenant."""
    await session.execute(_SET_TENANT, {"tenant_id": str(tenant_id)})


async def set_organization(session: AsyncSession, organization_id: uuid.UUID) -> None:
    """Let the current transaction see every workspace of one organization."""
    await session.execute(_SET_ORGANIZATION, {"organization_id": str(organization_id)})


@asynccontextmanager
async def tenant_transaction(
    sessions: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID
) -> AsyncIterator[AsyncSession]:
    """One transaction for one tenant; commits on success, rolls back on error."""
    async with sessions() as session, session.begin():
        await set_tenant(session, tenant_id)
        yield session
