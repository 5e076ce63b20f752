"""Retention: forget data that no longer serves a purpose."""

from __future__ import annotations

from loguru import logger
from sqlalchemy import delete

from orchestrator.core.db.base import utcnow
from orchestrator.core.models import RevokedSubject, RevokedToken
from orchestrator.worker.context import worker_context

PURGE_EXPIRED_REVOCATIONS = "purge_expired_revocations"


async def purge_expired_revocations() -> None:
    """Delete denylist entries (tokens and subjects) that can refuse nothing any more; idempotent."""
    context = await worker_context()
    async with context.sessions() as session, session.begin():
        now = utcnow()
        tokens = await session.execute(delete(RevokedToken).where(RevokedToken.expires_at < now))
        # A subject's entry outlives the longest token issued before its moment (ADR 0045).
        subjects = await session.execute(
            delete(RevokedSubject).where(RevokedSubject.expires_at < now)
        )
    logger.info(
        "purged {} expired token and {} expired subject revocations",
        tokens.rowcount,  # type: ignore[attr-defined]
        subjects.rowcount,  # type: ignore[attr-defined]
    )
