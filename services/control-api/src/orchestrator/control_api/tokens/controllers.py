"""``POST /api/v1/tokens/revoke``: deny a token on every service within a second."""

from __future__ import annotations

import time
import uuid
from typing import Any

from litestar import Request, delete, get, post

from orchestrator.control_api.credentials import announce_token
from orchestrator.control_api.guards import organization_of, requires_role
from orchestrator.control_api.roles import REVOKERS, permissions_of
from orchestrator.control_api.routes import ANY_TOKEN, FOUND, bearer
from orchestrator.control_api.scope import Reason
from orchestrator.control_api.tokens.schemas import (
    RevokeRequest,
    RevokeResponse,
    TokenSelf,
)
from orchestrator.core import audit
from orchestrator.core.auth import revocation
from orchestrator.core.auth.claims import CONTROL_AUDIENCE, Principal
from orchestrator.core.db.tenant import set_organization, set_tenant
from orchestrator.core.errors import NotFound, ValidationFailed
from orchestrator.core.errors import Unauthorized as TokenRejected
from orchestrator.core.http.auth import authenticated, guarded
from orchestrator.core.http.problems import problem_responses
from orchestrator.core.runtime import Resources
from orchestrator.core.tenancy import repository

SIGNED_IN = guarded(authenticated(CONTROL_AUDIENCE))
"""The ``opt`` of a route any control token may call, whatever its scopes and role."""


@post(
    "/api/v1/tokens/revoke",
    **bearer(
        ["tokens"],
        guarded(authenticated(CONTROL_AUDIENCE, "control:write"), requires_role(*REVOKERS)),
    ),
    status_code=200,
    responses=problem_responses(400, 401, 403, 404, 413, 415, 422, 503),
)
async def revoke_token(
    request: Request[Any, Any, Any], data: RevokeRequest, principal: Principal
) -> RevokeResponse:
    """Revoke a token of the caller's organization; audited, idempotent."""
    resources: Resources = request.app.state.resources
    try:
        target = await resources.verifier(CONTROL_AUDIENCE).signed_claims(data.token)
    except TokenRejected:
        raise ValidationFailed(
            "`token` is not a token issued by this deployment.",
            errors=[{"key": "token", "message": "not a valid token"}],
        ) from None
    return await revoke(
        resources, organization_of(principal), target, principal.subject, data.reason
    )


async def revoke(
    resources: Resources,
    organization_id: uuid.UUID,
    target: Principal,
    actor: str,
    reason: str,
) -> RevokeResponse:
    """Deny ``target`` on every service: recorded, audited in its workspace, announced."""
    if target.expires_at <= time.time():
        return RevokeResponse(jti=target.jti, expires_at=target.expires_at, revoked=False)
    async with resources.sessions() as session, session.begin():
        await set_organization(session, organization_id)
        if await repository.get_workspace(session, target.tenant_id) is None:
            raise NotFound("No such token in your organization.")
        await set_tenant(session, target.tenant_id)
        await revocation.revoke(
            session,
            jti=target.jti,
            subject=target.subject,
            expires_at=target.expires_at,
            revoked_by=actor,
            reason=reason,
        )
        await audit.record(
            session,
            tenant_id=target.tenant_id,
            actor=actor,
            action="token.revoke",
            target=f"token:{target.jti}",
            reason=reason,
            after={"subject": target.subject, "expires_at": target.expires_at},
        )
    await announce_token(resources, target.jti, target.expires_at)
    return RevokeResponse(jti=target.jti, expires_at=target.expires_at, revoked=True)


@get("/api/v1/tokens/self", **bearer(["tokens"], SIGNED_IN), responses=ANY_TOKEN)
async def token_self(principal: Principal) -> TokenSelf:
    """Who the calling token speaks for, and what its role may do (a console shows only that)."""
    return TokenSelf(
        subject=principal.subject,
        role=principal.role or "",
        organization_id=organization_of(principal),
        workspace_id=principal.tenant_id,
        expires_at=principal.expires_at,
        permissions=permissions_of(principal.role),
    )


@delete("/api/v1/tokens/self", **bearer(["tokens"], SIGNED_IN), status_code=200, responses=FOUND)
async def revoke_self(
    request: Request[Any, Any, Any], principal: Principal, reason: Reason = "signed out"
) -> RevokeResponse:
    """Revoke the calling token itself (signing out): any operator may, whatever its role."""
    resources: Resources = request.app.state.resources
    return await revoke(resources, organization_of(principal), principal, principal.subject, reason)
