"""``/api/v1/operators``: an organization's operators, managed by its admins.

Secrets are issued once (on create and rotate) and stored only as hashes. A
disabled operator gets no new tokens, and disabling it (or rotating its secret)
revokes its subject as of that moment (ADR 0045): every token it already holds, its
control tokens and the impersonation tokens it started, is refused by every service
within a second (announced after commit; each service's reconcile poll heals a
missed announcement). Enabling it again revives none of them; tokens it gets
afterwards work.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, get
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.control_api.credentials import NO_STORE, Announcing, Issued, horizon_s
from orchestrator.control_api.guards import (
    BearerController,
    org_transaction,
    session_for_org,
)
from orchestrator.control_api.operators import service
from orchestrator.control_api.operators.schemas import (
    OperatorCreate,
    OperatorCredentials,
    OperatorList,
    OperatorOut,
)
from orchestrator.control_api.pages import PAGED
from orchestrator.control_api.routes import FOUND, LISTED, READ, acts, creates
from orchestrator.control_api.scope import Reason
from orchestrator.control_api.views import READS, out
from orchestrator.core.auth.claims import Principal
from orchestrator.core.db.pages import PageRequest
from orchestrator.core.identity.models import Operator
from orchestrator.core.runtime import Resources
from orchestrator.core.tenancy import repository


def to_out(operator: Operator) -> OperatorOut:
    """The API view of an operator: never its secret or hash."""
    return out(operator, OperatorOut, enabled=operator.disabled_at is None)


async def provide_announcing(
    request: Request[Any, Any, Any], principal: Principal
) -> Announcing[AsyncSession]:
    """A change to an operator in the caller's organization's transaction."""
    return Announcing(request, principal, org_transaction(request, principal))


def _credentials(issued: Issued[Operator], status_code: int) -> Response[OperatorCredentials]:
    body = OperatorCredentials(operator=to_out(issued.row), **issued.secret())
    return Response(body, status_code=status_code, headers=NO_STORE)


class OperatorController(BearerController):
    """Operators of the caller's organization; only its admins change them."""

    path = "/api/v1/operators"
    tags = ["operators"]
    dependencies = {
        **BearerController.dependencies,
        "session": session_for_org,
        "announcing": provide_announcing,
    }

    @get(opt=READ, responses=LISTED, dependencies=PAGED)
    async def list_operators(
        self, session: AsyncSession, principal: Principal, page: PageRequest
    ) -> OperatorList:
        """The operators of the caller's organization (ids, roles, state; no secrets), oldest
        first; cursor-paginated."""
        org = principal.organization_id
        assert org is not None  # session_for_org refused non-operators
        got = await repository.operators_of_organization(session, org, page)
        return OperatorList(items=[to_out(op) for op in got.items], next_cursor=got.next_cursor)

    @creates()
    async def create(
        self,
        resources: Resources,
        data: OperatorCreate,
        reason: Reason,
        session: AsyncSession,
        principal: Principal,
    ) -> Response[OperatorCredentials]:
        """Create an operator; its ``client_secret`` is in this response only."""
        issued = await service.create(
            session,
            principal,
            name=data.name,
            role=data.role,
            home_workspace_id=data.home_workspace_id,
            environment=resources.settings.deployment.environment,
            reason=reason,
        )
        return _credentials(issued, 201)

    @acts("/{operator_id:uuid}/disable", responses=READS)
    async def disable(
        self, operator_id: uuid.UUID, reason: Reason, announcing: Announcing[AsyncSession]
    ) -> OperatorOut:
        """Stop an operator getting tokens and end every token it holds.

        Idempotent; you cannot disable yourself.
        """
        changed = await announcing(
            service.set_enabled, announcing.principal, operator_id, enabled=False, reason=reason
        )
        return to_out(changed.row)

    @acts("/{operator_id:uuid}/enable", responses=FOUND)
    async def enable(
        self,
        resources: Resources,
        operator_id: uuid.UUID,
        reason: Reason,
        session: AsyncSession,
        principal: Principal,
    ) -> OperatorOut:
        """Let a disabled operator get tokens again (idempotent); its old tokens stay refused."""
        changed = await service.set_enabled(
            session,
            principal,
            operator_id,
            enabled=True,
            reason=reason,
            horizon_s=horizon_s(resources),
        )
        return to_out(changed.row)

    @acts("/{operator_id:uuid}/rotate-secret", responses=READS)
    async def rotate_secret(
        self, operator_id: uuid.UUID, reason: Reason, announcing: Announcing[AsyncSession]
    ) -> Response[OperatorCredentials]:
        """Issue a new secret, shown in this response only.

        The old secret and every token the operator got before are refused from now on.
        A single sign-on operator (``sso:…``) has no secret to rotate (409).
        """
        issued = await announcing(
            service.rotate_secret, announcing.principal, operator_id, reason=reason
        )
        return _credentials(issued, 200)
