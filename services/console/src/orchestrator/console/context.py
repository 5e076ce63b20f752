"""The console's view of one request: the signed-in operator's session and the APIs."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from litestar import Request
from loguru import logger

from orchestrator.console.apischema import ApiSchemas
from orchestrator.console.backend import Backend
from orchestrator.console.errors import (
    ApiProblem,
    ApiUnavailable,
    BadForm,
    GuestRefused,
    SignInRequired,
)
from orchestrator.console.security import (
    CSRF_EXEMPT,
    GUEST_OK,
    SAFE_METHODS,
    require_csrf,
    session_cookie_name,
    submitted_csrf,
)
from orchestrator.console.sessions import ConsoleSession, Flash, SessionStore
from orchestrator.console.settings import Settings

NOTICE_ENDED = "ended"


@dataclass
class Console:
    """A signed-in operator's request: call the APIs with its token, keep notices."""

    session: ConsoleSession
    session_id: str
    backend: Backend
    store: SessionStore
    settings: Settings
    schemas: ApiSchemas
    request: Request[Any, Any, Any]
    """The request being served (a page is shown in the workspace and section it names)."""

    async def control(
        self,
        method: str,
        path: str,
        *,
        workspace: uuid.UUID | None = None,
        params: dict[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        """A control-api call as this operator, on ``workspace`` when given."""
        query = dict(params or {})
        if workspace is not None:
            query["workspace"] = str(workspace)
        try:
            return await self.backend.control(
                self.session.token, method, path, params=query, json=json
            )
        except SignInRequired:
            await self.store.destroy(self.session_id)
            raise

    async def flash(self, kind: str, text: str) -> None:
        """A notice for the next page."""
        await self.store.flash(self.session_id, kind, text)

    async def flashes(self) -> list[Flash]:
        """Notices kept for this page."""
        return await self.store.pop_flashes(self.session_id)

    def may(self, permission: str) -> None:
        """Refuse (403) what the operator's role may not do, before asking the API."""
        if not self.session.can(permission):
            raise BadForm(f"Your role ({self.session.role}) may not do this.", 403)


async def provide_console(request: Request[Any, Any, Any]) -> Console:
    """The signed-in operator (or guest, on the routes open to one), its session restarted;
    a mutation's CSRF token checked; a guest's token refreshed when due."""
    state = request.app.state
    settings: Settings = state.settings
    session_id = request.cookies.get(session_cookie_name(settings.secure_cookies))
    store: SessionStore = state.sessions
    session = await store.load(session_id) if session_id else None
    if session is None or session_id is None:
        raise SignInRequired(NOTICE_ENDED if session_id else "")
    if session.guest is not None:
        # A guest sees its own workspace's channel and nothing else (ADR 0108).
        workspace = request.path_params.get("workspace")
        allowed = request.route_handler.opt.get(GUEST_OK)
        if not allowed or workspace not in (None, uuid.UUID(session.workspace_id)):
            raise GuestRefused
    if request.method not in SAFE_METHODS and not request.route_handler.opt.get(CSRF_EXEMPT):
        require_csrf(session.csrf, await submitted_csrf(request))
    console = Console(session, session_id, state.backend, store, settings, state.schemas, request)
    if session.guest is not None and session.guest.due(session.token_expires_at, time.time()):
        await refresh_guest(console)
    return console


async def refresh_guest(console: Console) -> None:
    """Swap the guest's token for a fresh one of the same invite (before it expires); a
    refusal (revoked, or past the cap) ends the session."""
    session, guest = console.session, console.session.guest
    if guest is None or not await console.store.claim_refresh(console.session_id):
        return  # another request of this session is refreshing it
    try:
        fresh = await console.backend.control(session.token, "POST", "/channel/guest-token/refresh")
    except SignInRequired:
        await console.store.destroy(console.session_id)
        raise SignInRequired(NOTICE_ENDED) from None
    except (ApiProblem, ApiUnavailable) as exc:
        # The token holds a while yet: the next request tries again.
        logger.warning("guest token refresh: {}", exc)
        return
    session.token = fresh["access_token"]
    session.token_expires_at = int(fresh["expires_at"])
    guest.lifetime_s, guest.ends_at = int(fresh["expires_in"]), int(fresh["session_ends_at"])
    await console.store.replace(console.session_id, session, live_only=True)
