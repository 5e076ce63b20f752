"""Business rules of tenancy: the workspace saga, identities and bootstrap."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from loguru import logger
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core import audit
from orchestrator.core.audit.change import record_change
from orchestrator.core.auth import revocation
from orchestrator.core.auth.claims import EXEC_SCOPES, OperatorRole
from orchestrator.core.auth.subjects import (
    operator_subject,
    revocation_horizon_s,
    service_subject,
)
from orchestrator.core.callbacks.public import CALLBACK_SIGNING, new_secret_row
from orchestrator.core.configuration.public import Mutation
from orchestrator.core.crypto import envelope
from orchestrator.core.crypto.secrets import hash_secret, new_client_id, new_client_secret
from orchestrator.core.db.tenant import set_organization, set_tenant
from orchestrator.core.errors import Conflict, ValidationFailed, WorkspaceCreationFailed
from orchestrator.core.identity.public import Operator, ServiceIdentity
from orchestrator.core.models import Organization, Workspace, WorkspaceStatus
from orchestrator.core.settings import AuthSettings
from orchestrator.core.tenancy import repository
from orchestrator.core.tenancy.saga import SagaFailed, Step, reserve, run_saga

Sessions = async_sessionmaker[AsyncSession]


@dataclass(frozen=True)
class NewWorkspace:
    """What the workspace saga needs."""

    organization_id: uuid.UUID
    name: str
    environment: str
    operation_id: str
    actor: str
    reason: str


def workspace_view(ws: Workspace) -> dict[str, object]:
    """The audited shape of a workspace."""
    return {"id": str(ws.id), "name": ws.name, "status": ws.status.value}


async def _reserve(
    sessions: Sessions, new: NewWorkspace, deployment_env: str
) -> tuple[Workspace, bool]:
    """Saga step 0: find the operation's workspace, or insert it PENDING (then True)."""
    if new.environment != deployment_env:
        raise ValidationFailed(
            f"This deployment serves `{deployment_env}` workspaces, not `{new.environment}`.",
            errors=[{"key": "environment", "message": f"must be {deployment_env}"}],
        )
    async with sessions() as session, session.begin():
        await set_organization(session, new.organization_id)
        organization = await session.get(Organization, new.organization_id)
        if organization is not None and organization.status in (
            WorkspaceStatus.DELETING,
            WorkspaceStatus.DELETED,
        ):
            # Its deletion (ADR 0100) would leave a workspace created now behind.
            raise Conflict(f"The organization is {organization.status.value}.")
        existing = await repository.workspace_by_operation(session, new.operation_id)
        if existing is not None:
            if existing.name != new.name:
                raise Conflict("This operation_id already created a workspace of another name.")
            return existing, False
        if await repository.workspace_by_name(session, new.organization_id, new.name):
            raise Conflict(f"A workspace called `{new.name}` exists in this organization.")
        return await reserve(
            session,
            Workspace(
                id=uuid.uuid4(),
                organization_id=new.organization_id,
                name=new.name,
                environment=new.environment,
                status=WorkspaceStatus.PENDING,
                operation_id=new.operation_id,
            ),
            "A concurrent request created this workspace; retry to read it.",
        )


async def create_workspace(
    sessions: Sessions, kek: envelope.KeyEncryptionKey, new: NewWorkspace, *, deployment_env: str
) -> tuple[Workspace, bool]:
    """Create a workspace as a saga: PENDING → COMMITTED, or FAILED after compensation.

    Returns the workspace and whether this call created it. The same
    ``operation_id`` always returns the same workspace; a PENDING one left by
    a crash is resumed, since every step is idempotent.
    """
    workspace, created = await _reserve(sessions, new, deployment_env)
    if workspace.status is not WorkspaceStatus.PENDING:
        return workspace, created

    async def provision_secret() -> None:
        async with sessions() as session, session.begin():
            await set_tenant(session, workspace.id)
            if await repository.workspace_secret(session, CALLBACK_SIGNING) is None:
                session.add(new_secret_row(kek, workspace.id))

    async def remove_secrets() -> None:
        async with sessions() as session, session.begin():
            await set_tenant(session, workspace.id)
            await repository.delete_workspace_secrets(session)

    async def commit() -> None:
        async with sessions() as session, session.begin():
            await set_tenant(session, workspace.id)
            if await repository.set_workspace_status(
                session,
                workspace.id,
                expected=WorkspaceStatus.PENDING,
                new=WorkspaceStatus.COMMITTED,
            ):
                workspace.status = WorkspaceStatus.COMMITTED
                who = Mutation(workspace.id, new.actor, new.reason)
                target = f"workspace:{workspace.id}"
                after = workspace_view(workspace)
                await record_change(session, who, "workspace.create", target, None, after)

    try:
        await run_saga(
            [Step("provision-secret", provision_secret, remove_secrets), Step("commit", commit)]
        )
    except SagaFailed as exc:
        logger.error("workspace saga {} failed at {}: {}", new.operation_id, exc.step, exc.cause)
        async with sessions() as session, session.begin():
            await set_tenant(session, workspace.id)
            await repository.set_workspace_status(
                session,
                workspace.id,
                expected=WorkspaceStatus.PENDING,
                new=WorkspaceStatus.FAILED,
                failure_reason=f"{exc.step} failed",
            )
        workspace.status = WorkspaceStatus.FAILED
        workspace.failure_reason = f"{exc.step} failed"
    return workspace, created


@dataclass(frozen=True)
class IssuedCredentials:
    """A client id and the only copy of its secret."""

    client_id: str
    client_secret: str


DEFAULT_REISSUE_HORIZON_S = revocation_horizon_s(
    AuthSettings().token_ttl_s, AuthSettings().leeway_s
)
"""How long a re-issue's revocation is kept when the caller has no settings at hand."""


async def end_old_tokens(session: AsyncSession, subject: str, *, horizon_s: int) -> None:
    """A re-issued secret also ends the tokens the old one got (ADR 0045): every service
    refuses them after its next revocation poll."""
    await revocation.revoke_subject(
        session,
        subject=subject,
        horizon_s=horizon_s,
        revoked_by="secret re-issue",
        reason="a fresh secret was issued; tokens of the old one end",
    )


_Principal = TypeVar("_Principal", ServiceIdentity, Operator)


async def _issue(
    session: AsyncSession,
    found: _Principal | None,
    create: Callable[[str], _Principal],
    subject: str,
    horizon_s: int,
) -> IssuedCredentials:
    """A fresh secret for ``found``, whose old secret's tokens end, or for a new principal
    ``create`` makes from the secret's hash."""
    secret = new_client_secret()
    if found is None:
        found = create(hash_secret(secret))
        session.add(found)
    else:
        found.secret_hash = hash_secret(secret)
        await end_old_tokens(session, subject, horizon_s=horizon_s)
    await session.flush()
    return IssuedCredentials(found.client_id, secret)


async def ensure_service_identity(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    name: str,
    *,
    horizon_s: int = DEFAULT_REISSUE_HORIZON_S,
) -> IssuedCredentials:
    """The workspace's service identity ``name`` with a fresh secret (created if missing;
    if it existed, the tokens of its old secret end)."""
    return await _issue(
        session,
        await repository.service_identity_by_name(session, workspace_id, name),
        lambda secret_hash: ServiceIdentity(
            workspace_id=workspace_id,
            name=name,
            client_id=new_client_id("svc"),
            secret_hash=secret_hash,
            scopes=list(EXEC_SCOPES),
        ),
        service_subject(workspace_id, name),
        horizon_s,
    )


async def ensure_operator(
    session: AsyncSession,
    organization_id: uuid.UUID,
    home_workspace_id: uuid.UUID,
    name: str,
    role: OperatorRole,
    *,
    horizon_s: int = DEFAULT_REISSUE_HORIZON_S,
) -> IssuedCredentials:
    """The organization's operator ``name`` with a fresh secret (created if missing; if it
    existed, the tokens of its old secret end)."""
    return await _issue(
        session,
        await repository.operator_by_name(session, organization_id, name),
        lambda secret_hash: Operator(
            organization_id=organization_id,
            home_workspace_id=home_workspace_id,
            name=name,
            role=role.value,
            client_id=new_client_id("op"),
            secret_hash=secret_hash,
        ),
        operator_subject(organization_id, name),
        horizon_s,
    )


@dataclass(frozen=True)
class BootstrapResult:
    """What ``orchestrator bootstrap`` prints."""

    tenant_id: uuid.UUID
    exec_client_id: str
    exec_client_secret: str
    control_client_id: str
    control_client_secret: str


async def bootstrap(
    sessions: Sessions,
    kek: envelope.KeyEncryptionKey,
    *,
    organization: str,
    workspace: str,
    environment: str,
    horizon_s: int = DEFAULT_REISSUE_HORIZON_S,
) -> BootstrapResult:
    """Organization, workspace, one exec identity and one admin operator; idempotent by name.

    Secrets are stored only as hashes, so a second run cannot show the old
    ones: it keeps every id and issues fresh secrets, and the old ones' tokens end
    (their revocation kept ``horizon_s``).
    """
    async with sessions() as session, session.begin():
        org = await repository.get_or_create_organization(session, organization)
        await set_organization(session, org.id)
        live = await repository.workspace_by_name(session, org.id, workspace)
    # Reuse the live workspace's operation (resuming it if PENDING); a FAILED one freed
    # its name, so a new operation starts over.
    operation_id = live.operation_id if live else f"bootstrap:{org.id}:{uuid.uuid4()}"
    ws, _ = await create_workspace(
        sessions,
        kek,
        NewWorkspace(
            organization_id=org.id,
            name=workspace,
            environment=environment,
            operation_id=operation_id,
            actor="cli:bootstrap",
            reason="orchestrator bootstrap",
        ),
        deployment_env=environment,
    )
    if ws.status is not WorkspaceStatus.COMMITTED:
        raise WorkspaceCreationFailed(
            f"Workspace `{workspace}` is {ws.status.value}: {ws.failure_reason}"
        )
    async with sessions() as session, session.begin():
        await set_tenant(session, ws.id)
        exec_creds = await ensure_service_identity(
            session, ws.id, f"svc:{workspace}-backend", horizon_s=horizon_s
        )
        control_creds = await ensure_operator(
            session,
            org.id,
            ws.id,
            f"op:{organization}-admin",
            OperatorRole.OPERATOR_ADMIN,
            horizon_s=horizon_s,
        )
        await audit.record(
            session,
            tenant_id=ws.id,
            actor="cli:bootstrap",
            action="identities.issue",
            target=f"workspace:{ws.id}",
            reason="orchestrator bootstrap",
            after={
                "exec_client_id": exec_creds.client_id,
                "control_client_id": control_creds.client_id,
            },
        )
    return BootstrapResult(
        tenant_id=ws.id,
        exec_client_id=exec_creds.client_id,
        exec_client_secret=exec_creds.client_secret,
        control_client_id=control_creds.client_id,
        control_client_secret=control_creds.client_secret,
    )
