"""Who may use a workspace's channel: its organization's operators, and its guests.

A guest's token has its own audience (``orchestrator-channel``), which only the routes
here accept: every other route of every service verifies another audience and refuses it
(ADR 0103). The token's ``aud`` is read before verifying only to choose the verifier; the
chosen verifier then checks everything, the audience included.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from joserfc.errors import JoseError
from joserfc.jws import extract_compact
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from orchestrator.control_api.guards import org_transaction, organization_of
from orchestrator.control_api.scope import WorkspaceId
from orchestrator.core.auth.claims import CHANNEL_AUDIENCE, CONTROL_AUDIENCE, Principal
from orchestrator.core.channels.events import Actor
from orchestrator.core.channels.guests import GUEST_SCOPE
from orchestrator.core.channels.service import ChannelRuntime, Participant
from orchestrator.core.errors import Conflict, Forbidden, NotFound
from orchestrator.core.http.auth import PRINCIPAL_KEY, bearer_token, guarded
from orchestrator.core.models import WorkspaceStatus
from orchestrator.core.observability.context import tenant_id_var
from orchestrator.core.runtime import Resources
from orchestrator.core.tenancy import repository

TOKEN_KEY = "channel_token"  # noqa: S105 (where the bearer token is kept, not a token)


def audience_of(token: str) -> str | None:
    """The ``aud`` a token claims, unverified (to pick the verifier that checks it)."""
    try:
        claims = json.loads(extract_compact(token.encode()).payload)
    except (JoseError, ValueError, TypeError):
        return None
    audience = claims.get("aud") if isinstance(claims, dict) else None
    return audience if isinstance(audience, str) else None


def is_guest(principal: Principal) -> bool:
    """A guest's channel token."""
    return principal.audience == CHANNEL_AUDIENCE


async def _on_channel(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    resources: Resources = connection.app.state.resources
    token = bearer_token(connection)
    if audience_of(token) == CHANNEL_AUDIENCE:
        principal = await resources.verifier(CHANNEL_AUDIENCE).verify(token)
        needed = GUEST_SCOPE
    else:
        principal = await resources.verifier(CONTROL_AUDIENCE).verify(token)
        needed = "control:read"
    state = connection.scope.setdefault("state", {})
    state[PRINCIPAL_KEY] = principal
    state[TOKEN_KEY] = token
    tenant_id_var.set(str(principal.tenant_id))
    if needed not in principal.scopes:
        raise Forbidden(f"The token lacks the `{needed}` scope.")


ON_CHANNEL = guarded(_on_channel)
"""The ``opt`` of a participant's route: an operator's control token, or a guest's."""


async def provide_participant(
    request: Request[Any, Any, Any], principal: Principal, workspace: WorkspaceId = None
) -> Participant:
    """The caller on ``workspace``'s channel (default: the token's workspace); a guest only
    on its own, an operator on any live workspace of its organization (else 404)."""
    if is_guest(principal):
        if workspace not in (None, principal.tenant_id):
            raise NotFound("No such workspace in your organization.")
        return Participant(principal.tenant_id, Actor(kind="guest", name=principal.subject))
    organization_of(principal)
    target_id: uuid.UUID = workspace or principal.tenant_id
    async with org_transaction(request, principal) as session:
        target = await repository.get_workspace(session, target_id)
        if target is None:
            raise NotFound("No such workspace in your organization.")
        if target.status is not WorkspaceStatus.COMMITTED:
            raise Conflict(f"Workspace `{target.name}` is {target.status.value}, not COMMITTED.")
    return Participant(target_id, Actor(kind="operator", name=principal.subject))


async def provide_channels(request: Request[Any, Any, Any]) -> ChannelRuntime:
    """The process's channel runtime (opened by the lifespan)."""
    runtime: ChannelRuntime = request.app.state.channels
    return runtime
