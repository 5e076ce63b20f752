"""Queries of deprovisioning operations (a registry without RLS: each query names its
organization or is the worker's)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.models import DeprovisionOperation

RUNNING = "running"
SUCCEEDED = "succeeded"


async def by_operation_id(session: AsyncSession, operation_id: str) -> DeprovisionOperation | None:
    """The operation keyed ``operation_id``, if any."""
    return await session.scalar(
        select(DeprovisionOperation).where(DeprovisionOperation.operation_id == operation_id)
    )


async def by_id(session: AsyncSession, operation_id: uuid.UUID) -> DeprovisionOperation | None:
    """One operation by id (a platform operator's read: any organization)."""
    return await session.get(DeprovisionOperation, operation_id)


async def in_organization(
    session: AsyncSession, organization_id: uuid.UUID, operation_id: uuid.UUID
) -> DeprovisionOperation | None:
    """One operation by id, only if it is ``organization_id``'s."""
    return await session.scalar(
        select(DeprovisionOperation).where(
            DeprovisionOperation.id == operation_id,
            DeprovisionOperation.organization_id == organization_id,
        )
    )


async def latest_of_workspace(
    session: AsyncSession, workspace_id: uuid.UUID
) -> DeprovisionOperation | None:
    """The newest deletion of a workspace, if it was ever asked."""
    return await _latest(session, "workspace", DeprovisionOperation.workspace_id == workspace_id)


async def latest_of_organization(
    session: AsyncSession, organization_id: uuid.UUID
) -> DeprovisionOperation | None:
    """The newest deletion of an organization (itself, not one of its workspaces)."""
    return await _latest(
        session, "organization", DeprovisionOperation.organization_id == organization_id
    )


async def _latest(
    session: AsyncSession, kind: str, target: ColumnElement[bool]
) -> DeprovisionOperation | None:
    return await session.scalar(
        select(DeprovisionOperation)
        .where(target, DeprovisionOperation.kind == kind)
        .order_by(DeprovisionOperation.started_at.desc())
        .limit(1)
    )


async def claim(session: AsyncSession, *, lease_s: float) -> DeprovisionOperation | None:
    """Take the oldest running operation no live worker holds (its lease ended or it has
    none), for ``lease_s``; workspace deletions before organizations (an organization's
    saga waits for them)."""
    now = func.now()
    candidate = (
        select(DeprovisionOperation.id)
        .where(
            DeprovisionOperation.status == RUNNING,
            or_(
                DeprovisionOperation.lease_until.is_(None),
                DeprovisionOperation.lease_until < now,
            ),
        )
        .order_by(DeprovisionOperation.kind.desc(), DeprovisionOperation.started_at)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    return await session.scalar(
        update(DeprovisionOperation)
        .where(DeprovisionOperation.id == candidate)
        .values(
            lease_until=now + dt.timedelta(seconds=lease_s),
            attempts=DeprovisionOperation.attempts + 1,
            updated_at=now,
        )
        .returning(DeprovisionOperation)
    )


async def save(
    session: AsyncSession,
    operation_id: uuid.UUID,
    *,
    step: str,
    progress: dict[str, Any],
    lease_s: float,
    status: str = RUNNING,
    failure: str | None = None,
) -> None:
    """Record where an operation is, renewing its lease (or ending it with ``status``)."""
    now = func.now()
    finished = status != RUNNING
    await session.execute(
        update(DeprovisionOperation)
        .where(DeprovisionOperation.id == operation_id)
        .values(
            step=step,
            progress=progress,
            status=status,
            failure=failure,
            updated_at=now,
            lease_until=None if finished else now + dt.timedelta(seconds=lease_s),
            finished_at=now if finished else None,
        )
    )
