"""Organization creation by a platform operator: a saga keyed by ``operation_id`` (ADR 0051).

Steps, each its own transaction and idempotent, so a crash leaves a PENDING
organization that the next call with the same ``operation_id`` resumes:

1. reserve the organization PENDING under its ``operation_id`` and request hash;
2. the first workspace, through the workspace saga (ADR 0009) under the operation
   ``org:<organization id>``;
3. issue its admin operator and exec identity, compare-and-set PENDING → COMMITTED and
   audit ``organization.create`` in that workspace, all in one transaction.

A failed workspace saga has compensated itself; the organization is then marked FAILED,
which gives its name back (ADR 0016's rule for workspaces).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass

from orchestrator.core import audit
from orchestrator.core.auth.claims import OperatorRole
from orchestrator.core.crypto import envelope
from orchestrator.core.db.tenant import set_tenant
from orchestrator.core.errors import Conflict, ValidationFailed, WorkspaceCreationFailed
from orchestrator.core.models import Organization, Workspace, WorkspaceStatus
from orchestrator.core.tenancy import repository
from orchestrator.core.tenancy.saga import reserve
from orchestrator.core.tenancy.service import (
    DEFAULT_REISSUE_HORIZON_S,
    IssuedCredentials,
    NewWorkspace,
    Sessions,
    create_workspace,
    ensure_operator,
    ensure_service_identity,
)


@dataclass(frozen=True)
class NewOrganization:
    """What the organization saga needs."""

    name: str
    admin_name: str
    workspace_name: str
    environment: str
    operation_id: str
    actor: str
    reason: str
    horizon_s: int = DEFAULT_REISSUE_HORIZON_S
    """How long the revocation of a retried creation's old tokens is kept (ADR 0045)."""

    def request_hash(self) -> str:
        """The request's identity: the same ``operation_id`` must come with the same one."""
        body = [self.name, self.admin_name, self.workspace_name, self.environment]
        return hashlib.sha256(json.dumps(body).encode()).hexdigest()


@dataclass(frozen=True)
class CreatedOrganization:
    """The organization, its first workspace and the only copies of its first secrets."""

    organization: Organization
    workspace: Workspace
    admin: IssuedCredentials
    exec: IssuedCredentials
    created: bool


IDENTITY_NAME_MAX = 200
"""The longest name a service identity may have (``service_identities.name``)."""


def exec_identity_name(workspace: str) -> str:
    """The first workspace's exec identity, named as ``bootstrap`` names it."""
    return f"svc:{workspace}-backend"


def _check_exec_identity_name(workspace: str) -> None:
    """Refuse a workspace name too long to name its exec identity after.

    A workspace name may be as long as an identity name, so the derived one can overflow
    its column: checked before the saga starts, or step 3 would fail with a workspace
    already made and the organization left PENDING.
    """
    longest = IDENTITY_NAME_MAX - len(exec_identity_name(""))
    if len(workspace) > longest:
        raise ValidationFailed(
            f"The first workspace's name names its exec identity (`{exec_identity_name('…')}`),"
            f" so it may have at most {longest} characters.",
            errors=[{"key": "workspace.name", "message": f"at most {longest} characters"}],
        )


async def _reserve(sessions: Sessions, new: NewOrganization) -> tuple[Organization, bool]:
    """Step 1: the operation's organization, or a new PENDING one (then True)."""
    async with sessions() as session, session.begin():
        existing = await repository.organization_by_operation(session, new.operation_id)
        if existing is not None:
            if existing.request_hash != new.request_hash():
                raise Conflict(
                    "This operation_id already created an organization of another request."
                )
            return existing, False
        if await repository.organization_by_name(session, new.name) is not None:
            raise Conflict(f"An organization called `{new.name}` exists.")
        org = Organization(
            id=uuid.uuid4(),
            name=new.name,
            status=WorkspaceStatus.PENDING,
            operation_id=new.operation_id,
            request_hash=new.request_hash(),
        )
        return await reserve(
            session,
            org,
            "A concurrent request created this organization (or one of its name); retry.",
        )


def organization_view(org: Organization, workspace: Workspace) -> dict[str, object]:
    """The audited shape of an organization."""
    return {
        "id": str(org.id),
        "name": org.name,
        "status": org.status.value,
        "workspace_id": str(workspace.id),
    }


async def create_organization(
    sessions: Sessions,
    kek: envelope.KeyEncryptionKey,
    new: NewOrganization,
    *,
    deployment_env: str,
) -> CreatedOrganization:
    """Create an organization with its first workspace, admin and exec identity (a saga).

    The same ``operation_id`` and request always answer with the same organization,
    workspace and client ids; since only hashes of secrets are kept, a repeat issues
    fresh secrets for both identities, as ``orchestrator bootstrap`` does.
    """
    if new.environment != deployment_env:
        raise ValidationFailed(
            f"This deployment serves `{deployment_env}` workspaces, not `{new.environment}`.",
            errors=[{"key": "workspace.environment", "message": f"must be {deployment_env}"}],
        )
    _check_exec_identity_name(new.workspace_name)
    org, created = await _reserve(sessions, new)
    if org.status is WorkspaceStatus.FAILED:
        raise _failed(org, None)
    workspace, _ = await create_workspace(
        sessions,
        kek,
        NewWorkspace(
            organization_id=org.id,
            name=new.workspace_name,
            environment=new.environment,
            operation_id=f"org:{org.id}",
            actor=new.actor,
            reason=new.reason,
        ),
        deployment_env=deployment_env,
    )
    if workspace.status is WorkspaceStatus.FAILED:
        # The workspace saga compensated its own steps; this one frees the name.
        async with sessions() as session, session.begin():
            await repository.set_organization_status(
                session, org.id, expected=WorkspaceStatus.PENDING, new=WorkspaceStatus.FAILED
            )
        org.status = WorkspaceStatus.FAILED
        raise _failed(org, workspace)
    async with sessions() as session, session.begin():
        await set_tenant(session, workspace.id)
        admin = await ensure_operator(
            session,
            org.id,
            workspace.id,
            new.admin_name,
            OperatorRole.OPERATOR_ADMIN,
            horizon_s=new.horizon_s,
        )
        exec_creds = await ensure_service_identity(
            session, workspace.id, exec_identity_name(workspace.name), horizon_s=new.horizon_s
        )
        committed = await repository.set_organization_status(
            session, org.id, expected=WorkspaceStatus.PENDING, new=WorkspaceStatus.COMMITTED
        )
        org.status = WorkspaceStatus.COMMITTED
        # The audit log is a tenant table: an organization's record lives in its first
        # workspace, as its operators' records do in the workspace acted on.
        await audit.record(
            session,
            tenant_id=workspace.id,
            actor=new.actor,
            action="organization.create" if committed else "identities.issue",
            target=f"organization:{org.id}",
            reason=new.reason,
            after={
                **organization_view(org, workspace),
                "admin_client_id": admin.client_id,
                "exec_client_id": exec_creds.client_id,
            },
        )
    return CreatedOrganization(org, workspace, admin, exec_creds, created)


def _failed(org: Organization, workspace: Workspace | None) -> WorkspaceCreationFailed:
    return WorkspaceCreationFailed(
        "Creating this organization's first workspace failed and was rolled back; "
        "retry with a new operation_id.",
        organization_id=str(org.id),
        operation_id=org.operation_id,
        workspace_id=str(workspace.id) if workspace else None,
    )
