"""Making a workspace unusable at once: nothing new gets in while its rows go.

Run in the transaction that moves the workspace to DELETING, and again as the saga's
first step (idempotent): its service identities are disabled and their tokens' subjects
revoked, the impersonation tokens and its guests' channel tokens still live in it revoked,
its webhook sources and schedules switched off.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.auth import revocation
from orchestrator.core.auth.subjects import (
    IMPERSONATION_MAX_TTL_S,
    operator_subject,
    service_subject,
)
from orchestrator.core.channels.models import ChannelInvite
from orchestrator.core.identity.public import Operator, ServiceIdentity
from orchestrator.core.jobs.models import Job
from orchestrator.core.jobs.states import ACTIVE
from orchestrator.core.models import AuditLog
from orchestrator.core.schedules.models import Schedule
from orchestrator.core.webhooks.models import WebhookSource
from orchestrator.core.workflows.machine import RunStatus
from orchestrator.core.workflows.models import WorkflowRun

ACTIVE_RUNS = (RunStatus.RUNNING.value, RunStatus.COMPENSATING.value)
IMPERSONATION_START = "impersonation.start"
"""The audit action that records each impersonation token (its ``jti`` and expiry)."""


@dataclass(frozen=True)
class TokenRevocation:
    """One token (``jti``) revoked until ``expires_at``: announced after commit."""

    jti: str
    expires_at: int


Revocation = revocation.SubjectRevocation | TokenRevocation


async def active_work(session: AsyncSession) -> dict[str, int]:
    """How many jobs are queued or running and workflow runs active in the session's
    workspace."""
    jobs = await session.scalar(
        select(func.count()).select_from(Job).where(Job.status.in_([s.value for s in ACTIVE]))
    )
    runs = await session.scalar(
        select(func.count()).select_from(WorkflowRun).where(WorkflowRun.status.in_(ACTIVE_RUNS))
    )
    return {"active_jobs": int(jobs or 0), "active_workflow_runs": int(runs or 0)}


async def _disable(
    session: AsyncSession,
    principals: Sequence[tuple[ServiceIdentity | Operator, str]],
    *,
    horizon_s: int,
    reason: str,
) -> list[revocation.SubjectRevocation]:
    """Disable each principal and revoke its subject (the key beside it) as of now."""
    revoked: list[revocation.SubjectRevocation] = []
    for principal, subject in principals:
        if principal.disabled_at is None:
            principal.disabled_at = func.now()
        revoked.append(
            await revocation.revoke_subject(
                session,
                subject=subject,
                horizon_s=horizon_s,
                revoked_by="deprovisioning",
                reason=reason,
            )
        )
    return revoked


async def _end_impersonations(session: AsyncSession, *, reason: str) -> list[TokenRevocation]:
    """Revoke every impersonation token of the session's workspace that has not expired
    (each is in the audit log with its ``jti`` and expiry: its subject is an operator's,
    whom the workspace's deletion does not revoke)."""
    now = int(time.time())
    # None issued longer ago than the longest lifetime can still be live.
    since = dt.datetime.fromtimestamp(now - IMPERSONATION_MAX_TTL_S - 60, dt.UTC)
    started = (
        await session.execute(
            select(AuditLog.actor, AuditLog.after).where(
                AuditLog.action == IMPERSONATION_START, AuditLog.created_at >= since
            )
        )
    ).all()
    live = [
        (str(after["jti"]), actor, int(after["expires_at"]))
        for actor, after in started
        if after and int(after.get("expires_at", 0)) > now
    ]
    return await _revoke_tokens(session, live, reason=reason)


async def _end_guests(session: AsyncSession, *, reason: str) -> list[TokenRevocation]:
    """Revoke the live channel token of every guest of the session's workspace (a guest's
    subject is its own, which nothing else revokes) and mark its invite revoked."""
    live = (
        await session.execute(
            update(ChannelInvite)
            .where(
                ChannelInvite.token_jti.is_not(None),
                ChannelInvite.revoked_at.is_(None),
                ChannelInvite.token_expires_at > func.now(),
            )
            .values(revoked_at=func.now())
            .returning(ChannelInvite.guest, ChannelInvite.token_jti, ChannelInvite.token_expires_at)
        )
    ).all()
    tokens = [
        (jti, guest, int(expires_at.timestamp()))
        for guest, jti, expires_at in live
        if jti is not None and expires_at is not None  # the statement's own conditions
    ]
    return await _revoke_tokens(session, tokens, reason=reason)


async def _revoke_tokens(
    session: AsyncSession, tokens: Sequence[tuple[str, str, int]], *, reason: str
) -> list[TokenRevocation]:
    """Put each ``(jti, subject, expires_at)`` on the denylist; what to announce."""
    for jti, subject, expires_at in tokens:
        await revocation.revoke(
            session,
            jti=jti,
            subject=subject,
            expires_at=expires_at,
            revoked_by="deprovisioning",
            reason=reason,
        )
    return [TokenRevocation(jti, expires_at) for jti, _, expires_at in tokens]


async def fence(
    session: AsyncSession, workspace_id: uuid.UUID, *, horizon_s: int, reason: str
) -> tuple[list[Revocation], dict[str, int]]:
    """Disable the workspace's identities (revoking their tokens), end its impersonations,
    switch off its webhook sources and schedules, in the caller's transaction scoped to the
    workspace; the revocations to announce once it commits, and how many of each."""
    identities = (
        await session.scalars(
            select(ServiceIdentity).where(ServiceIdentity.workspace_id == workspace_id)
        )
    ).all()
    revoked = await _disable(
        session,
        [(i, service_subject(workspace_id, i.name)) for i in identities],
        horizon_s=horizon_s,
        reason=reason,
    )
    tokens = await _end_impersonations(session, reason=reason)
    guests = await _end_guests(session, reason=reason)
    sources = await session.execute(
        update(WebhookSource).where(WebhookSource.enabled.is_(True)).values(enabled=False)
    )
    schedules = await session.execute(
        update(Schedule).where(Schedule.enabled.is_(True)).values(enabled=False)
    )
    await session.flush()
    return [*revoked, *tokens, *guests], {
        "identities_revoked": len(identities),
        "impersonations_ended": len(tokens),
        "guests_revoked": len(guests),
        "webhook_sources_disabled": sources.rowcount,  # type: ignore[attr-defined]
        "schedules_stopped": schedules.rowcount,  # type: ignore[attr-defined]
    }


async def fence_operators(
    session: AsyncSession, organization_id: uuid.UUID, *, horizon_s: int, reason: str
) -> list[Revocation]:
    """Disable every operator of the organization and revoke their tokens (an organization's
    deletion, at its request and again at its end); the revocations to announce."""
    operators = (
        await session.scalars(select(Operator).where(Operator.organization_id == organization_id))
    ).all()
    revoked: list[Revocation] = []
    revoked += await _disable(
        session,
        [(o, operator_subject(organization_id, o.name)) for o in operators],
        horizon_s=horizon_s,
        reason=reason,
    )
    await session.flush()
    return revoked
