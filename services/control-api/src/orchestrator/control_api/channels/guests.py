"""A guest's tokens: ``POST /api/v1/channel/guest-token`` signs a guest in with a one-time
invite (ADR 0103), and ``…/guest-token/refresh`` swaps a live guest token for a new one of
the same ``jti`` until the cap fixed at the redeem (ADR 0108)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request, Response, post
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.control_api.channels.controllers import UNPROCESSABLE
from orchestrator.control_api.channels.schemas import (
    GuestToken,
    InviteRedeem,
)
from orchestrator.control_api.credentials import NO_STORE
from orchestrator.control_api.routes import bearer
from orchestrator.core.audit.change import record_change
from orchestrator.core.auth.claims import CHANNEL_AUDIENCE, Principal
from orchestrator.core.auth.issuer import TokenIssuer
from orchestrator.core.channels import repository
from orchestrator.core.channels.guests import (
    GUEST_SCOPE,
    guest_jti,
    invite_of,
    matches,
    parse_invite,
)
from orchestrator.core.channels.models import ChannelInvite
from orchestrator.core.configuration.mutation import Mutation
from orchestrator.core.db.base import utcnow
from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.errors import Conflict, NotFound, Unauthorized
from orchestrator.core.http.auth import authenticated, guarded
from orchestrator.core.http.problems import problem_responses
from orchestrator.core.models import Workspace, WorkspaceStatus
from orchestrator.core.runtime import Resources

INVITE_GONE = "No such invite, or it was used, revoked or has expired."
GUEST_ONLY = guarded(authenticated(CHANNEL_AUDIENCE, GUEST_SCOPE))
"""A live guest token: an operator's token has another audience and is refused (401)."""


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
    settings = resources.settings.channel
    invite = parse_invite(data.invite)
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
        await _live_workspace(session, resources, row)
        ends_at = now + dt.timedelta(seconds=settings.guest_session_max_s)
        jti = guest_jti(row.id)
        body = _issue(resources, row, jti, now, ends_at)
        expires_at = dt.datetime.fromtimestamp(body.expires_at, dt.UTC)
        await repository.redeemed(
            session, row.id, jti=jti, token_expires_at=expires_at, session_ends_at=ends_at
        )
        after = {
            "id": str(row.id),
            "jti": jti,
            "expires_at": body.expires_at,
            "session_ends_at": int(ends_at.timestamp()),
        }
        await _audit(session, row, "channel.invite.redeem", "invite redeemed", after=after)
    return Response(body, status_code=201, headers=NO_STORE)


@post(
    "/api/v1/channel/guest-token/refresh",
    status_code=200,
    responses=problem_responses(401, 403, 409, 503),
    **bearer(["channel"], GUEST_ONLY),
)
async def refresh_guest_token(
    request: Request[Any, Any, Any], principal: Principal
) -> Response[GuestToken]:
    """Swap a live guest token for a new one of the same ``jti`` (one revocation of the
    invite refuses them all). No token outlives ``ORCH_CHANNEL_GUEST_SESSION_MAX_S`` after
    the redeem: past it, or once the invite is revoked, the answer is ``401`` and the guest
    needs a new invite."""
    resources: Resources = request.app.state.resources
    invite_id = invite_of(principal.jti)
    if invite_id is None:
        raise Unauthorized
    async with tenant_transaction(resources.sessions, principal.tenant_id) as session:
        # Locked: a revocation racing this refresh either comes first (refused here) or
        # sees the new expiry (and denies the jti that long).
        row = await repository.invite(session, invite_id)
        now = utcnow()
        if (
            row is None
            or row.token_jti != principal.jti
            or row.guest != principal.subject
            or row.revoked_at is not None
            or row.session_ends_at is None
            or row.session_ends_at <= now
        ):
            raise Unauthorized
        await _live_workspace(session, resources, row)
        body = _issue(resources, row, principal.jti, now, row.session_ends_at)
        expires_at = dt.datetime.fromtimestamp(body.expires_at, dt.UTC)
        await repository.refreshed(session, row.id, token_expires_at=expires_at)
        await _audit(
            session,
            row,
            "channel.guest.refresh",
            "guest token refreshed",
            before={"expires_at": principal.expires_at},
            after={"id": str(row.id), "jti": principal.jti, "expires_at": body.expires_at},
        )
    return Response(body, status_code=200, headers=NO_STORE)


async def _audit(
    session: AsyncSession,
    row: ChannelInvite,
    action: str,
    reason: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any],
) -> None:
    """Audit what the guest of ``row`` did, as the guest, in the invite's workspace."""
    who = Mutation(row.tenant_id, row.guest, reason)
    await record_change(session, who, action, f"guest:{row.guest}", before, after)


async def _live_workspace(session: AsyncSession, resources: Resources, row: ChannelInvite) -> None:
    """Refuse (409) a workspace that is not live on this deployment."""
    workspace = await session.get(Workspace, row.tenant_id)
    if (
        workspace is None
        or workspace.status is not WorkspaceStatus.COMMITTED
        or workspace.environment != resources.settings.deployment.environment
    ):
        raise Conflict("This workspace is not live on this deployment.")


def _issue(
    resources: Resources, row: ChannelInvite, jti: str, now: dt.datetime, ends_at: dt.datetime
) -> GuestToken:
    """A guest token of ``jti`` for the invite's guest, expiring after the TTL or at
    ``ends_at``, whichever is first."""
    settings = resources.settings
    issued = int(now.timestamp())
    expires = min(issued + settings.channel.guest_token_ttl_s, int(ends_at.timestamp()))
    if expires <= issued:
        raise Unauthorized
    issuer = TokenIssuer(
        resources.keystore, issuer=settings.auth.issuer, ttl_s=settings.channel.guest_token_ttl_s
    )
    token = issuer.issue(
        subject=row.guest,
        tenant_id=row.tenant_id,
        audience=CHANNEL_AUDIENCE,
        scopes=[GUEST_SCOPE],
        extra={"jti": jti, "iat": issued, "nbf": issued, "exp": expires},
    )
    return GuestToken(
        access_token=token,
        token_type="Bearer",  # noqa: S106 (a token type, not a password)
        expires_in=expires - issued,
        expires_at=expires,
        scope=GUEST_SCOPE,
        subject=row.guest,
        workspace_id=row.tenant_id,
        session_ends_at=int(ends_at.timestamp()),
    )
