"""Queries of the tenancy area."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.callbacks.public import WorkspaceSecret
from orchestrator.core.db.pages import EVERY, Keyset, Page, PageRequest
from orchestrator.core.db.repository import Repository
from orchestrator.core.identity.public import Operator, PlatformOperator, ServiceIdentity
from orchestrator.core.models import AuditLog, Organization, Workspace, WorkspaceStatus
from orchestrator.core.models.workspace import GONE


async def get_or_create_organization(session: AsyncSession, name: str) -> Organization:
    """The organization called ``name``, created if missing (race-safe)."""
    await session.execute(
        insert(Organization)
        .values(id=uuid.uuid4(), name=name, status=WorkspaceStatus.COMMITTED)
        .on_conflict_do_nothing(index_elements=["name"], index_where=LIVE_ORGANIZATION)
    )
    org = await organization_by_name(session, name)
    assert org is not None
    return org


# Names are unique among live organizations only: a FAILED creation saga and a DELETED
# tombstone give their name back (the index's predicate, ``NAME_HOLDERS``).
LIVE_ORGANIZATION = Organization.status.not_in(GONE)


async def organization_by_name(session: AsyncSession, name: str) -> Organization | None:
    """The live (not FAILED nor DELETED) organization called ``name``."""
    return await session.scalar(
        select(Organization).where(Organization.name == name, LIVE_ORGANIZATION)
    )


async def organization_by_operation(
    session: AsyncSession, operation_id: str
) -> Organization | None:
    """The organization a creation operation made, locked until commit."""
    return await session.scalar(
        select(Organization).where(Organization.operation_id == operation_id).with_for_update()
    )


ORGANIZATIONS = Repository(
    Organization, Organization.id, keyset=Keyset(Organization.created_at, Organization.id)
)
"""Organizations, oldest first (a registry: no RLS)."""
organizations = ORGANIZATIONS.list
"""Organizations, oldest first: a page of them, or every one."""


async def set_organization_status(
    session: AsyncSession,
    organization_id: uuid.UUID,
    *,
    expected: WorkspaceStatus,
    new: WorkspaceStatus,
) -> bool:
    """Compare-and-set the organization saga's state; False when another writer moved it."""
    result = await session.execute(
        update(Organization)
        .where(Organization.id == organization_id, Organization.status == expected)
        .values(status=new)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def platform_operator_by_client_id(
    session: AsyncSession, client_id: str
) -> PlatformOperator | None:
    """A platform operator by its public client id."""
    return await session.scalar(
        select(PlatformOperator).where(PlatformOperator.client_id == client_id)
    )


async def platform_operator_by_name(session: AsyncSession, name: str) -> PlatformOperator | None:
    """A platform operator by name."""
    return await session.scalar(select(PlatformOperator).where(PlatformOperator.name == name))


async def workspace_by_operation(session: AsyncSession, operation_id: str) -> Workspace | None:
    """The workspace a creation operation made (visible under the session's RLS scope)."""
    return await session.scalar(select(Workspace).where(Workspace.operation_id == operation_id))


async def workspace_by_name(
    session: AsyncSession, organization_id: uuid.UUID, name: str
) -> Workspace | None:
    """The organization's live (not FAILED nor DELETED) workspace called ``name``."""
    return await session.scalar(
        select(Workspace).where(
            Workspace.organization_id == organization_id,
            Workspace.name == name,
            Workspace.status.not_in(GONE),
        )
    )


async def get_workspace(session: AsyncSession, workspace_id: uuid.UUID) -> Workspace | None:
    """One workspace by id, if the session's RLS scope lets it be seen."""
    return await session.get(Workspace, workspace_id)


WORKSPACES = Repository(Workspace, Workspace.id, keyset=Keyset(Workspace.created_at, Workspace.id))
"""The workspaces the session's RLS scope lets it see, oldest first."""
visible_workspaces = WORKSPACES.list
"""The workspaces the session's RLS scope lets it see, oldest first: a page of them, or
every one."""


async def live_workspaces(session: AsyncSession, page: PageRequest = EVERY) -> Page[Workspace]:
    """The workspaces the session's RLS scope lets it see but DELETED tombstones, oldest
    first: a page of them, or every one."""
    query = select(Workspace).where(Workspace.status != WorkspaceStatus.DELETED)
    return await WORKSPACES.list(session, page, query)


async def set_workspace_status(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    *,
    expected: WorkspaceStatus,
    new: WorkspaceStatus,
    failure_reason: str | None = None,
) -> bool:
    """Compare-and-set the saga state; False when another writer moved it first."""
    result = await session.execute(
        update(Workspace)
        .where(Workspace.id == workspace_id, Workspace.status == expected)
        .values(status=new, failure_reason=failure_reason, updated_at=func.now())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def workspace_secret(session: AsyncSession, purpose: str) -> WorkspaceSecret | None:
    """The tenant's secret for ``purpose`` (the session must be tenant-scoped)."""
    return await session.scalar(select(WorkspaceSecret).where(WorkspaceSecret.purpose == purpose))


async def delete_workspace_secrets(session: AsyncSession) -> None:
    """Remove every secret of the session's tenant."""
    await session.execute(delete(WorkspaceSecret))


async def service_identity_by_client_id(
    session: AsyncSession, client_id: str, *, share_lock: bool = False
) -> ServiceIdentity | None:
    """A service identity by its public client id (share-locked until commit, if asked)."""
    query = select(ServiceIdentity).where(ServiceIdentity.client_id == client_id)
    if share_lock:
        query = query.with_for_update(read=True)
    return await session.scalar(query)


async def service_identity_by_name(
    session: AsyncSession, workspace_id: uuid.UUID, name: str
) -> ServiceIdentity | None:
    """A workspace's service identity by name."""
    return await session.scalar(
        select(ServiceIdentity).where(
            ServiceIdentity.workspace_id == workspace_id, ServiceIdentity.name == name
        )
    )


async def operator_by_client_id(session: AsyncSession, client_id: str) -> Operator | None:
    """An operator by its public client id."""
    return await session.scalar(select(Operator).where(Operator.client_id == client_id))


async def operator_by_name(
    session: AsyncSession, organization_id: uuid.UUID, name: str, *, for_update: bool = False
) -> Operator | None:
    """An organization's operator by name (locked until commit, if asked)."""
    query = select(Operator).where(
        Operator.organization_id == organization_id, Operator.name == name
    )
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def first_live_workspace(
    session: AsyncSession, organization_id: uuid.UUID, environment: str
) -> Workspace | None:
    """The organization's oldest COMMITTED workspace of ``environment`` (the session must see
    the organization's workspaces: ``set_organization``)."""
    return await session.scalar(
        select(Workspace)
        .where(
            Workspace.organization_id == organization_id,
            Workspace.status == WorkspaceStatus.COMMITTED,
            Workspace.environment == environment,
        )
        .order_by(Workspace.created_at, Workspace.id)
        .limit(1)
    )


async def operators_of_organization(
    session: AsyncSession, organization_id: uuid.UUID, page: PageRequest = EVERY
) -> Page[Operator]:
    """An organization's operators, oldest first (``operators`` has no RLS: filter here): a
    page of them, or every one."""
    query = select(Operator).where(Operator.organization_id == organization_id)
    return await Keyset(Operator.created_at, Operator.id).scalars(session, query, page)


async def operator_in_organization(
    session: AsyncSession, organization_id: uuid.UUID, operator_id: uuid.UUID
) -> Operator | None:
    """One operator by id, only if it belongs to ``organization_id``; locked for update."""
    return await session.scalar(
        select(Operator)
        .where(Operator.id == operator_id, Operator.organization_id == organization_id)
        .with_for_update()
    )


async def audit_record(session: AsyncSession, action: str, key: str, value: str) -> AuditLog | None:
    """The tenant's latest audit record of ``action`` whose ``after[key]`` is ``value``."""
    return await session.scalar(
        select(AuditLog)
        .where(AuditLog.action == action, AuditLog.after[key].astext == value)
        .order_by(AuditLog.id.desc())
        .limit(1)
    )
