"""A workspace's configuration recorded as numbered versions (ADR 0077): a version when
the configuration differs from the active one, none when it does not, one at a time per
workspace, and each workspace's versions its own; activation and rollback apply a
version whole, under a compare-and-set on the active one."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.configuration.models import Policy
from orchestrator.core.configuration.mutation import Mutation
from orchestrator.core.configuration.policies import create_policy, replace_policy
from orchestrator.core.configuration.quotas import put_quota
from orchestrator.core.db.pages import PageRequest
from orchestrator.core.db.tenant import set_tenant
from orchestrator.core.errors import Conflict, NotFound
from orchestrator.core.maintenance import chores
from orchestrator.core.models import AuditLog, Workspace
from orchestrator.core.policy.model import TenantQuota
from orchestrator.core.tenancy.service import BootstrapResult
from orchestrator.core.versions import activation, repository, service
from orchestrator.core.versions.models import WorkspaceVersion

pytestmark = pytest.mark.integration

Sessions = async_sessionmaker[AsyncSession]


def change(tenant: BootstrapResult, reason: str) -> Mutation:
    return Mutation(tenant_id=tenant.tenant_id, actor="operator:ops", reason=reason)


async def record(sessions: Sessions, tenant: BootstrapResult, reason: str) -> int | None:
    async with sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        workspace = await session.get_one(Workspace, tenant.tenant_id)
        return await service.record(session, workspace, change(tenant, reason), "req-1")


async def write_policy(
    sessions: Sessions, tenant: BootstrapResult, attempts: int, *, create: bool = False
) -> None:
    async with sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        write = create_policy if create else replace_policy
        await write(
            session, change(tenant, "tune"), "default", {"retry": {"max_attempts": attempts}}
        )


async def versions(sessions: Sessions, tenant: BootstrapResult) -> list[WorkspaceVersion]:
    async with sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        found = await session.scalars(select(WorkspaceVersion).order_by(WorkspaceVersion.number))
        return list(found)


async def test_a_version_is_recorded_only_when_the_configuration_changed(
    app_sessions: Sessions, tenant: BootstrapResult
) -> None:
    assert await record(app_sessions, tenant, "first") == 1
    assert await record(app_sessions, tenant, "nothing new") is None
    await write_policy(app_sessions, tenant, 3, create=True)
    assert await record(app_sessions, tenant, "a policy") == 2
    await write_policy(app_sessions, tenant, 5)
    assert await record(app_sessions, tenant, "slower") == 3

    first, second, third = await versions(app_sessions, tenant)
    assert (second.parent, third.parent) == (1, 2)
    assert second.summary == "policies +default"
    assert third.summary == "policies ~default"
    assert [p["spec"]["retry"]["max_attempts"] for p in third.snapshot["policies"]] == [5]
    assert (third.actor, third.reason, third.request_id) == ("operator:ops", "slower", "req-1")
    # The snapshot configures; it does not describe the workspace.
    assert set(first.snapshot["tenant"]) == {"quotas"}
    async with app_sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        head = await repository.head(session)
        assert head is not None
        assert (head.active, head.previous, head.latest) == (3, 2, 3)


async def test_concurrent_recorders_of_one_change_make_one_version(
    app_sessions: Sessions, tenant: BootstrapResult
) -> None:
    assert await record(app_sessions, tenant, "first") == 1
    await write_policy(app_sessions, tenant, 3, create=True)
    made = await asyncio.gather(*(record(app_sessions, tenant, f"r{i}") for i in range(6)))
    assert sorted(made, key=lambda n: n or 0) == [None] * 5 + [2]
    assert [v.number for v in await versions(app_sessions, tenant)] == [1, 2]


async def test_a_workspace_sees_only_its_own_versions(
    app_sessions: Sessions, tenant: BootstrapResult, other_tenant: BootstrapResult
) -> None:
    assert await record(app_sessions, tenant, "mine") == 1
    assert await record(app_sessions, other_tenant, "theirs") == 1
    mine = await versions(app_sessions, tenant)
    assert [(v.tenant_id, v.reason) for v in mine] == [(tenant.tenant_id, "mine")]


# --- Activation and rollback ------------------------------------------------------------


async def activate(
    sessions: Sessions, tenant: BootstrapResult, number: int | None, expected: int | None
) -> None:
    """Activate ``number`` (``None``: roll back) in a transaction of its own."""
    async with sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        m = change(tenant, f"back to {number}")
        if number is None:
            await activation.rollback(session, m, expected=expected)
        else:
            await activation.activate(session, m, number, expected=expected)


async def state(sessions: Sessions, tenant: BootstrapResult) -> tuple[int, int | None, list[int]]:
    """The head's active and previous versions, and the policy's retry attempts."""
    async with sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        head = await repository.head(session)
        assert head is not None
        specs = await session.scalars(select(Policy.spec))
        return head.active, head.previous, [s["retry"]["max_attempts"] for s in specs]


async def three_versions(sessions: Sessions, tenant: BootstrapResult) -> None:
    """1: empty; 2: the policy with 3 attempts; 3: with 5."""
    assert await record(sessions, tenant, "first") == 1
    await write_policy(sessions, tenant, 3, create=True)
    assert await record(sessions, tenant, "a policy") == 2
    await write_policy(sessions, tenant, 5)
    assert await record(sessions, tenant, "more attempts") == 3


async def test_activation_applies_a_version_and_rollback_returns_to_the_one_before(
    app_sessions: Sessions, tenant: BootstrapResult
) -> None:
    await three_versions(app_sessions, tenant)
    await activate(app_sessions, tenant, 2, expected=3)
    assert await state(app_sessions, tenant) == (2, 3, [3])
    # The tables now hold version 2: recording finds nothing new.
    assert await record(app_sessions, tenant, "after activation") is None
    await activate(app_sessions, tenant, None, expected=2)
    assert await state(app_sessions, tenant) == (3, 2, [5])
    await activate(app_sessions, tenant, 1, expected=None)  # what version 1 lacks goes
    assert await state(app_sessions, tenant) == (1, 3, [])

    async with app_sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        moves = await session.scalars(
            select(AuditLog)
            .where(AuditLog.action == "version.activate")
            .order_by(AuditLog.created_at, AuditLog.id)
        )
        assert [
            (a.target, (a.before or {})["active"], (a.after or {})["active"]) for a in moves
        ] == [
            ("version:2", 3, 2),
            ("version:3", 2, 3),
            ("version:1", 3, 1),
        ]


async def test_an_activation_from_a_stale_version_is_refused_and_writes_nothing(
    app_sessions: Sessions, tenant: BootstrapResult
) -> None:
    await three_versions(app_sessions, tenant)
    with pytest.raises(Conflict):
        await activate(app_sessions, tenant, 1, expected=2)
    with pytest.raises(NotFound):
        await activate(app_sessions, tenant, 9, expected=3)
    assert await state(app_sessions, tenant) == (3, 2, [5])


async def test_two_operators_activating_at_once_one_wins_and_one_gets_409(
    app_sessions: Sessions, tenant: BootstrapResult
) -> None:
    await three_versions(app_sessions, tenant)
    outcomes = await asyncio.gather(
        activate(app_sessions, tenant, 1, expected=3),
        activate(app_sessions, tenant, 2, expected=3),
        return_exceptions=True,
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "NoneType"]
    won = 1 if outcomes[0] is None else 2
    # The winner's version, whole: nothing of the loser's is applied.
    assert await state(app_sessions, tenant) == (won, 3, {1: [], 2: [3]}[won])


# --- Reading the history ----------------------------------------------------------------


async def test_the_history_pages_newest_first_and_any_two_versions_compare(
    app_sessions: Sessions, tenant: BootstrapResult
) -> None:
    await three_versions(app_sessions, tenant)
    async with app_sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        first = await repository.history(session, PageRequest(limit=2))
        assert [(v.number, v.summary) for v in first.items] == [
            (3, "policies ~default"),
            (2, "policies +default"),
        ]
        assert first.next_cursor is not None
        rest = await repository.history(session, PageRequest(limit=2, cursor=first.next_cursor))
        assert [v.number for v in rest.items] == [1]
        assert rest.next_cursor is None

        (changed,) = await service.compare(session, 2, 3)
        assert (changed.kind, changed.name, changed.change) == ("policies", "default", "changed")
        assert [(f.pointer, f.before, f.after) for f in changed.fields] == [
            ("/spec/retry/max_attempts", 3, 5)
        ]
        (removed,) = await service.compare(session, 3, 1)
        assert (removed.name, removed.change) == ("default", "removed")
        with pytest.raises(NotFound):
            await service.compare(session, 1, 4)


# --- Retention --------------------------------------------------------------------------


async def test_old_versions_go_by_count_and_age_but_never_the_active_or_previous_one(
    app_sessions: Sessions, owner_sessions: Sessions, tenant: BootstrapResult
) -> None:
    assert await record(app_sessions, tenant, "first") == 1
    await write_policy(app_sessions, tenant, 1, create=True)
    for attempts in range(2, 7):  # versions 2 to 6
        await record(app_sessions, tenant, f"{attempts} attempts")
        await write_policy(app_sessions, tenant, attempts)
    assert await record(app_sessions, tenant, "7") == 7
    await activate(app_sessions, tenant, 1, expected=7)  # active 1, previous 7
    async with owner_sessions() as session, session.begin():
        await session.execute(
            update(WorkspaceVersion)
            .where(WorkspaceVersion.tenant_id == tenant.tenant_id, WorkspaceVersion.number < 7)
            .values(created_at=func.now() - dt.timedelta(days=100))
        )
    month = dt.timedelta(days=30)

    # The workspace keeps its 6 newest: only version 1 is beyond them, and it is active.
    async with app_sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        await put_quota(session, change(tenant, "keep more"), TenantQuota(versions_keep=6))
    await chores.purge_versions(app_sessions, keep=2, keep_age=month)
    assert [v.number for v in await versions(app_sessions, tenant)] == [1, 2, 3, 4, 5, 6, 7]

    # The deployment's 2 newest: 2 to 5 are old enough and beyond them; 6 is among them,
    # 1 is active and 7 is where a rollback returns.
    async with app_sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        await put_quota(session, change(tenant, "default"), TenantQuota())
    await chores.purge_versions(app_sessions, keep=2, keep_age=month)
    assert [v.number for v in await versions(app_sessions, tenant)] == [1, 6, 7]
    # Younger than the age kept: nothing more goes, however many there are.
    await chores.purge_versions(app_sessions, keep=1, keep_age=dt.timedelta(days=365))
    assert [v.number for v in await versions(app_sessions, tenant)] == [1, 6, 7]
