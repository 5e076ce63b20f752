"""Tenant isolation in PostgreSQL itself, for every table with a ``tenant_id`` column.

Tables are listed from the catalog, so a table added later is covered
without touching this file.
"""

from __future__ import annotations

import uuid

import pytest
from psycopg import errors
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from orchestrator.core.db.tenant import set_organization, set_tenant
from orchestrator.core.tenancy.service import BootstrapResult

TENANT_TABLES = text(
    """
    SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
    ORDER BY c.relname
    """
)


async def tenant_tables(engine: AsyncEngine) -> list[tuple[str, bool, bool]]:
    async with engine.connect() as conn:
        return [(r[0], r[1], r[2]) for r in (await conn.execute(TENANT_TABLES)).all()]


def sqlstate(exc: DBAPIError | None) -> str | None:
    return getattr(getattr(exc, "orig", None), "sqlstate", None)


async def attempt(
    sessions: async_sessionmaker[AsyncSession],
    tenant_id: uuid.UUID,
    statement: str,
    params: dict[str, object] | None = None,
) -> DBAPIError | None:
    """Run ``statement`` as the runtime role for ``tenant_id``, never committing; the error if any."""
    try:
        async with sessions() as session, session.begin():
            await set_tenant(session, tenant_id)
            await session.execute(text(statement), params or {})
            await session.rollback()
    except DBAPIError as exc:
        return exc
    return None


async def test_catalog_lists_the_known_tenant_tables(owner_engine: AsyncEngine) -> None:
    names = {name for name, _, _ in await tenant_tables(owner_engine)}
    assert {"audit_log", "workspace_secrets"} <= names


ORGANIZATION_OF_TENANT = "organization_id = ( SELECT w.organization_id"
EXCEPTIONS = {
    # The ingress finds a delivery's source by id alone, read-only (ADR 0036).
    ("webhook_sources", "source_lookup"): ("SELECT", "app.webhook_source", None),
    # Routing claims are read across the organization, written only by their owner.
    ("webhook_routes", "tenant_isolation"): ("SELECT", ORGANIZATION_OF_TENANT, None),
    ("webhook_routes", "own_claims_insert"): ("INSERT", None, "(tenant_id ="),
    ("webhook_routes", "own_claims_delete"): ("DELETE", "(tenant_id =", None),
    # The scheduler's scan finds which workspaces have a schedule due (ADR 0048).
    ("schedule_wakeups", "due_lookup"): ("SELECT", "app.schedule_scan", None),
}


async def test_every_tenant_table_forces_rls_with_the_tenant_policy(
    owner_engine: AsyncEngine,
) -> None:
    async with owner_engine.connect() as conn:
        for name, enabled, forced in await tenant_tables(owner_engine):
            assert enabled, f"{name}: RLS is not enabled"
            assert forced, f"{name}: RLS is not forced"
            policies = (
                await conn.execute(
                    text(
                        "SELECT policyname, cmd, qual, with_check FROM pg_policies "
                        "WHERE tablename = :t"
                    ),
                    {"t": name},
                )
            ).all()
            assert policies, f"{name} has no policy"
            for policy, command, qual, with_check in policies:
                expected = EXCEPTIONS.get((name, policy))
                if expected is not None:
                    assert command == expected[0], (name, policy, command)
                    for clause, start in ((qual, expected[1]), (with_check, expected[2])):
                        assert (clause is None) == (start is None), (name, policy, clause)
                        assert clause is None or start in clause, (name, policy, clause)
                    continue
                for clause in (qual, with_check):
                    assert clause is not None, f"{name}: a policy lacks USING or WITH CHECK"
                    assert "app.tenant_id" in clause, clause
                    assert clause.startswith("(tenant_id ="), clause


async def test_runtime_role_is_neither_superuser_nor_bypassrls_nor_owner(
    app_engine: AsyncEngine,
) -> None:
    async with app_engine.connect() as conn:
        row = (
            await conn.execute(
                text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
            )
        ).one()
        owned = await conn.scalar(
            text("SELECT count(*) FROM pg_tables WHERE tableowner = current_user")
        )
    assert row == (False, False)
    assert owned == 0


async def count_rows(session: AsyncSession, table: str, tenant_id: uuid.UUID) -> int:
    result = await session.scalar(
        text(f'SELECT count(*) FROM "{table}" WHERE tenant_id = :t'), {"t": tenant_id}
    )
    return int(result or 0)


async def test_a_tenant_reads_none_of_another_tenants_rows(
    owner_engine: AsyncEngine,
    owner_sessions: async_sessionmaker[AsyncSession],
    app_sessions: async_sessionmaker[AsyncSession],
    tenant: BootstrapResult,
    other_tenant: BootstrapResult,
) -> None:
    a, b = tenant.tenant_id, other_tenant.tenant_id
    b_rows_seen_by_owner = 0
    for table, _, _ in await tenant_tables(owner_engine):
        async with owner_sessions() as owner, owner.begin():
            await set_tenant(owner, b)
            b_rows = await count_rows(owner, table, b)
        async with app_sessions() as session, session.begin():
            await set_tenant(session, a)
            assert await count_rows(session, table, b) == 0, f"{table} leaks B's rows to A"
        async with app_sessions() as session, session.begin():
            await set_tenant(session, b)
            assert await count_rows(session, table, b) == b_rows, f"{table} hides B's rows from B"
        b_rows_seen_by_owner += b_rows
    # Bootstrap wrote audit records and secrets for B; otherwise the check above proved nothing.
    assert b_rows_seen_by_owner > 0


async def test_a_tenant_cannot_insert_rows_for_another_tenant(
    owner_engine: AsyncEngine,
    app_sessions: async_sessionmaker[AsyncSession],
    tenant: BootstrapResult,
    other_tenant: BootstrapResult,
) -> None:
    a, b = tenant.tenant_id, other_tenant.tenant_id
    for table, _, _ in await tenant_tables(owner_engine):
        insert = f'INSERT INTO "{table}" (tenant_id) VALUES (:t)'
        if table == "webhook_routes":  # a claim names its organization too
            insert = (
                f'INSERT INTO "{table}" (tenant_id, organization_id) '
                "VALUES (:t, (SELECT organization_id FROM workspaces WHERE id = :t))"
            )
        refused = await attempt(app_sessions, a, insert, {"t": b})
        # 42501: the RLS WITH CHECK (or a missing grant), checked before any constraint.
        assert sqlstate(refused) == errors.InsufficientPrivilege.sqlstate, (table, refused)
        # For B itself the same statement passes RLS and fails later (NOT NULL) or not at all.
        own = await attempt(app_sessions, b, insert, {"t": b})
        assert own is None or "row-level security" not in str(own.orig), (table, own)


async def test_no_tenant_set_sees_no_tenant_rows(
    owner_engine: AsyncEngine,
    app_sessions: async_sessionmaker[AsyncSession],
    tenant: BootstrapResult,
) -> None:
    async with app_sessions() as session, session.begin():
        for table, _, _ in await tenant_tables(owner_engine):
            assert await session.scalar(text(f'SELECT count(*) FROM "{table}"')) == 0, table
        assert await session.scalar(text("SELECT count(*) FROM workspaces")) == 0


async def test_tenant_setting_ends_with_its_transaction(
    app_engine: AsyncEngine, tenant: BootstrapResult
) -> None:
    async with app_engine.connect() as conn:
        async with conn.begin():
            await conn.execute(
                text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant.tenant_id)}
            )
            assert await conn.scalar(text("SELECT count(*) FROM workspaces")) == 1
        async with conn.begin():
            leftover = await conn.scalar(text("SELECT current_setting('app.tenant_id', true)"))
            assert leftover in ("", None)
            assert await conn.scalar(text("SELECT count(*) FROM workspaces")) == 0


async def test_workspace_registry_shows_a_tenant_only_itself_and_an_org_only_its_own(
    app_sessions: async_sessionmaker[AsyncSession],
    owner_sessions: async_sessionmaker[AsyncSession],
    tenant: BootstrapResult,
    other_tenant: BootstrapResult,
) -> None:
    async with app_sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        ids = (await session.scalars(text("SELECT id FROM workspaces"))).all()
    assert ids == [tenant.tenant_id]
    async with owner_sessions() as owner:
        org = await owner.scalar(
            text("SELECT organization_id FROM workspaces WHERE id = :id"), {"id": tenant.tenant_id}
        )
    async with app_sessions() as session, session.begin():
        await set_organization(session, org)
        ids = (await session.scalars(text("SELECT id FROM workspaces"))).all()
    assert tenant.tenant_id in ids
    assert other_tenant.tenant_id not in ids


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_log SET reason = 'rewritten'", "DELETE FROM audit_log"]
)
async def test_audit_log_is_append_only_for_the_runtime_role(
    app_sessions: async_sessionmaker[AsyncSession], tenant: BootstrapResult, statement: str
) -> None:
    refused = await attempt(app_sessions, tenant.tenant_id, statement)
    assert sqlstate(refused) == errors.InsufficientPrivilege.sqlstate, refused
