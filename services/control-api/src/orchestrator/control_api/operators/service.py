"""Rules of operator management: one organization, audited, secrets shown once.

Disabling an operator or rotating its secret also revokes its subject as of that
moment (ADR 0045): every token it holds, control or impersonation, is refused from
then on. The revocation is written in the caller's transaction; the caller announces
it once that commits.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.control_api.clients import ClientKind
from orchestrator.control_api.credentials import Changed, Issued
from orchestrator.control_api.guards import organization_of
from orchestrator.core.auth import sso
from orchestrator.core.auth.claims import OperatorRole, Principal
from orchestrator.core.auth.subjects import operator_subject
from orchestrator.core.crypto.secrets import hash_secret, new_client_id, new_client_secret
from orchestrator.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from orchestrator.core.identity.models import Operator
from orchestrator.core.models import WorkspaceStatus
from orchestrator.core.tenancy import repository

BREAK_GLASS = OperatorRole.BREAK_GLASS_ADMIN.value


def operator_view(operator: Operator) -> dict[str, Any]:
    """The audited shape of an operator (never its secret or hash)."""
    return {
        "id": str(operator.id),
        "name": operator.name,
        "role": operator.role,
        "client_id": operator.client_id,
        "enabled": operator.disabled_at is None,
    }


def _may_manage(principal: Principal, role: str) -> None:
    # An OperatorAdmin must not mint or revive the emergency role it does not hold.
    if role == BREAK_GLASS and principal.role != BREAK_GLASS:
        raise Forbidden("Only a BreakGlassAdmin may manage BreakGlassAdmin operators.")


OPERATORS = ClientKind[Operator](
    "operator",
    operator_view,
    lambda operator: operator_subject(operator.organization_id, operator.name),
    # An operator's own audit records live in its home workspace.
    lambda operator: operator.home_workspace_id,
)


async def create(
    session: AsyncSession,
    principal: Principal,
    *,
    name: str,
    role: OperatorRole,
    home_workspace_id: uuid.UUID,
    environment: str,
    reason: str,
) -> Issued[Operator]:
    """A new operator in the caller's organization, with a fresh secret."""
    org = organization_of(principal)
    _may_manage(principal, role.value)
    if name.startswith(sso.OPERATOR_PREFIX):
        # Single sign-on creates these; one made here could take a person's name and role.
        raise ValidationFailed(
            f"Names starting with `{sso.OPERATOR_PREFIX}` are for single sign-on."
        )
    home = await repository.get_workspace(session, home_workspace_id)
    if home is None:
        raise NotFound("No such workspace in your organization.")
    if home.status is not WorkspaceStatus.COMMITTED or home.environment != environment:
        raise Conflict(f"Workspace `{home.name}` is not live on this deployment.")
    if await repository.operator_by_name(session, org, name) is not None:
        raise Conflict(f"An operator called `{name}` exists in this organization.")
    secret = new_client_secret()
    operator = Operator(
        id=uuid.uuid4(),
        organization_id=org,
        home_workspace_id=home.id,
        name=name,
        role=role.value,
        client_id=new_client_id("op"),
        secret_hash=hash_secret(secret),
    )
    session.add(operator)
    await session.flush()
    await session.refresh(operator)
    await OPERATORS.audit(session, principal, operator, action="create", reason=reason, before=None)
    return Issued(operator, secret)


async def _target(session: AsyncSession, principal: Principal, operator_id: uuid.UUID) -> Operator:
    operator = await repository.operator_in_organization(
        session, organization_of(principal), operator_id
    )
    if operator is None:
        raise NotFound("No such operator in your organization.")
    _may_manage(principal, operator.role)
    return operator


async def set_enabled(
    session: AsyncSession,
    principal: Principal,
    operator_id: uuid.UUID,
    *,
    enabled: bool,
    reason: str,
    horizon_s: int,
) -> Changed[Operator]:
    """Disable or enable an operator; a no-op (and no audit record) when already so.

    Disabling revokes every token the operator holds; enabling revives none of them.
    """
    operator = await _target(session, principal, operator_id)
    if not enabled and operator.name == principal.subject:
        raise Conflict("You cannot disable yourself; ask another admin.")
    return await OPERATORS.switch(
        session, principal, operator, enabled=enabled, reason=reason, horizon_s=horizon_s
    )


async def rotate_secret(
    session: AsyncSession,
    principal: Principal,
    operator_id: uuid.UUID,
    *,
    reason: str,
    horizon_s: int,
) -> Issued[Operator]:
    """A new secret for an operator; the old one, and every token it got, stop working at once."""
    operator = await _target(session, principal, operator_id)
    if operator.name.startswith(sso.OPERATOR_PREFIX):
        raise Conflict("A single sign-on operator signs in through its identity provider only.")
    return await OPERATORS.rotate(session, principal, operator, reason=reason, horizon_s=horizon_s)
