"""Asking for a deletion: the checks, the operation's record and the fence, in the
request's transaction (ADR 0100). The worker does the rest (``runner.py``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.audit.change import flush_or_conflict, record_change
from orchestrator.core.configuration.public import Mutation
from orchestrator.core.db.tenant import set_organization, set_tenant
from orchestrator.core.errors import Conflict, NotFound
from orchestrator.core.identity.public import Operator
from orchestrator.core.maintenance.deprovision import records
from orchestrator.core.maintenance.deprovision.fence import (
    Revocation,
    active_work,
    fence,
    fence_operators,
)
from orchestrator.core.models import DeprovisionOperation, Organization, Workspace, WorkspaceStatus


@dataclass(frozen=True)
class Deletion:
    """Who asks to delete what, why, under which ``operation_id``, and whether active work
    may be cancelled (``force``)."""

    organization_id: uuid.UUID
    operation_id: str
    actor: str
    reason: str
    force: bool
    horizon_s: int


@dataclass
class Started:
    """The operation, whether this call started it, and the revocations to announce once
    the transaction commits."""

    operation: DeprovisionOperation
    created: bool
    revoked: list[Revocation]


def _same(existing: DeprovisionOperation, kind: str, target: uuid.UUID) -> DeprovisionOperation:
    """The operation of a repeated request; 409 if its ``operation_id`` names another."""
    named = existing.workspace_id if kind == "workspace" else existing.organization_id
    if existing.kind != kind or named != target:
        raise Conflict(
            "This operation_id already names another deletion.",
            operation_id=existing.operation_id,
        )
    return existing


def _already(existing: DeprovisionOperation | None, what: str) -> None:
    """409 for another ``operation_id`` on something already being (or already) deleted."""
    if existing is not None:
        raise Conflict(
            f"This {what} is {'already deleted' if existing.status == records.SUCCEEDED else 'being deleted'} "
            "under another operation_id; follow that one.",
            operation_id=existing.operation_id,
            deletion_id=str(existing.id),
        )


async def _busy(session: AsyncSession, workspaces: list[Workspace], force: bool) -> None:
    """409 naming the counts while any of ``workspaces`` has active work, unless forced."""
    if force:
        return
    jobs = runs = 0
    for workspace in workspaces:
        await set_tenant(session, workspace.id)
        counts = await active_work(session)
        jobs += counts["active_jobs"]
        runs += counts["active_workflow_runs"]
    if jobs or runs:
        raise Conflict(
            f"{jobs} job(s) are queued or running and {runs} workflow run(s) active; wait for "
            "them, or repeat with force=true to cancel them first.",
            active_jobs=jobs,
            active_workflow_runs=runs,
        )


def _record(
    session: AsyncSession,
    deletion: Deletion,
    *,
    operation_id: str,
    kind: str,
    step: str,
    progress: dict[str, Any],
    workspace_id: uuid.UUID | None = None,
    parent_id: uuid.UUID | None = None,
) -> DeprovisionOperation:
    """Add the running operation's record to the session."""
    operation = DeprovisionOperation(
        id=uuid.uuid4(),
        operation_id=operation_id,
        kind=kind,
        organization_id=deletion.organization_id,
        workspace_id=workspace_id,
        parent_id=parent_id,
        status=records.RUNNING,
        step=step,
        force=deletion.force,
        actor=deletion.actor,
        reason=deletion.reason,
        progress=progress,
        attempts=0,
    )
    session.add(operation)
    return operation


async def _rehome_operators(session: AsyncSession, workspace: Workspace) -> int:
    """Give the operators whose home is ``workspace`` the organization's oldest other live
    workspace of its environment (their tokens' default ``tid``, which must be live for a
    token to be issued); how many moved. With none left they keep it, and sign in no more."""
    other = await session.scalar(
        select(Workspace.id)
        .where(
            Workspace.organization_id == workspace.organization_id,
            Workspace.id != workspace.id,
            Workspace.status == WorkspaceStatus.COMMITTED,
            Workspace.environment == workspace.environment,
        )
        .order_by(Workspace.created_at, Workspace.id)
        .limit(1)
    )
    if other is None:
        return 0
    moved = await session.execute(
        update(Operator)
        .where(Operator.home_workspace_id == workspace.id)
        .values(home_workspace_id=other)
    )
    return int(moved.rowcount)  # type: ignore[attr-defined]


async def _open(
    session: AsyncSession,
    deletion: Deletion,
    workspace: Workspace,
    *,
    operation_id: str,
    parent_id: uuid.UUID | None = None,
) -> Started:
    """Move ``workspace`` to DELETING, fence it and record its operation (audited)."""
    await set_tenant(session, workspace.id)
    before = workspace.status.value
    await session.execute(
        update(Workspace)
        .where(Workspace.id == workspace.id)
        .values(status=WorkspaceStatus.DELETING)
    )
    revoked, counts = await fence(
        session, workspace.id, horizon_s=deletion.horizon_s, reason=deletion.reason
    )
    counts["operators_rehomed"] = await _rehome_operators(session, workspace)
    operation = _record(
        session,
        deletion,
        operation_id=operation_id,
        kind="workspace",
        step="fence",
        progress={"requested": counts},
        workspace_id=workspace.id,
        parent_id=parent_id,
    )
    who = Mutation(workspace.id, deletion.actor, deletion.reason)
    target = f"workspace:{workspace.id}"
    after = {"status": "DELETING", "operation_id": operation_id, "force": deletion.force}
    await record_change(session, who, "workspace.delete", target, {"status": before}, after)
    await flush_or_conflict(session, f"the deletion `{operation_id}`")
    return Started(operation, True, revoked)


async def delete_workspace(
    session: AsyncSession, deletion: Deletion, workspace_id: uuid.UUID
) -> Started:
    """Start deleting a workspace of the caller's organization, or answer the deletion its
    ``operation_id`` started before; 404 if there is no such workspace, 409 while it has
    active work (unless forced), is not COMMITTED, or is deleted under another operation."""
    await set_organization(session, deletion.organization_id)
    # Locked first: a concurrent request for the same workspace waits here, then finds the
    # operation this one records (the same answer) or another (a 409 naming it).
    workspace = await session.scalar(
        select(Workspace).where(Workspace.id == workspace_id).with_for_update()
    )
    existing = await records.by_operation_id(session, deletion.operation_id)
    if existing is not None:
        return Started(_same(existing, "workspace", workspace_id), False, [])
    if workspace is None or workspace.organization_id != deletion.organization_id:
        raise NotFound("No such workspace in your organization.")
    if workspace.status in (WorkspaceStatus.DELETING, WorkspaceStatus.DELETED):
        _already(await records.latest_of_workspace(session, workspace_id), "workspace")
    if workspace.status is not WorkspaceStatus.COMMITTED:
        raise Conflict(f"Workspace `{workspace.name}` is {workspace.status.value}, not COMMITTED.")
    await _busy(session, [workspace], deletion.force)
    return await _open(session, deletion, workspace, operation_id=deletion.operation_id)


async def delete_organization(session: AsyncSession, deletion: Deletion) -> Started:
    """Start deleting an organization: each of its live workspaces gets a deletion of its
    own (a step of this one, ``<operation_id>:<workspace id>``), then the organization goes."""
    organization = await session.scalar(
        select(Organization).where(Organization.id == deletion.organization_id).with_for_update()
    )
    existing = await records.by_operation_id(session, deletion.operation_id)
    if existing is not None:
        return Started(_same(existing, "organization", deletion.organization_id), False, [])
    if organization is None:
        raise NotFound("No such organization.")
    if organization.status in (WorkspaceStatus.DELETING, WorkspaceStatus.DELETED):
        _already(await records.latest_of_organization(session, organization.id), "organization")
    if organization.status is not WorkspaceStatus.COMMITTED:
        raise Conflict(f"Organization `{organization.name}` is {organization.status.value}.")
    await set_organization(session, organization.id)
    workspaces = list(
        (
            await session.scalars(
                select(Workspace)
                .where(Workspace.status == WorkspaceStatus.COMMITTED)
                .order_by(Workspace.created_at)
                .with_for_update()
            )
        ).all()
    )
    pending = await session.scalar(
        select(Workspace.id).where(
            Workspace.status.in_([WorkspaceStatus.PENDING, WorkspaceStatus.DELETING])
        )
    )
    if pending is not None:
        raise Conflict(
            "A workspace of this organization is being created or deleted; retry once it is done."
        )
    await _busy(session, workspaces, deletion.force)
    organization.status = WorkspaceStatus.DELETING
    operation = _record(
        session,
        deletion,
        operation_id=deletion.operation_id,
        kind="organization",
        step="workspaces",
        progress={"workspaces": {str(w.id): records.RUNNING for w in workspaces}},
    )
    await flush_or_conflict(session, f"the deletion `{deletion.operation_id}`")
    # Its operators are out at once too: nothing of the organization is usable from here.
    revoked = await fence_operators(
        session, organization.id, horizon_s=deletion.horizon_s, reason=deletion.reason
    )
    for workspace in workspaces:
        child = await _open(
            session,
            deletion,
            workspace,
            operation_id=f"{deletion.operation_id}:{workspace.id}",
            parent_id=operation.id,
        )
        revoked += child.revoked
    return Started(operation, True, revoked)
