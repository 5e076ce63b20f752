"""Retention: forget data that no longer serves a purpose."""

from __future__ import annotations

from loguru import logger
from sqlalchemy import delete

from orchestrator.core.db.base import utcnow
from orchestrator.core.models import RevokedToken
from orchestrator.worker.context import worker_context

PURGE_EXPIRED_REVOCATIONS = "purge_expired_revocations"


async def purge_expired_revocations() -> None:
    """Delete denylist entries of tokens that have expired anyway; idempotent."""
    context = await worker_context()
    async with context.sessions() as session, session.begin():
        result = await session.execute(
            delete(RevokedToken).where(RevokedToken.expires_at < utcnow())
        )
    logger.info("purged {} expired revocations", result.rowcount)  # type: ignore[attr-defined]
