"""``/w/{id}/channel/…``: the workspace status channel's panel, shown on every workspace page
(docs/channels.md). The panel's script (static/channel.js) calls these routes, and they
call the control-api's ``/api/v1/channel`` with the operator's token, which never leaves the
console: the browser opens a session, sends canned actions and reads the live stream, which
the console relays as it comes. A guest's session uses the same routes, on its own
workspace only (ADR 0108)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Request, get, post
from litestar.params import QueryParameter
from litestar.response import Stream

from orchestrator.console.context import Console
from orchestrator.console.errors import BadForm, SignInRequired
from orchestrator.console.pages.events import relayed
from orchestrator.console.security import GUEST_OK

HERE = "/w/{workspace:uuid}/channel"
SESSION_ID = r"^[A-Za-z0-9_-]{1,64}$"
SessionQuery = Annotated[str, QueryParameter(name="session", pattern=SESSION_ID)]
PANEL = {GUEST_OK: True}
"""The panel's routes serve a guest's session too (its own workspace only)."""


class ActionIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What the panel sends: a session of this tab and a canned action (a vote names its
    poll and choice); the control-api checks the rest."""

    session: Annotated[str, msgspec.Meta(pattern=SESSION_ID)]
    action: Annotated[str, msgspec.Meta(max_length=64)]
    poll: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    choice: Annotated[str, msgspec.Meta(max_length=64)] | None = None


@get(HERE, opt=PANEL)
async def channel(console: Console, workspace: uuid.UUID) -> Any:
    """The catalogue, the workspace's polls, the counters and the presence (JSON)."""
    return await console.control("GET", "/channel", workspace=workspace)


@post(HERE + "/sessions", status_code=201, opt=PANEL)
async def open_session(console: Console, workspace: uuid.UUID) -> Any:
    """Open a session for this tab (the fourth of an operator closes its oldest). The tab
    keeps it from page to page; a closed tab's session ends when idle."""
    return await console.control("POST", "/channel/sessions", workspace=workspace)


@post(HERE + "/actions", status_code=202, opt=PANEL)
async def act(request: Request[Any, Any, Any], console: Console, workspace: uuid.UUID) -> Any:
    """Send a canned action or a vote; the event the control-api sent out."""
    try:
        data = msgspec.json.decode(await request.body(), type=ActionIn)
    except msgspec.DecodeError:
        raise BadForm("Not a canned action.", 422) from None
    body = {field: getattr(data, field) for field in data.__struct_fields__}
    clean = {key: value for key, value in body.items() if value is not None}
    return await console.control("POST", "/channel/actions", workspace=workspace, json=clean)


@get(HERE + "/stream", opt=PANEL)
async def stream(console: Console, workspace: uuid.UUID, session: SessionQuery) -> Stream:
    """The control-api's channel stream of this tab's session, relayed as it comes; every
    event's type is in its data (``closed`` last when the session ends)."""
    backend = console.backend
    upstream = backend.streams.build_request(
        "GET",
        f"{backend.control_url}/api/v1/channel/stream",
        params={"session": session, "workspace": str(workspace)},
        headers={
            "Authorization": f"Bearer {console.session.token}",
            "Accept": "text/event-stream",
        },
    )
    # 404: the session is closed (a newer tab took its place, or it sat idle); 401: the
    # token was revoked or expired (a guest's invitation revoked), which ends the session.
    try:
        return await relayed(backend.streams, upstream, "control-api", refused=404, ends=True)
    except SignInRequired:
        await console.store.destroy(console.session_id)
        raise


CHANNEL_PAGES = [channel, open_session, act, stream]
