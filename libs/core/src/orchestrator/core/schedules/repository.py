"""Queries of the schedules area; every one runs in the caller's transaction, under its
tenant (RLS) but for ``due_tenants``, which scopes its own transaction to the scan."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.db.repository import Repository
from orchestrator.core.schedules.models import Schedule, ScheduleWakeup

_SCAN = text("SELECT set_config('app.schedule_scan', 'on', true)")


SCHEDULES = Repository(Schedule, Schedule.name)
"""The session's tenant's schedules, by name."""


async def lock_due(
    session: AsyncSession, tenant_id: uuid.UUID, *, now: dt.datetime, limit: int
) -> Sequence[Schedule]:
    """The tenant's enabled schedules due by ``now``, earliest first, each row locked until
    commit; rows another transaction holds are passed over (``SKIP LOCKED``), so
    concurrent schedulers never take one schedule together."""
    query = (
        select(Schedule)
        .where(
            Schedule.tenant_id == tenant_id,
            Schedule.enabled.is_(True),
            Schedule.next_run_at <= now,
        )
        .order_by(Schedule.next_run_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await session.scalars(query)).all()


async def due_tenants(session: AsyncSession, *, now: dt.datetime) -> list[uuid.UUID]:
    """The workspaces with an enabled schedule due by ``now``: one indexed read of the
    wakeups (the only cross-workspace read of the scheduler), earliest first. Sets the
    scan's policy switch for the rest of the caller's transaction: give it one of its own."""
    query = (
        select(ScheduleWakeup.tenant_id)
        .where(ScheduleWakeup.next_run_at <= now)
        .group_by(ScheduleWakeup.tenant_id)
        .order_by(func.min(ScheduleWakeup.next_run_at))
    )
    await session.execute(_SCAN)
    return list((await session.scalars(query)).all())
