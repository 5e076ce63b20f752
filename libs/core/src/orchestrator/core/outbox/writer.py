"""Write an outbox row in the caller's transaction; it is published only if that commits."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import func, insert
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.events.wake import Notifier, after_commit
from orchestrator.core.models import OutboxMessage
from orchestrator.core.outbox.kinds import ROUTES


async def enqueue(
    session: AsyncSession,
    notifier: Notifier,
    *,
    workspace_id: uuid.UUID,
    kind: str,
    payload: dict[str, Any],
    available_at: dt.datetime | None = None,
) -> None:
    """Add a message of ``kind`` (ids only in ``payload``), due at ``available_at`` (now)."""
    if kind not in ROUTES:
        raise ValueError(f"unknown outbox kind {kind!r}")
    await session.execute(
        insert(OutboxMessage).values(
            workspace_id=workspace_id,
            kind=kind,
            payload=payload,
            available_at=available_at if available_at is not None else func.now(),
        )
    )
    after_commit(session, notifier.outbox_written)
