"""The channel's assistant: it answers the canned question (``ask_status``, "status?") with
a canned summary of the workspace, the same figures for the same state (ADR 0104)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.channels.events import SYSTEM, ChannelEvent, StatusKind
from orchestrator.core.channels.service import ChannelRuntime
from orchestrator.core.overview.repository import depths
from orchestrator.core.versions import repository as versions

DEPTH_LIMIT = 10_000
"""Depths are counted no further (what the overview does)."""


async def summary(
    session: AsyncSession, channels: ChannelRuntime, workspace_id: uuid.UUID
) -> ChannelEvent:
    """The workspace now: jobs queued, running and dead (the DLQ), the active configuration
    version (0 for none), and the sessions open on its channel."""
    counted = await depths(session, workspace_id, limit=DEPTH_LIMIT)
    head = await versions.head(session)
    figures = {
        "queued": counted.jobs["queued"],
        "running": counted.jobs["running"],
        "dead": counted.jobs["dead"],
        "active_version": head.active if head is not None else 0,
        "sessions": await channels.sessions.presence(workspace_id),
    }
    return ChannelEvent(
        type="status",
        workspace_id=workspace_id,
        actor=SYSTEM,
        status=StatusKind.SUMMARY,
        subject="status?",
        figures=figures,
    )
