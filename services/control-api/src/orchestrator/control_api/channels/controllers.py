"""``/api/v1/channel``: a workspace's status channel, the participants' routes
(docs/channels.md).

Participants (the organization's operators, and the workspace's guests) open sessions,
send canned actions and watch the live stream. Actions are counted, never stored, and
never audited (an audit entry per 👍 would be the message table this design refuses,
ADR 0102). The admins' routes are in ``admin.py``, the guests' sign-in in ``guests.py``.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.exceptions import ValidationException
from litestar.params import QueryParameter
from litestar.response import Stream
from litestar.types import ExceptionHandlersMap

from orchestrator.control_api.channels.access import (
    ON_CHANNEL,
    TOKEN_KEY,
    is_guest,
    provide_channels,
    provide_participant,
)
from orchestrator.control_api.channels.assistant import summary
from orchestrator.control_api.channels.schemas import (
    CannedAction,
    ChannelOut,
    PollOut,
    SessionOpened,
)
from orchestrator.control_api.channels.stream import SSE_HEADERS, channel_stream
from orchestrator.control_api.credentials import NO_STORE
from orchestrator.core.auth.claims import CHANNEL_AUDIENCE, CONTROL_AUDIENCE, Principal
from orchestrator.core.channels import repository
from orchestrator.core.channels.catalogue import (
    ACTIONS,
    ASK_STATUS,
    SESSION_ID,
    ActionRequest,
)
from orchestrator.core.channels.events import ChannelEvent
from orchestrator.core.channels.service import ChannelRuntime, Participant
from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.errors import NotFound
from orchestrator.core.http.auth import provide_principal
from orchestrator.core.http.problems import handle_invalid_as_unprocessable, problem_responses
from orchestrator.core.runtime import Resources

UNPROCESSABLE: ExceptionHandlersMap = {ValidationException: handle_invalid_as_unprocessable}
"""A body outside its schema (free text in an unknown field, an oversize poll) is a 422."""
PARTICIPANT_READS = problem_responses(400, 401, 403, 404, 409, 503)
SessionQuery = Annotated[
    str,
    QueryParameter(
        name="session", pattern=SESSION_ID, description="A session of yours this stream holds."
    ),
]


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
            polls=[poll_out(poll) for poll in polls],
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
        responses=problem_responses(400, 401, 403, 404, 409, 413, 415, 422, 429, 503),
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
        counted and shown live to every watcher, and stored nowhere; ``ask_status`` is also
        answered by the assistant with a ``status`` summary. Anything else (free
        text, an unknown action, a choice the poll lacks) is refused with ``422``."""
        resources: Resources = request.app.state.resources
        answer: ChannelEvent | None = None
        async with tenant_transaction(resources.sessions, participant.workspace_id) as session:
            event = await channels.act(session, participant, data)
            if event.action == ASK_STATUS:
                answer = await summary(session, channels, participant.workspace_id)
        await channels.publish(event)
        if answer is not None:
            await channels.publish(answer)
        return event

    @get(
        "/stream",
        opt=ON_CHANNEL,
        responses=PARTICIPANT_READS,
        media_type="text/event-stream",
        response_description="Server-sent events: a snapshot, then the channel's news",
    )
    async def stream(
        self,
        request: Request[Any, Any, Any],
        session: SessionQuery,
        principal: Principal,
        participant: Participant,
        channels: ChannelRuntime,
    ) -> Stream:
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
        return Stream(messages, media_type="text/event-stream", headers=SSE_HEADERS)


def poll_out(poll: Any) -> PollOut:
    """A poll row as the API shows it."""
    return PollOut(
        name=poll.name,
        choices=list(poll.choices),
        created_by=poll.created_by,
        created_at=poll.created_at,
    )
