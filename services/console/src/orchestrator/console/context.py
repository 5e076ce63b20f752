"""The console's view of one request: the signed-in operator's session and the APIs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from litestar import Request

from orchestrator.console.apischema import ApiSchemas
from orchestrator.console.backend import Backend
from orchestrator.console.errors import BadForm, SignInRequired
from orchestrator.console.security import (
    CSRF_EXEMPT,
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
    """The signed-in operator, its session restarted; a mutation's CSRF token checked."""
    state = request.app.state
    settings: Settings = state.settings
    session_id = request.cookies.get(session_cookie_name(settings.secure_cookies))
    store: SessionStore = state.sessions
    session = await store.load(session_id) if session_id else None
    if session is None or session_id is None:
        raise SignInRequired(NOTICE_ENDED if session_id else "")
    if request.method not in SAFE_METHODS and not request.route_handler.opt.get(CSRF_EXEMPT):
        require_csrf(session.csrf, await submitted_csrf(request))
    return Console(session, session_id, state.backend, store, settings, state.schemas, request)
