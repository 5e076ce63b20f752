"""``/w/{id}/events``: the workspace's event stream, live. The exec-api serves it to a token
of the workspace, so the page reads it through the operator's running impersonation, whose
token never leaves the console: the browser's ``EventSource`` talks to the console, which
relays the exec-api's stream, ``Last-Event-ID`` included (a reconnect resumes with no gap)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
from litestar import Request, get
from litestar.response import Stream, Template

from orchestrator.console.context import NOTICE_ENDED, Console
from orchestrator.console.errors import ApiUnavailable, BadForm, SignInRequired
from orchestrator.console.render import page
from orchestrator.core.http.stopping import until_stopped

RELAYED_HEADERS = ("last-event-id",)


@get("/w/{workspace:uuid}/events")
async def events(console: Console, workspace: uuid.UUID) -> Template:
    """The live list, or what it takes to see it (an impersonation of this workspace)."""
    running = console.session.impersonating()
    watching = running is not None and running.workspace_id == str(workspace)
    return await page(console, "events.html", watching=watching)


@get("/w/{workspace:uuid}/events/stream")
async def stream(request: Request[Any, Any, Any], console: Console, workspace: uuid.UUID) -> Stream:
    """The exec-api's ``/api/v1/events/stream`` for this workspace, relayed as it comes."""
    running = console.session.impersonating()
    if running is None or running.workspace_id != str(workspace):
        raise BadForm("Start impersonating this workspace to watch its events.", 409)
    backend = console.backend
    headers = {"Authorization": f"Bearer {running.token}", "Accept": "text/event-stream"}
    headers |= {name: request.headers[name] for name in RELAYED_HEADERS if name in request.headers}
    upstream = backend.streams.build_request(
        "GET", f"{backend.exec_url}/api/v1/events/stream", headers=headers
    )
    return await relayed(backend.streams, upstream, "exec-api", refused=502)


async def relayed(
    http: httpx.AsyncClient,
    upstream: httpx.Request,
    api: str,
    refused: int,
    *,
    ends: bool = False,
) -> Stream:
    """An API's event stream, relayed to the browser as it comes; its refusal is the
    ``refused`` status (the page's ``EventSource`` then stops), or, with ``ends``, a 401
    of the API is ``SignInRequired`` (the token is the session's own)."""
    try:
        answer = await http.send(upstream, stream=True)
    except httpx.HTTPError:
        raise ApiUnavailable(f"The {api} cannot be reached.") from None
    if answer.status_code != 200:
        await answer.aclose()
        if ends and answer.status_code == 401:
            raise SignInRequired(NOTICE_ENDED)
        raise BadForm(f"The {api} refused the stream ({answer.status_code}).", refused)
    return Stream(
        relay(answer),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def relay(answer: httpx.Response) -> AsyncIterator[bytes]:
    """The stream's lines as they arrive, without their ``event:`` names: the page takes every
    event as a plain message (its type is in its data), which ``EventSource`` can only do
    for unnamed events. The upstream closes when the browser goes, or when this process
    stops."""
    pending = b""
    try:
        async for chunk in until_stopped(answer.aiter_raw()):
            lines = (pending + chunk).split(b"\n")
            pending = lines.pop()
            kept = [line for line in lines if not line.startswith(b"event:")]
            if kept:
                yield b"\n".join(kept) + b"\n"
    except httpx.HTTPError:
        return
    finally:
        await answer.aclose()


EVENT_PAGES = [events, stream]
