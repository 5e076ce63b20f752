"""The generic repository and the audited-change helper against PostgreSQL, under RLS."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.audit.change import AuditedChanges
from orchestrator.core.configuration.models import Policy
from orchestrator.core.configuration.mutation import Mutation
from orchestrator.core.db.pages import PageRequest
from orchestrator.core.db.repository import Repository
from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.errors import Conflict, NotFound
from orchestrator.core.models import AuditLog
from orchestrator.core.tenancy.service import BootstrapResult

pytestmark = pytest.mark.integration

POLICIES = Repository(Policy, Policy.name)


def view(row: Policy) -> dict[str, object]:
    return {"name": row.name, "spec": row.spec, "version": row.version}


CHANGES = AuditedChanges(POLICIES, noun="test policy", kind="test_policy", view=view)


def policy(tenant_id: uuid.UUID, name: str) -> Policy:
    return Policy(id=uuid.uuid4(), tenant_id=tenant_id, name=name, spec={}, version=1)


async def test_crud_and_pages_stay_in_the_tenant(
    app_sessions: async_sessionmaker[AsyncSession],
    tenant: BootstrapResult,
    other_tenant: BootstrapResult,
) -> None:
    async with tenant_transaction(app_sessions, tenant.tenant_id) as session:
        for name in ("c", "a", "b"):
            await POLICIES.create(session, policy(tenant.tenant_id, name))
    async with tenant_transaction(app_sessions, other_tenant.tenant_id) as session:
        await POLICIES.create(session, policy(other_tenant.tenant_id, "a"))

    async with tenant_transaction(app_sessions, tenant.tenant_id) as session:
        first = await POLICIES.list(session, PageRequest(limit=2))
        assert [p.name for p in first.items] == ["a", "b"]
        assert first.next_cursor is not None
        rest = await POLICIES.list(session, PageRequest(limit=2, cursor=first.next_cursor))
        assert ([p.name for p in rest.items], rest.next_cursor) == (["c"], None)
        row = await POLICIES.get_for_update(session, "b")
        assert row is not None
        await POLICIES.update(session, row, {"spec": {"timeout": {}}})
        with pytest.raises(AttributeError):
            await POLICIES.update(session, row, {"nope": 1})
        await POLICIES.delete(session, row)
        assert await POLICIES.get(session, "b") is None

    async with tenant_transaction(app_sessions, other_tenant.tenant_id) as session:
        assert [p.name for p in (await POLICIES.list(session)).items] == ["a"]
        assert await POLICIES.get(session, "c") is None


async def test_audited_changes_404_409_noop_and_audit(
    app_sessions: async_sessionmaker[AsyncSession], tenant: BootstrapResult
) -> None:
    m = Mutation(tenant.tenant_id, "tester", "why")
    async with tenant_transaction(app_sessions, tenant.tenant_id) as session:
        with pytest.raises(NotFound, match="No test policy called `x` in this workspace"):
            await CHANGES.lock(session, "x")
        row = await CHANGES.create(session, m, "x", policy(tenant.tenant_id, "x"))
        with pytest.raises(Conflict, match="A test policy called `x` exists"):
            await CHANGES.refuse_taken(session, "x")
        assert not await CHANGES.update(session, m, "x", row, {"spec": {}})
        assert await CHANGES.update(session, m, "x", row, {"spec": {"retry": {}}})
        assert row.version == 2
        await CHANGES.delete(session, m, "x", row)
        records = (
            await session.scalars(
                select(AuditLog).where(AuditLog.target == "test_policy:x").order_by(AuditLog.id)
            )
        ).all()
    assert [(r.action, r.actor, r.reason) for r in records] == [
        ("test_policy.create", "tester", "why"),
        ("test_policy.update", "tester", "why"),
        ("test_policy.delete", "tester", "why"),
    ]
    assert records[1].before == {"name": "x", "spec": {}, "version": 1}
    assert records[1].after == {"name": "x", "spec": {"retry": {}}, "version": 2}
    assert records[2].after is None

    async def create_twice() -> None:
        async with tenant_transaction(app_sessions, tenant.tenant_id) as session:
            await CHANGES.create(session, m, "y", policy(tenant.tenant_id, "y"))
            await CHANGES.create(session, m, "y", policy(tenant.tenant_id, "y"))

    with pytest.raises(Conflict, match="A concurrent change to test policy `y` won"):
        await create_twice()
