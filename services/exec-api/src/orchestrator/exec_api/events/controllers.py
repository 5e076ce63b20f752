"""``GET /api/v1/events`` (paged) and ``GET /api/v1/events/stream`` (SSE)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import FromQuery, HeaderParameter, QueryParameter
from litestar.response import ServerSentEvent
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.auth.claims import Principal
from orchestrator.core.errors import BadRequest
from orchestrator.core.events import log, retention
from orchestrator.core.events.cursor import START, EventCursor, InvalidCursor
from orchestrator.core.events.views import to_out
from orchestrator.core.http.auth import (
    provide_principal,
    provide_tenant_session,
)
from orchestrator.core.http.problems import problem_responses
from orchestrator.exec_api.access import EVENTS_READ
from orchestrator.exec_api.events.schemas import EventPageOut
from orchestrator.exec_api.events.stream import event_stream, start_cursor
from orchestrator.exec_api.plane import Plane, provide_plane

Cursor = Annotated[
    str | None,
    QueryParameter(
        max_length=60,
        description="Return events after this one (an event `id`); from the start when absent.",
    ),
]


def parse_cursor(text: str | None, name: str) -> EventCursor | None:
    """An event cursor from a query parameter or header; 400 if malformed."""
    if text is None:
        return None
    try:
        return EventCursor.decode(text)
    except InvalidCursor:
        raise BadRequest(f"`{name}` is not an event id this API returned.") from None


class EventController(Controller):
    """The caller's event log."""

    path = "/api/v1/events"
    tags = ["events"]
    security = [{"bearer": []}]
    dependencies = {"principal": provide_principal, "plane": provide_plane}

    @get(
        opt=EVENTS_READ,
        dependencies={"session": provide_tenant_session},
        responses=problem_responses(400, 401, 403, 410, 503),
    )
    async def list_events(
        self,
        principal: Principal,
        session: AsyncSession,
        after: Cursor = None,
        job_id: FromQuery[uuid.UUID | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    ) -> EventPageOut:
        """Events after ``after``, oldest first. An event appears only once every older one
        has, so paging with ``next_cursor`` never skips one; ``410`` when retention deleted
        events after ``after`` (start again without it)."""
        resume = parse_cursor(after, "after")
        cursor = resume or START
        page = await log.read_after(
            session, principal.tenant_id, cursor, limit=limit, job_id=job_id
        )
        if resume is not None:
            # After the read: a purge committing before it raised the horizon too, so this
            # sees it; one committing after it deleted nothing the read missed.
            await retention.check_cursor(session, principal.tenant_id, resume)
        return EventPageOut(items=[to_out(e) for e in page.events], next_cursor=page.next.encode())

    @get(
        "/stream",
        opt=EVENTS_READ,
        responses=problem_responses(400, 401, 403, 410, 429, 503),
        media_type="text/event-stream",
    )
    async def stream(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        plane: Plane,
        after: Cursor = None,
        last_event_id: Annotated[
            str | None,
            HeaderParameter(
                name="Last-Event-ID",
                max_length=60,
                description="Resume after this event (browsers send it on reconnect).",
            ),
        ] = None,
    ) -> ServerSentEvent:
        """Server-sent events: ``id:`` (the cursor), ``event:`` (the type), ``data:`` (the event
        as JSON); comments as heartbeats. Resumes after ``Last-Event-ID`` (or ``after``) with no
        gap and no duplicate (``410`` when retention deleted events after it); without either,
        starts with the events that happen from now. One token holds at most
        ``ORCH_AUTH_STREAMS_PER_TOKEN`` streams at once, on every replica (``429`` beyond)."""
        resume = parse_cursor(last_event_id, "Last-Event-ID") or parse_cursor(after, "after")
        sessions = plane.resources.sessions
        cursor = await start_cursor(sessions, principal.tenant_id, resume)
        # Last, so a refused request holds no slot; 429 past the token's cap.
        slot = await plane.stream_slots.acquire(principal.jti)
        messages = event_stream(
            sessions,
            plane.hub,
            principal.tenant_id,
            cursor,
            until=float(principal.expires_at),
            resumed=resume is not None,
        )
        return ServerSentEvent(messages if slot is None else slot.hold(messages))
