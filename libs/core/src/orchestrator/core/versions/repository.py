"""Reads and writes of the version tables, in the caller's tenant-scoped transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from orchestrator.core.db.base import utcnow
from orchestrator.core.db.pages import Keyset, Page, PageRequest
from orchestrator.core.versions.models import (
    WorkspaceDraft,
    WorkspaceVersion,
    WorkspaceVersionHead,
)

NEWEST_FIRST = Keyset(WorkspaceVersion.number, descending=True)


async def lock_workspace(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    """Serialize version writes of one workspace until the transaction ends (the first
    version has no head row yet to lock)."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended('workspace-versions:' || :t, 0))"),
        {"t": str(tenant_id)},
    )


async def head(session: AsyncSession) -> WorkspaceVersionHead | None:
    """The workspace's head, if it has a version yet."""
    return await session.scalar(select(WorkspaceVersionHead))


async def get(session: AsyncSession, number: int) -> WorkspaceVersion | None:
    """Version ``number`` of the workspace."""
    return await session.scalar(select(WorkspaceVersion).where(WorkspaceVersion.number == number))


async def add(session: AsyncSession, version: WorkspaceVersion) -> None:
    """Store a new version."""
    session.add(version)
    await session.flush()


async def start_head(session: AsyncSession, tenant_id: uuid.UUID, number: int) -> None:
    """The workspace's first head, on its first version."""
    session.add(WorkspaceVersionHead(tenant_id=tenant_id, active=number, latest=number))
    await session.flush()


async def move_head(session: AsyncSession, **values: Any) -> None:
    """Set the head's ``active``, ``previous`` and ``latest`` (those given)."""
    await session.execute(update(WorkspaceVersionHead).values(**values, updated_at=func.now()))


async def history(session: AsyncSession, page: PageRequest) -> Page[WorkspaceVersion]:
    """The workspace's versions, newest first, without their snapshots (not loaded)."""
    query = select(WorkspaceVersion).options(defer(WorkspaceVersion.snapshot, raiseload=True))
    return await NEWEST_FIRST.scalars(session, query, page)


async def drafts(session: AsyncSession) -> Sequence[WorkspaceDraft]:
    """The workspace's drafts, newest first, without their content (not loaded)."""
    query = (
        select(WorkspaceDraft)
        .options(defer(WorkspaceDraft.content, raiseload=True))
        .order_by(WorkspaceDraft.created_at.desc(), WorkspaceDraft.id)
    )
    return (await session.scalars(query)).all()


async def count_drafts(session: AsyncSession) -> int:
    """How many drafts the workspace has."""
    return await session.scalar(select(func.count()).select_from(WorkspaceDraft)) or 0


async def draft(
    session: AsyncSession, draft_id: uuid.UUID, *, lock: bool = False
) -> WorkspaceDraft | None:
    """One draft of the workspace; ``lock`` holds it until the transaction ends, so edits
    of one draft apply one after another."""
    query = select(WorkspaceDraft).where(WorkspaceDraft.id == draft_id)
    return await session.scalar(query.with_for_update() if lock else query)


async def add_draft(session: AsyncSession, new: WorkspaceDraft) -> None:
    """Store a new draft."""
    session.add(new)
    await session.flush()


async def set_content(session: AsyncSession, changed: WorkspaceDraft, content: Any) -> None:
    """Replace a draft's content."""
    changed.content = content
    changed.updated_at = utcnow()
    await session.flush()


async def drop_draft(session: AsyncSession, gone: WorkspaceDraft) -> None:
    """Delete a draft."""
    await session.execute(delete(WorkspaceDraft).where(WorkspaceDraft.id == gone.id))
