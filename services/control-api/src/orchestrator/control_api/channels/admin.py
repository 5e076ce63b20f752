"""``/api/v1/channel``: an admin's routes: polls, and guests' invites and their revocation,
each with a reason and audited (docs/channels.md, ADR 0103)."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from contextlib import asynccontextmanager
from typing import Any

from litestar import Request, Response, delete, get, post

from orchestrator.control_api.channels.controllers import UNPROCESSABLE, poll_out
from orchestrator.control_api.channels.schemas import (
    InviteCreated,
    InviteList,
    InviteRevoked,
    PollOut,
)
from orchestrator.control_api.credentials import NO_STORE, announce_token
from orchestrator.control_api.guards import BearerController
from orchestrator.control_api.pages import PAGED
from orchestrator.control_api.routes import READ, WRITE
from orchestrator.control_api.scope import Reason, WorkspaceId, WorkspaceScope, provide_scope
from orchestrator.control_api.views import READS, WRITES, page_out
from orchestrator.core import audit
from orchestrator.core.auth import revocation
from orchestrator.core.auth.claims import Principal
from orchestrator.core.channels import repository
from orchestrator.core.channels.catalogue import (
    MAX_POLLS,
    PollDefinition,
    check_poll,
    refuse,
)
from orchestrator.core.channels.guests import (
    new_invite,
    secret_hash,
)
from orchestrator.core.db.base import utcnow
from orchestrator.core.db.pages import PageRequest
from orchestrator.core.errors import Conflict, NotFound
from orchestrator.core.runtime import Resources

scoped = asynccontextmanager(provide_scope)
"""A workspace's transaction for a handler that acts after it commits (a revocation)."""


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
        return poll_out(row)

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

    @get("/invites", opt=READ, responses=READS, dependencies=PAGED)
    async def list_invites(self, ws: WorkspaceScope, page: PageRequest) -> InviteList:
        """The workspace's guest invites, oldest first, with what became of each (redeemed,
        revoked); never their secrets. Cursor-paginated."""
        return page_out(await repository.invites(ws.session, page), InviteList)

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
        if revoked_jti is not None:  # after the commit
            await announce_token(resources, *revoked_jti)
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
