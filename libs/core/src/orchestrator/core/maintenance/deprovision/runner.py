"""Running deprovisioning operations: the worker claims one at a time and runs it to its
end, its steps in order, each recorded before the next begins (ADR 0100).

A claim is a lease: a worker that dies leaves the operation to another once it ends, and
that one resumes from the first step not recorded as done (the step itself picks up
from its batches, every one of which is idempotent).
"""

from __future__ import annotations

import uuid
from typing import Any

from loguru import logger
from redis.asyncio import Redis
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core import audit
from orchestrator.core.db.base import utcnow
from orchestrator.core.db.tenant import set_organization, set_tenant
from orchestrator.core.maintenance.deprovision import records
from orchestrator.core.maintenance.deprovision.fence import fence_operators
from orchestrator.core.maintenance.deprovision.steps import (
    STEPS,
    Context,
    Interrupted,
    RunnerSettings,
    Runtime,
    announce,
)
from orchestrator.core.models import DeprovisionOperation, Organization, Workspace, WorkspaceStatus

Sessions = async_sessionmaker[AsyncSession]
WAIT_S = 1.0
"""How soon an organization's deletion looks at its workspaces' deletions again."""


async def run_next(
    sessions: Sessions, redis: Redis, namespace: str, settings: RunnerSettings
) -> bool:
    """Claim one operation and run it as far as it goes; False when none was waiting."""
    async with sessions() as session, session.begin():
        operation = await records.claim(session, lease_s=settings.lease_s)
    if operation is None:
        return False
    logger.info(
        "deprovisioning {} ({} {}), attempt {}",
        operation.operation_id,
        operation.kind,
        operation.workspace_id or operation.organization_id,
        operation.attempts,
    )
    try:
        runner = _Runner(sessions, redis, namespace, settings)
        if operation.kind == "workspace":
            await runner.workspace(operation)
        else:
            await runner.organization(operation)
    except Interrupted:
        logger.info("deprovisioning {} handed back at {}", operation.operation_id, operation.step)
        async with sessions() as session, session.begin():
            await session.execute(
                update(DeprovisionOperation)
                .where(DeprovisionOperation.id == operation.id)
                .values(lease_until=func.now())
            )
    except Exception as exc:
        # Left running: the lease ends and the operation is tried again (every step is
        # idempotent); the failure is shown to whoever follows it meanwhile.
        logger.opt(exception=exc).error("deprovisioning {} failed", operation.operation_id)
        async with sessions() as session, session.begin():
            await session.execute(
                update(DeprovisionOperation)
                .where(DeprovisionOperation.id == operation.id)
                .values(failure=f"{type(exc).__name__} at step {operation.step}")
            )
    return True


async def _audit(
    sessions: Sessions,
    operation: DeprovisionOperation,
    workspace_id: uuid.UUID,
    step: str,
    after: dict[str, Any],
) -> None:
    async with sessions() as session, session.begin():
        await set_tenant(session, workspace_id)
        await audit.record(
            session,
            tenant_id=workspace_id,
            actor=operation.actor,
            action=f"workspace.delete.{step}",
            target=f"workspace:{workspace_id}",
            reason=operation.reason,
            after={"operation_id": operation.operation_id, **after},
        )


class _Runner(Runtime):
    """Runs one operation of either kind to its end."""

    async def workspace(self, operation: DeprovisionOperation) -> None:
        """Run a workspace's steps in order from the first not done, then mark it deleted."""
        assert operation.workspace_id is not None
        workspace_id = operation.workspace_id
        progress: dict[str, Any] = dict(operation.progress)
        done: list[str] = list(progress.get("done", []))

        async def record(session: AsyncSession, step: str, status: str = records.RUNNING) -> None:
            operation.step = step
            await records.save(
                session,
                operation.id,
                step=step,
                progress=progress,
                lease_s=self.settings.lease_s,
                status=status,
            )

        async def save(step: str, status: str = records.RUNNING) -> None:
            async with self.sessions() as session, session.begin():
                await record(session, step, status)

        for name, step in STEPS:
            if name in done:
                continue
            partial: dict[str, Any] = dict(progress.get("steps", {}).get(name, {}))

            async def renew(session: AsyncSession, state: dict[str, Any], name: str = name) -> None:
                progress.setdefault("steps", {})[name] = dict(state)
                await record(session, name)

            ctx = Context(self, workspace_id, operation.reason, renew)
            await save(name)
            result = await step(ctx, partial)
            progress.setdefault("steps", {})[name] = result
            done.append(name)
            progress["done"] = done
            await _audit(self.sessions, operation, workspace_id, name, result)
            await save(name)
        async with self.sessions() as session, session.begin():
            await set_tenant(session, workspace_id)
            await session.execute(
                update(Workspace)
                .where(Workspace.id == workspace_id, Workspace.status == WorkspaceStatus.DELETING)
                .values(status=WorkspaceStatus.DELETED, updated_at=utcnow())
            )
        await _audit(self.sessions, operation, workspace_id, "finish", {"status": "DELETED"})
        await save("finish", records.SUCCEEDED)
        logger.info("deprovisioning {}: workspace {} deleted", operation.operation_id, workspace_id)

    async def organization(self, operation: DeprovisionOperation) -> None:
        """Wait for its workspaces' deletions, then end its operators' access and leave the
        organization a DELETED tombstone."""
        organization_id = operation.organization_id
        async with self.sessions() as session, session.begin():
            children = (
                await session.scalars(
                    select(DeprovisionOperation).where(
                        DeprovisionOperation.parent_id == operation.id
                    )
                )
            ).all()
        waiting = [c.operation_id for c in children if c.status != records.SUCCEEDED]
        progress: dict[str, Any] = dict(operation.progress)
        progress["workspaces"] = {str(c.workspace_id): c.status for c in children}
        if waiting:
            # Not this worker's to run: look again after a short lease, not in a busy loop.
            async with self.sessions() as session, session.begin():
                await records.save(
                    session, operation.id, step="workspaces", progress=progress, lease_s=WAIT_S
                )
            return
        async with self.sessions() as session, session.begin():
            revoked = await fence_operators(
                session, organization_id, horizon_s=self.settings.horizon_s, reason=operation.reason
            )
            await set_organization(session, organization_id)
            await session.execute(
                update(Organization)
                .where(
                    Organization.id == organization_id,
                    Organization.status == WorkspaceStatus.DELETING,
                )
                .values(status=WorkspaceStatus.DELETED)
            )
            progress["operators_disabled"] = len(revoked)
            progress["done"] = ["workspaces", "operators"]
            await records.save(
                session,
                operation.id,
                step="finish",
                progress=progress,
                lease_s=self.settings.lease_s,
                status=records.SUCCEEDED,
            )
        await announce(self.redis, self.namespace, revoked)
        logger.info(
            "deprovisioning {}: organization {} deleted", operation.operation_id, organization_id
        )
