"""Every configuration change a version: snapshot the workspace, and store the snapshot
as the next version when it differs from the active one (ADR 0077)."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.audit import audited_kinds
from orchestrator.core.bundles.export import export_bundle
from orchestrator.core.bundles.model import Bundle, BundleTenant
from orchestrator.core.configuration.mutation import Mutation
from orchestrator.core.errors import NotFound
from orchestrator.core.models import Workspace
from orchestrator.core.versions import repository
from orchestrator.core.versions.diff import ResourceChange, diff, summary
from orchestrator.core.versions.models import WorkspaceVersion


async def snapshot(session: AsyncSession, workspace: Workspace) -> dict[str, Any]:
    """The workspace's configuration as a version holds it: a bundle whose ``tenant`` keeps
    only what configures (its quotas), not the workspace's own name or id."""
    bundle = await export_bundle(session, workspace)
    document: dict[str, Any] = msgspec.to_builtins(bundle, order="deterministic")
    document["tenant"] = {"quotas": document["tenant"]["quotas"]}
    return document


CONFIGURING = frozenset(
    {
        *("policy", "secret_ref", "connector", "config", "quota", "workflow", "schedule"),
        *("webhook_source", "webhook_binding"),
    }
)
"""The audited kinds a snapshot holds: a request that audited none of them changed none."""


def may_have_changed(session: AsyncSession) -> bool:
    """Whether ``session`` has audited a change of what a version holds."""
    return not CONFIGURING.isdisjoint(audited_kinds(session))


async def record(
    session: AsyncSession, workspace: Workspace, change: Mutation, request_id: str | None
) -> int | None:
    """Store the workspace's configuration as its next version, made active, unless it
    equals the active version; the new version's number, or ``None``."""
    await repository.lock_workspace(session, workspace.id)
    current = await snapshot(session, workspace)
    head = await repository.head(session)
    active = None if head is None else await repository.get(session, head.active)
    changes = diff({} if active is None else active.snapshot, current)
    if active is not None and not changes:
        return None
    number = 1 if head is None else head.latest + 1
    await repository.add(
        session,
        WorkspaceVersion(
            tenant_id=workspace.id,
            number=number,
            parent=None if head is None else head.active,
            snapshot=current,
            summary=summary(changes),
            actor=change.actor,
            reason=change.reason,
            request_id=request_id,
        ),
    )
    if head is None:
        await repository.start_head(session, workspace.id, number)
    else:
        await repository.move_head(session, active=number, previous=head.active, latest=number)
    return number


async def version(session: AsyncSession, number: int) -> WorkspaceVersion:
    """Version ``number`` of the workspace; 404 when it has none (or no longer)."""
    found = await repository.get(session, number)
    if found is None:
        raise NotFound(f"The workspace has no version {number}.")
    return found


async def compare(session: AsyncSession, before: int, after: int) -> list[ResourceChange]:
    """What changed from version ``before`` to version ``after`` (either way round)."""
    old, new = await version(session, before), await version(session, after)
    return diff(old.snapshot, new.snapshot)


def own_bundle(snapshot: dict[str, Any], workspace_id: uuid.UUID) -> Bundle:
    """A snapshot (a version's, a draft's) as the workspace's own bundle, so that importing
    it gives a webhook source it recreates its old id (and ingress URL) back."""
    bundle = msgspec.convert(snapshot, Bundle)
    own = msgspec.structs.replace(bundle.tenant, id=workspace_id)
    return msgspec.structs.replace(bundle, tenant=own)


async def bundle_of(session: AsyncSession, workspace: Workspace, number: int) -> Bundle:
    """Version ``number`` as a bundle describing the workspace, as an export of the
    configuration it held would; 404 when the workspace has no such version."""
    bundle = own_bundle((await version(session, number)).snapshot, workspace.id)
    tenant = BundleTenant(
        id=workspace.id,
        name=workspace.name,
        environment=workspace.environment,
        quotas=bundle.tenant.quotas,
    )
    return msgspec.structs.replace(bundle, tenant=tenant)
