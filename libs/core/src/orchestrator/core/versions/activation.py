"""Make an earlier version the active one: its snapshot applied to the resource tables
through the bundle importer (pruning what it lacks), the head moved, the move audited
(ADR 0077). The services follow through the configuration notice the caller publishes
after commit, as after any edit."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.audit.change import record_change
from orchestrator.core.bundles.importing import import_bundle
from orchestrator.core.bundles.model import ImportReport
from orchestrator.core.configuration.mutation import Mutation
from orchestrator.core.errors import Conflict, NotFound
from orchestrator.core.versions import repository, service
from orchestrator.core.versions.models import WorkspaceVersionHead


async def _head(session: AsyncSession, expected: int | None) -> WorkspaceVersionHead:
    """The head, if the active version is ``expected`` (when given); 404, or 409."""
    head = await repository.head(session)
    if head is None:
        raise NotFound("The workspace has no configuration version yet.")
    if expected is not None and head.active != expected:
        raise Conflict(
            f"The active version is {head.active}, not {expected}: another change came first.",
            active=head.active,
        )
    return head


async def activate(
    session: AsyncSession,
    change: Mutation,
    number: int,
    *,
    expected: int | None = None,
) -> ImportReport:
    """Make version ``number`` active; what its application changed. 409 when the active
    version is not ``expected``, or when the version lacks what a kept resource needs
    (the importer names it); nothing is written then."""
    await repository.lock_workspace(session, change.tenant_id)
    head = await _head(session, expected)
    target = await service.version(session, number)
    bundle = service.own_bundle(target.snapshot, change.tenant_id)
    report = await import_bundle(session, change, bundle, dry_run=False, prune=True)
    if number != head.active:
        before = {"active": head.active, "previous": head.previous}
        after = {"active": number, "previous": head.active}
        await repository.move_head(session, **after)
        await record_change(session, change, "version.activate", f"version:{number}", before, after)
    return report


async def rollback(
    session: AsyncSession, change: Mutation, *, expected: int | None = None
) -> ImportReport:
    """Make the version active before the current one active again; 409 when there is none."""
    await repository.lock_workspace(session, change.tenant_id)
    head = await _head(session, expected)
    if head.previous is None:
        raise Conflict("There is no earlier active version to roll back to.")
    return await activate(session, change, head.previous, expected=head.active)
