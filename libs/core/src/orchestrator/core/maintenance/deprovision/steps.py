"""The steps of a workspace's deletion, each idempotent, each in transactions of its own.

A step returns what it did (recorded in the operation's ``progress`` and in an audit
record of the workspace); the saga (``runner.py``) skips the steps it finished before,
so a worker that dies mid-step redoes only that step, from where its batches got.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from loguru import logger
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import func, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.auth import revocation
from orchestrator.core.db.tenant import set_tenant, tenant_transaction
from orchestrator.core.jobs.models import Job
from orchestrator.core.jobs.states import ACTIVE, JobStatus
from orchestrator.core.maintenance.deprovision.fence import (
    ACTIVE_RUNS,
    Revocation,
    TokenRevocation,
    fence,
)
from orchestrator.core.maintenance.deprovision.tables import tenant_tables
from orchestrator.core.payloads.process import payload_store
from orchestrator.core.workflows.machine import RunStatus
from orchestrator.core.workflows.models import WorkflowRun

Sessions = async_sessionmaker[AsyncSession]
_DELETE_BATCH = text("SELECT deprovision_delete_batch(:table, :workspace, :limit)")

SECRET_TABLES = ("workspace_secrets", "secret_refs")
"""Where a workspace's secret values live (sealed): dropped before anything else goes."""


async def _noop() -> None:
    return None


def never() -> bool:
    """A worker that never stops (tests, the CLI)."""
    return False


class Interrupted(Exception):
    """The worker is stopping: the operation goes back, resumed from its last batch."""


@dataclass(frozen=True)
class RunnerSettings:
    """How operations run (``ORCH_DEPROVISION_*``, read by the worker)."""

    batch: int = 1000
    lease_s: float = 60.0
    horizon_s: int = 3900
    batch_pause_s: float = 0.0
    """Test-only slow-down between batches (``ORCH_DEPROVISION_BATCH_PAUSE_S``, 0 in
    production): lets a test kill a worker mid-delete."""
    stopping: Callable[[], bool] = never
    """Whether the worker is stopping: checked after every batch, the operation is then
    handed back (its lease ended) for another worker to resume at once."""


@dataclass(frozen=True)
class Runtime:
    """What every operation runs with: the database, Redis (to announce revocations) and
    its namespace, and the settings."""

    sessions: Sessions
    redis: Redis
    namespace: str
    settings: RunnerSettings


@dataclass
class Context:
    """What every step of one workspace's deletion needs."""

    runtime: Runtime
    workspace_id: uuid.UUID
    reason: str
    renew: Callable[[AsyncSession, dict[str, Any]], Awaitable[None]] = field(
        default=lambda *_: _noop()
    )
    """Records a step's partial progress (and renews the operation's lease) in the batch's
    transaction, so the counts are exact whenever the worker dies."""


async def fence_step(ctx: Context, _: dict[str, Any]) -> dict[str, Any]:
    """Disable identities (revoking their tokens), webhook sources and schedules."""
    async with tenant_transaction(ctx.runtime.sessions, ctx.workspace_id) as session:
        revoked, counts = await fence(
            session, ctx.workspace_id, horizon_s=ctx.runtime.settings.horizon_s, reason=ctx.reason
        )
    await announce(ctx.runtime.redis, ctx.runtime.namespace, revoked)
    return counts


async def announce(redis: Redis, namespace: str, revoked: Sequence[Revocation]) -> None:
    """Announce committed revocations; one lost is healed by every service's reconcile."""
    try:
        for each in revoked:
            if isinstance(each, TokenRevocation):
                await revocation.announce(
                    redis, namespace, jti=each.jti, expires_at=each.expires_at
                )
            else:
                await revocation.announce_subject(redis, namespace, each)
    except RedisError as exc:
        logger.warning("deprovisioning: revocations not announced: {!r}", exc)


async def cancel_work(ctx: Context, _: dict[str, Any]) -> dict[str, Any]:
    """End the active workflow runs, then cancel the queued and running jobs (a running
    attempt's finishing compare-and-set then fails: nothing it does is kept)."""
    async with tenant_transaction(ctx.runtime.sessions, ctx.workspace_id) as session:
        runs = await session.execute(
            update(WorkflowRun)
            .where(WorkflowRun.status.in_(ACTIVE_RUNS))
            .values(status=RunStatus.FAILED.value)
        )
        jobs = await session.execute(
            update(Job)
            .where(Job.status.in_([s.value for s in ACTIVE]))
            .values(status=JobStatus.CANCELLED.value, finished_at=func.now())
        )
    return {
        "workflow_runs_ended": runs.rowcount,  # type: ignore[attr-defined]
        "jobs_cancelled": jobs.rowcount,  # type: ignore[attr-defined]
    }


async def _empty(ctx: Context, table: str, done: dict[str, Any]) -> int:
    """Delete ``table``'s rows of the workspace a batch (one transaction) at a time."""
    total = int(done.get(table, 0))
    while True:
        async with ctx.runtime.sessions() as session, session.begin():
            await set_tenant(session, ctx.workspace_id)
            deleted = int(
                await session.scalar(
                    _DELETE_BATCH,
                    {
                        "table": table,
                        "workspace": ctx.workspace_id,
                        "limit": ctx.runtime.settings.batch,
                    },
                )
                or 0
            )
            if deleted:
                done[table] = total + deleted
                await ctx.renew(session, done)
        total += deleted
        if deleted:
            if ctx.runtime.settings.stopping():
                raise Interrupted
            if ctx.runtime.settings.batch_pause_s:
                await asyncio.sleep(ctx.runtime.settings.batch_pause_s)
        if deleted < ctx.runtime.settings.batch:
            done[table] = total
            return total


async def revoke_identities(ctx: Context, done: dict[str, Any]) -> dict[str, Any]:
    """Delete the workspace's service identities (their tokens were revoked by the fence)."""
    await _empty(ctx, "service_identities", done)
    return done


async def drop_secrets(ctx: Context, done: dict[str, Any]) -> dict[str, Any]:
    """Delete every sealed secret value of the workspace: its callback signing secrets and
    its ``db://`` secret refs (nothing of it stays decryptable)."""
    for table in SECRET_TABLES:
        await _empty(ctx, table, done)
    return done


async def delete_rows(ctx: Context, done: dict[str, Any]) -> dict[str, Any]:
    """Every other row of the workspace, table by table, children first."""
    async with ctx.runtime.sessions() as session:
        tables = await tenant_tables(session)
    for table in tables:
        await _empty(ctx, table, done)
    return done


async def delete_payloads(ctx: Context, _: dict[str, Any]) -> dict[str, Any]:
    """Every object under the workspace's prefix in the payload store (ADR 0089): the
    ones its rows named and any left unreferenced."""
    store = payload_store()
    if store is None:
        return {"objects_deleted": 0, "store": "not configured"}
    return {"objects_deleted": await store.delete_workspace(ctx.workspace_id)}


Step = Callable[[Context, dict[str, Any]], Awaitable[dict[str, Any]]]

STEPS: tuple[tuple[str, Step], ...] = (
    ("fence", fence_step),
    ("cancel-work", cancel_work),
    ("revoke-identities", revoke_identities),
    ("drop-secrets", drop_secrets),
    ("delete-rows", delete_rows),
    ("delete-payloads", delete_payloads),
)
"""A workspace's deletion, in order; ``finish`` (the tombstone) follows them."""
