"""``/api/v1/impersonation``: an operator acts in a workspace through a signed, short token.

The token is an ordinary exec-audience JWT for the workspace (``tid``) whose
``sub`` is the operator, with an RFC 8693 ``act`` claim naming the operator (``sub``)
and its organization (``org``, so disabling the operator ends the token: ADR 0045)
and the ``reason``; its TTL is capped at an hour. Its ``jti`` embeds the workspace id,
so ``stop`` finds the ``impersonation.start`` audit record (the only state kept)
and revokes the ``jti`` through the denylist every verifier follows.
"""

from __future__ import annotations

import re
import secrets
import time
import uuid
from typing import Any

from litestar import Request, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.control_api.credentials import NO_STORE, announce_token
from orchestrator.control_api.guards import (
    BearerController,
    org_transaction,
    organization_of,
    requires_role,
)
from orchestrator.control_api.impersonation.schemas import (
    READ_SCOPES,
    ImpersonationStart,
    ImpersonationStopped,
    ImpersonationToken,
)
from orchestrator.control_api.roles import IMPERSONATORS
from orchestrator.control_api.routes import FOUND, acts, creates
from orchestrator.control_api.scope import Reason
from orchestrator.core import audit
from orchestrator.core.auth import revocation
from orchestrator.core.auth.claims import CONTROL_AUDIENCE, EXEC_AUDIENCE, Principal
from orchestrator.core.auth.issuer import TokenIssuer
from orchestrator.core.auth.subjects import operator_subject
from orchestrator.core.db.tenant import set_organization, set_tenant
from orchestrator.core.errors import Conflict, NotFound, Unauthorized
from orchestrator.core.http.auth import authenticated, guarded
from orchestrator.core.identity.models import Operator
from orchestrator.core.models import RevokedSubject, WorkspaceStatus
from orchestrator.core.runtime import Resources
from orchestrator.core.tenancy import repository

GUARDS = guarded(authenticated(CONTROL_AUDIENCE, "control:write"), requires_role(*IMPERSONATORS))
START, STOP = "impersonation.start", "impersonation.stop"
_JTI = re.compile(r"imp\.([0-9a-f]{32})\.[A-Za-z0-9_-]{22}")


def _new_jti(workspace_id: uuid.UUID) -> str:
    return f"imp.{workspace_id.hex}.{secrets.token_urlsafe(16)}"


async def _hold_operator(session: AsyncSession, principal: Principal, org: uuid.UUID) -> None:
    """Refuse unless the caller is still an enabled, unrevoked operator; hold it so.

    The operator's row is share-locked until the token is issued and committed, and a
    disable or rotation locks it for update before it stamps its moment: so either that
    revocation is already visible here, or its moment comes after this token's ``iat``.
    """
    operator = (
        await session.execute(
            select(Operator.id, Operator.disabled_at)
            .where(Operator.organization_id == org, Operator.name == principal.subject)
            .with_for_update(read=True)
        )
    ).one_or_none()
    revoked_before = await session.scalar(
        select(RevokedSubject.revoked_before).where(
            RevokedSubject.subject == operator_subject(org, principal.subject)
        )
    )
    if (
        operator is None
        or operator.disabled_at is not None
        or (revoked_before is not None and principal.issued_at <= revoked_before.timestamp())
    ):
        raise Unauthorized


def _workspace_of(jti: str) -> uuid.UUID:
    match = _JTI.fullmatch(jti)
    if match is None:
        raise NotFound("No such impersonation in your organization.")
    return uuid.UUID(hex=match.group(1))


class ImpersonationController(BearerController):
    """Start and stop impersonations in the caller's organization; both audited."""

    path = "/api/v1/impersonation"
    tags = ["impersonation"]

    @creates(opt=GUARDS)
    async def start(
        self, data: ImpersonationStart, reason: Reason, principal: Principal, resources: Resources
    ) -> Response[ImpersonationToken]:
        """An exec token for a workspace of your organization, valid ``ttl_s`` seconds."""
        scopes = sorted(set(data.scopes or READ_SCOPES))
        jti = _new_jti(data.workspace_id)
        now = int(time.time())
        expires_at = now + data.ttl_s
        context = {"operator": principal.subject, "reason": reason, "jti": jti}
        org = organization_of(principal)
        async with resources.sessions() as session, session.begin():
            await set_organization(session, org)
            await _hold_operator(session, principal, org)
            workspace = await repository.get_workspace(session, data.workspace_id)
            if workspace is None:
                raise NotFound("No such workspace in your organization.")
            if (
                workspace.status is not WorkspaceStatus.COMMITTED
                or workspace.environment != resources.settings.deployment.environment
            ):
                raise Conflict(f"Workspace `{workspace.name}` is not live on this deployment.")
            issuer = TokenIssuer(
                resources.keystore, issuer=resources.settings.auth.issuer, ttl_s=data.ttl_s
            )
            token = issuer.issue(
                subject=principal.subject,
                tenant_id=workspace.id,
                audience=EXEC_AUDIENCE,
                scopes=scopes,
                # Timestamps are set here so the audit record holds the exact expiry.
                extra={
                    "act": {"sub": principal.subject, "org": str(org)},
                    "reason": reason,
                    "jti": jti,
                    "iat": now,
                    "nbf": now,
                    "exp": expires_at,
                },
            )
            await set_tenant(session, workspace.id)
            await audit.record(
                session,
                tenant_id=workspace.id,
                actor=principal.subject,
                action=START,
                target=f"workspace:{workspace.id}",
                reason=reason,
                after={"jti": jti, "ttl_s": data.ttl_s, "expires_at": expires_at, "scopes": scopes},
                impersonation=context,
            )
        # Returned only once the audit record is committed.
        body = ImpersonationToken(
            access_token=token,
            token_type="Bearer",  # noqa: S106 (a token type, not a password)
            expires_in=data.ttl_s,
            expires_at=expires_at,
            jti=jti,
            scope=" ".join(scopes),
            workspace_id=workspace.id,
        )
        return Response(body, status_code=201, headers=NO_STORE)

    @acts("/{jti:str}/stop", opt=GUARDS, responses=FOUND)
    async def stop(
        self, request: Request[Any, Any, Any], jti: str, reason: Reason, principal: Principal
    ) -> ImpersonationStopped:
        """Revoke an impersonation token of your organization on every service; idempotent."""
        resources: Resources = request.app.state.resources
        workspace_id = _workspace_of(jti)
        async with org_transaction(request, principal) as session:
            if await repository.get_workspace(session, workspace_id) is None:
                raise NotFound("No such impersonation in your organization.")
            await set_tenant(session, workspace_id)
            started = await repository.audit_record(session, START, "jti", jti)
            if started is None or started.after is None:
                raise NotFound("No such impersonation in your organization.")
            expires_at = int(started.after["expires_at"])
            if expires_at <= time.time():
                return ImpersonationStopped(jti=jti, expires_at=expires_at, stopped=False)
            await revocation.revoke(
                session,
                jti=jti,
                subject=started.actor,
                expires_at=expires_at,
                revoked_by=principal.subject,
                reason=reason,
            )
            await audit.record(
                session,
                tenant_id=workspace_id,
                actor=principal.subject,
                action=STOP,
                target=f"workspace:{workspace_id}",
                reason=reason,
                before={"jti": jti, "expires_at": expires_at},
                impersonation=started.impersonation,
            )
        await announce_token(resources, jti, expires_at)  # after commit, as for /tokens/revoke
        return ImpersonationStopped(jti=jti, expires_at=expires_at, stopped=True)
