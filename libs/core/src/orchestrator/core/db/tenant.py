"""Per-transaction tenant context for row-level security.

The tenant is set with ``set_config(..., is_local => true)``: it lasts for the
current transaction only, so a pooled connection never carries one tenant's
id into another's request.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from psycopg.rows import dict_row
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.db.autocommit import Connection

TENANT_SCOPE = """tenant AS MATERIALIZED (
        -- Evaluated before any row exists (each row's tenant_id is its result), so the
        -- row-level security check of every insert sees it. Local to the transaction.
        SELECT CAST(set_config('app.tenant_id', CAST(%(tenant_id)s AS text), true) AS uuid) AS id
    )"""
"""A CTE that scopes a single data-modifying statement to ``%(tenant_id)s`` (psycopg's
placeholder): insert ``tenant.id`` as each row's tenant, and the statement needs no
transaction of its own, nor a ``set_tenant`` before it."""

_SET_TENANT_SQL = "SELECT set_config('app.tenant_id', %(tenant_id)s, true)"
_SET_TENANT = text(_SET_TENANT_SQL.replace("%(tenant_id)s", ":tenant_id"))
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


async def scoped_rows(
    connection: Connection, tenant_id: uuid.UUID, query: str, params: dict[str, Any]
) -> list[dict[str, Any]]:
    """The rows of one statement run for ``tenant_id`` on an autocommit connection.

    The ``set_config`` and the statement go in one pipeline: until its closing Sync they
    are one implicit transaction, so the setting scopes the statement (and ends with it)
    in one round trip, without ``BEGIN``/``COMMIT`` or a session. Fetched once the
    pipeline has ended, so a failed commit raises before any row is used.
    """
    cursor = connection.cursor(row_factory=dict_row)
    async with connection.pipeline():
        await connection.execute(_SET_TENANT_SQL, {"tenant_id": str(tenant_id)})
        await cursor.execute(query, params)
    return await cursor.fetchall()
