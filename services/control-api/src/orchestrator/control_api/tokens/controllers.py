"""``POST /api/v1/tokens/revoke``: deny a token on every service within a second."""

from __future__ import annotations

import time
from typing import Any

from litestar import Request, post
from loguru import logger
from redis.exceptions import RedisError

from orchestrator.control_api.guards import organization_of, requires_role
from orchestrator.control_api.tokens.schemas import RevokeRequest, RevokeResponse
from orchestrator.core import audit
from orchestrator.core.auth import revocation
from orchestrator.core.auth.claims import CONTROL_AUDIENCE, OperatorRole, Principal
from orchestrator.core.db.tenant import set_organization, set_tenant
from orchestrator.core.errors import NotFound, ValidationFailed
from orchestrator.core.errors import Unauthorized as TokenRejected
from orchestrator.core.http.auth import authenticated, guarded, provide_principal
from orchestrator.core.http.problems import problem_responses
from orchestrator.core.runtime import Resources
from orchestrator.core.tenancy import repository

REVOKERS = (OperatorRole.OPERATOR_ADMIN, OperatorRole.SUPPORT, OperatorRole.BREAK_GLASS_ADMIN)


@post(
    "/api/v1/tokens/revoke",
    tags=["tokens"],
    opt=guarded(authenticated(CONTROL_AUDIENCE, "control:write"), requires_role(*REVOKERS)),
    dependencies={"principal": provide_principal},
    security=[{"bearer": []}],
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
    if target.expires_at <= time.time():
        return RevokeResponse(jti=target.jti, expires_at=target.expires_at, revoked=False)
    async with resources.sessions() as session, session.begin():
        await set_organization(session, organization_of(principal))
        if await repository.get_workspace(session, target.tenant_id) is None:
            raise NotFound("No such token in your organization.")
        await set_tenant(session, target.tenant_id)
        await revocation.revoke(
            session,
            jti=target.jti,
            subject=target.subject,
            expires_at=target.expires_at,
            revoked_by=principal.subject,
            reason=data.reason,
        )
        await audit.record(
            session,
            tenant_id=target.tenant_id,
            actor=principal.subject,
            action="token.revoke",
            target=f"token:{target.jti}",
            reason=data.reason,
            after={"subject": target.subject, "expires_at": target.expires_at},
        )
    # After commit: a rollback must never announce a revocation that did not happen.
    try:
        await revocation.announce(
            resources.redis,
            resources.settings.redis.namespace,
            jti=target.jti,
            expires_at=target.expires_at,
        )
    except RedisError as exc:  # every service's reconcile poll picks the row up anyway
        logger.warning("revocation of {} not announced: {}", target.jti, exc)
    resources.denylist.add(target.jti, target.expires_at)
    return RevokeResponse(jti=target.jti, expires_at=target.expires_at, revoked=True)
