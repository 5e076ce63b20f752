"""``POST /api/v1/channel/guest-token``: a guest signs in with a one-time invite (ADR 0103)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request, Response, post

from orchestrator.control_api.channels.controllers import UNPROCESSABLE
from orchestrator.control_api.channels.schemas import (
    GuestToken,
    InviteRedeem,
)
from orchestrator.control_api.credentials import NO_STORE
from orchestrator.core import audit
from orchestrator.core.auth.claims import CHANNEL_AUDIENCE
from orchestrator.core.auth.issuer import TokenIssuer
from orchestrator.core.channels import repository
from orchestrator.core.channels.guests import (
    GUEST_SCOPE,
    guest_jti,
    matches,
    parse_invite,
)
from orchestrator.core.db.base import utcnow
from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.errors import Conflict, NotFound
from orchestrator.core.http.problems import problem_responses
from orchestrator.core.models import Workspace, WorkspaceStatus
from orchestrator.core.runtime import Resources

INVITE_GONE = "No such invite, or it was used, revoked or has expired."


@post(
    "/api/v1/channel/guest-token",
    tags=["channel"],
    status_code=201,
    responses=problem_responses(400, 404, 409, 413, 415, 422, 503),
    exception_handlers=UNPROCESSABLE,
)
async def redeem_invite(
    request: Request[Any, Any, Any], data: InviteRedeem
) -> Response[GuestToken]:
    """Exchange a one-time invite for a guest's token: the channel of that one workspace
    only, for ``ORCH_CHANNEL_GUEST_TOKEN_TTL_S`` seconds; every other route refuses it. The
    guest is an opaque ``guest-NNNN``, nothing personal. An invite works once."""
    resources: Resources = request.app.state.resources
    settings = resources.settings
    invite = parse_invite(data.invite)
    ttl_s = settings.channel.guest_token_ttl_s
    async with tenant_transaction(resources.sessions, invite.workspace_id) as session:
        row = await repository.invite(session, invite.invite_id)
        now = utcnow()
        if (
            row is None
            or not matches(invite.secret, row.secret_hash)
            or row.redeemed_at is not None
            or row.revoked_at is not None
            or row.expires_at <= now
        ):
            raise NotFound(INVITE_GONE)
        workspace = await session.get(Workspace, invite.workspace_id)
        if (
            workspace is None
            or workspace.status is not WorkspaceStatus.COMMITTED
            or workspace.environment != settings.deployment.environment
        ):
            raise Conflict("This workspace is not live on this deployment.")
        issued = int(now.timestamp())
        jti = guest_jti(row.id)
        issuer = TokenIssuer(resources.keystore, issuer=settings.auth.issuer, ttl_s=ttl_s)
        token = issuer.issue(
            subject=row.guest,
            tenant_id=invite.workspace_id,
            audience=CHANNEL_AUDIENCE,
            scopes=[GUEST_SCOPE],
            extra={"jti": jti, "iat": issued, "nbf": issued, "exp": issued + ttl_s},
        )
        expires_at = dt.datetime.fromtimestamp(issued + ttl_s, dt.UTC)
        await repository.redeemed(session, row.id, jti=jti, token_expires_at=expires_at)
        await audit.record(
            session,
            tenant_id=invite.workspace_id,
            actor=row.guest,
            action="channel.invite.redeem",
            target=f"guest:{row.guest}",
            reason="invite redeemed",
            after={"id": str(row.id), "jti": jti, "expires_at": issued + ttl_s},
        )
        guest = row.guest
    body = GuestToken(
        access_token=token,
        token_type="Bearer",  # noqa: S106 (a token type, not a password)
        expires_in=ttl_s,
        expires_at=issued + ttl_s,
        scope=GUEST_SCOPE,
        subject=guest,
        workspace_id=invite.workspace_id,
    )
    return Response(body, status_code=201, headers=NO_STORE)
