"""``/api/v1/channel``: a workspace's status channel (docs/channels.md).

Participants (the organization's operators, and the workspace's guests) open sessions,
send canned actions and watch the live stream; admins define polls and invite or revoke
guests. Actions are counted, never stored, and never audited (an audit entry per 👍 would
be the message table this design refuses, ADR 0102); polls and invites are audited.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from contextlib import asynccontextmanager
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.exceptions import ValidationException
from litestar.params import QueryParameter
from litestar.response import ServerSentEvent
from litestar.types import ExceptionHandlersMap
from loguru import logger
from redis.exceptions import RedisError

from orchestrator.control_api.channels.access import (
    ON_CHANNEL,
    TOKEN_KEY,
    is_guest,
    provide_channels,
    provide_participant,
)
from orchestrator.control_api.channels.schemas import (
    CannedAction,
    ChannelOut,
    GuestToken,
    InviteCreated,
    InviteRedeem,
    InviteRevoked,
    PollOut,
    SessionOpened,
)
from orchestrator.control_api.channels.stream import channel_stream
from orchestrator.control_api.credentials import NO_STORE
from orchestrator.control_api.guards import BearerController
from orchestrator.control_api.routes import WRITE
from orchestrator.control_api.scope import Reason, WorkspaceId, WorkspaceScope, provide_scope
from orchestrator.control_api.views import READS, WRITES
from orchestrator.core import audit
from orchestrator.core.auth import revocation
from orchestrator.core.auth.claims import CHANNEL_AUDIENCE, CONTROL_AUDIENCE, Principal
from orchestrator.core.auth.issuer import TokenIssuer
from orchestrator.core.channels import repository
from orchestrator.core.channels.catalogue import (
    ACTIONS,
    MAX_POLLS,
    ActionRequest,
    PollDefinition,
    check_poll,
    refuse,
)
from orchestrator.core.channels.events import ChannelEvent
from orchestrator.core.channels.guests import (
    GUEST_SCOPE,
    guest_jti,
    matches,
    new_invite,
    parse_invite,
    secret_hash,
)
from orchestrator.core.channels.service import ChannelRuntime, Participant
from orchestrator.core.db.base import utcnow
from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.errors import Conflict, NotFound
from orchestrator.core.http.auth import provide_principal
from orchestrator.core.http.problems import handle_invalid_as_unprocessable, problem_responses
from orchestrator.core.models import Workspace, WorkspaceStatus
from orchestrator.core.runtime import Resources

SESSION_ID = r"^[A-Za-z0-9_-]{1,64}$"
UNPROCESSABLE: ExceptionHandlersMap = {ValidationException: handle_invalid_as_unprocessable}
"""A body outside its schema (free text in an unknown field, an oversize poll) is a 422."""
PARTICIPANT_READS = problem_responses(400, 401, 403, 404, 409, 503)
SessionQuery = Annotated[
    str,
    QueryParameter(
        name="session", pattern=SESSION_ID, description="A session of yours this stream holds."
    ),
]
scoped = asynccontextmanager(provide_scope)
"""A workspace's transaction for a handler that acts after it commits (a revocation)."""
INVITE_GONE = "No such invite, or it was used, revoked or has expired."


class ChannelController(Controller):
    """A participant's routes: the channel, sessions, actions and the live stream."""

    path = "/api/v1/channel"
    tags = ["channel"]
    security = [{"bearer": []}]
    dependencies = {
        "principal": provide_principal,
        "participant": provide_participant,
        "channels": provide_channels,
    }

    @get(opt=ON_CHANNEL, responses=PARTICIPANT_READS)
    async def channel(
        self, request: Request[Any, Any, Any], participant: Participant, channels: ChannelRuntime
    ) -> ChannelOut:
        """What may be sent (the canned actions and the workspace's polls), the counters over
        the kept days, and how many sessions are open."""
        resources: Resources = request.app.state.resources
        async with tenant_transaction(resources.sessions, participant.workspace_id) as session:
            polls = await repository.polls(session)
            snapshot = await channels.snapshot(session, participant.workspace_id)
        return ChannelOut(
            workspace_id=participant.workspace_id,
            actions=[CannedAction(key=key, label=label) for key, label in ACTIONS.items()],
            polls=[_poll_out(poll) for poll in polls],
            counters=snapshot.counters or [],
            sessions=snapshot.sessions or 0,
            keep_days=channels.settings.keep_days,
        )

    @post("/sessions", opt=ON_CHANNEL, status_code=201, responses=PARTICIPANT_READS)
    async def open_session(
        self, participant: Participant, channels: ChannelRuntime
    ) -> Response[SessionOpened]:
        """Open a session on the channel. You hold at most three (``ORCH_CHANNEL_SESSIONS_PER_USER``)
        on a workspace: opening another closes your oldest (its stream ends). A session
        closes when idle (``ORCH_CHANNEL_IDLE_S``); its stream keeps it open."""
        opened = await channels.open(participant)
        body = SessionOpened(
            id=opened.session_id,
            workspace_id=participant.workspace_id,
            sequence=opened.sequence,
            sessions=opened.sessions,
            closed=opened.closed,
            idle_timeout_s=channels.settings.idle_s,
        )
        return Response(body, status_code=201, headers=NO_STORE)

    @delete("/sessions/{session_id:str}", opt=ON_CHANNEL, responses=PARTICIPANT_READS)
    async def close_session(
        self, session_id: str, participant: Participant, channels: ChannelRuntime
    ) -> None:
        """Close one of your sessions (its stream ends)."""
        await channels.close(participant, session_id)

    @post(
        "/actions",
        opt=ON_CHANNEL,
        status_code=202,
        responses=problem_responses(400, 401, 403, 404, 409, 413, 415, 422, 503),
        exception_handlers=UNPROCESSABLE,
    )
    async def act(
        self,
        request: Request[Any, Any, Any],
        data: ActionRequest,
        participant: Participant,
        channels: ChannelRuntime,
    ) -> ChannelEvent:
        """Send a canned action (or a vote in a poll) within one of your open sessions: it is
        counted and shown live to every watcher, and stored nowhere. Anything else (free
        text, an unknown action, a choice the poll lacks) is refused with ``422``."""
        resources: Resources = request.app.state.resources
        async with tenant_transaction(resources.sessions, participant.workspace_id) as session:
            event = await channels.act(session, participant, data)
        await channels.publish(event)
        return event

    @get(
        "/stream",
        opt=ON_CHANNEL,
        responses=PARTICIPANT_READS,
        media_type="text/event-stream",
    )
    async def stream(
        self,
        request: Request[Any, Any, Any],
        session: SessionQuery,
        principal: Principal,
        participant: Participant,
        channels: ChannelRuntime,
    ) -> ServerSentEvent:
        """Server-sent events of the channel for one of your open sessions: first a
        ``snapshot`` (the counters and presence now; again after any reconnect), then
        ``action``, ``presence`` and ``status`` events as they happen, and a last ``closed``
        when the session ends. Never a history. The stream also ends when the token is
        revoked or expires."""
        resources: Resources = request.app.state.resources
        if not await channels.sessions.touch(participant.workspace_id, participant.key, session):
            raise NotFound("No such open session of yours on this channel; open another.")
        audience = CHANNEL_AUDIENCE if is_guest(principal) else CONTROL_AUDIENCE
        messages = channel_stream(
            resources,
            channels,
            participant,
            session,
            token=request.scope["state"][TOKEN_KEY],
            verifier=resources.verifier(audience),
        )
        return ServerSentEvent(messages)


def _poll_out(poll: Any) -> PollOut:
    return PollOut(
        name=poll.name,
        choices=list(poll.choices),
        created_by=poll.created_by,
        created_at=poll.created_at,
    )


class ChannelAdminController(BearerController):
    """An admin's routes: polls, and guests' invites and their revocation (audited)."""

    path = "/api/v1/channel"
    tags = ["channel"]
    dependencies = {**BearerController.dependencies, "ws": provide_scope}

    @post(
        "/polls",
        opt=WRITE,
        status_code=201,
        responses=WRITES,
        exception_handlers=UNPROCESSABLE,
    )
    async def create_poll(
        self, data: PollDefinition, reason: Reason, ws: WorkspaceScope
    ) -> PollOut:
        """Define a poll: a name and 2 to 5 choices, each a slug (``a-z``, ``0-9``, ``-``, at
        most 24 characters); at most 20 polls a workspace. Anything else is a ``422``."""
        poll = check_poll(data)
        if len(await repository.polls(ws.session)) >= MAX_POLLS:
            raise refuse("name", f"A workspace has at most {MAX_POLLS} polls; delete one first.")
        row = await repository.add_poll(
            ws.session, ws.tenant_id, poll.name, poll.choices, ws.principal.subject
        )
        if row is None:
            raise Conflict(f"The poll `{poll.name}` exists.")
        await _audit(ws, "channel.poll.create", f"poll:{poll.name}", reason, after=data)
        return _poll_out(row)

    @delete("/polls/{name:str}", opt=WRITE, responses=READS)
    async def delete_poll(self, name: str, reason: Reason, ws: WorkspaceScope) -> None:
        """Delete a poll; its counters stay until retention takes them."""
        row = await repository.remove_poll(ws.session, name)
        if row is None:
            raise NotFound(f"No poll `{name}` in this workspace.")
        before = PollDefinition(name=row.name, choices=list(row.choices))
        await _audit(ws, "channel.poll.delete", f"poll:{name}", reason, before=before)

    @post("/invites", opt=WRITE, status_code=201, responses=WRITES)
    async def invite(
        self, reason: Reason, ws: WorkspaceScope, resources: Resources
    ) -> Response[InviteCreated]:
        """Invite a guest to this workspace's channel: a one-time ``invite`` (shown once)
        that ``POST /api/v1/channel/guest-token`` exchanges for a channel-only token of
        an opaque guest, ``guest-NNNN``."""
        made = new_invite(ws.tenant_id)
        expires_at = utcnow() + dt.timedelta(seconds=resources.settings.channel.invite_ttl_s)
        row = await repository.add_invite(
            ws.session,
            ws.tenant_id,
            made.invite_id,
            secret_hash(made.secret),
            actor=ws.principal.subject,
            expires_at=expires_at,
        )
        after = {"id": str(row.id), "guest": row.guest, "expires_at": expires_at.isoformat()}
        await _audit(ws, "channel.invite.create", f"guest:{row.guest}", reason, after=after)
        body = InviteCreated(
            id=row.id,
            workspace_id=ws.tenant_id,
            guest=row.guest,
            invite=made.text,
            expires_at=expires_at,
        )
        return Response(body, status_code=201, headers=NO_STORE)

    @post("/invites/{invite_id:uuid}/revoke", opt=WRITE, status_code=200, responses=READS)
    async def revoke(
        self,
        request: Request[Any, Any, Any],
        invite_id: uuid.UUID,
        reason: Reason,
        principal: Principal,
        resources: Resources,
        workspace: WorkspaceId = None,
    ) -> InviteRevoked:
        """Revoke a guest: the invite can no longer be redeemed, and the guest's token is
        refused on every replica within a second (its open streams end). Idempotent."""
        revoked_jti: tuple[str, int] | None = None
        async with scoped(request, principal, workspace) as ws:
            row = await repository.invite(ws.session, invite_id)
            if row is None:
                raise NotFound("No such invite in this workspace.")
            await repository.revoked(ws.session, invite_id)
            if row.token_jti is not None and row.token_expires_at is not None:
                expires_at = int(row.token_expires_at.timestamp())
                if expires_at > time.time():
                    await revocation.revoke(
                        ws.session,
                        jti=row.token_jti,
                        subject=row.guest,
                        expires_at=expires_at,
                        revoked_by=principal.subject,
                        reason=reason,
                    )
                    revoked_jti = (row.token_jti, expires_at)
            before = {"id": str(row.id), "guest": row.guest, "jti": row.token_jti}
            await _audit(ws, "channel.invite.revoke", f"guest:{row.guest}", reason, before=before)
            guest = row.guest
        if revoked_jti is not None:
            # After the commit: never announce what a rollback undid.
            jti, expires_at = revoked_jti
            resources.denylist.add(jti, expires_at)
            try:
                await revocation.announce(
                    resources.redis,
                    resources.settings.redis.namespace,
                    jti=jti,
                    expires_at=expires_at,
                )
            except RedisError as exc:  # every verifier's reconcile poll finds the row anyway
                logger.warning("revocation of guest {} not announced: {}", guest, exc)
        return InviteRevoked(id=invite_id, guest=guest, token_revoked=revoked_jti is not None)


async def _audit(
    ws: WorkspaceScope,
    action: str,
    target: str,
    reason: str,
    *,
    before: Any = None,
    after: Any = None,
) -> None:
    def view(value: Any) -> dict[str, Any] | None:
        if value is None or isinstance(value, dict):
            return value
        return {f: getattr(value, f) for f in value.__struct_fields__}

    await audit.record(
        ws.session,
        tenant_id=ws.tenant_id,
        actor=ws.principal.subject,
        action=action,
        target=target,
        reason=reason,
        before=view(before),
        after=view(after),
        impersonation=ws.principal.impersonation(),
    )


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
