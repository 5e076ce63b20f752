"""``/w/{id}/impersonation``: act in a workspace through a short exec token, with a reason.

The token the control-api returns stays in the operator's console session (Redis), like
the operator's own token: the browser only sees that an impersonation runs (the banner on
every page) and the button that stops it."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from litestar import Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Template

from orchestrator.console.context import Console
from orchestrator.console.errors import ApiProblem, BadForm
from orchestrator.console.pages.submitted import act, field, posted, required_reason
from orchestrator.console.render import page
from orchestrator.console.sessions import Impersonation

START = "impersonation:start"
HERE = "/w/{workspace:uuid}/impersonation"
MIN_TTL_S, DEFAULT_TTL_S, MAX_TTL_S = 60, 900, 3600
"""The bounds the control-api puts on ``ttl_s`` (checked here to answer on the form)."""


def _here(workspace: uuid.UUID) -> str:
    return f"/w/{workspace}/impersonation"


def ttl_of(text: str) -> int | None:
    """The requested lifetime in seconds, or None when it is not a number in bounds."""
    try:
        ttl = int(text) if text else DEFAULT_TTL_S
    except ValueError:
        return None
    return ttl if MIN_TTL_S <= ttl <= MAX_TTL_S else None


@get(HERE)
async def impersonation_page(console: Console, workspace: uuid.UUID) -> Template:
    """The running impersonation, if any, and the form that starts one."""
    workspaces = await console.control("GET", "/workspaces", params={"limit": 200})
    return await page(
        console,
        "impersonation.html",
        running=console.session.impersonating(),
        live_workspaces=[w for w in workspaces["items"] if w["status"] == "COMMITTED"],
        ttl={"min": MIN_TTL_S, "default": DEFAULT_TTL_S, "max": MAX_TTL_S},
    )


async def begin(console: Console, workspace: uuid.UUID, reason: str, ttl_s: int) -> dict[str, Any]:
    """Start impersonating ``workspace`` (read scopes) and keep its token in the session;
    the workspace as the control-api describes it. Refused while another runs."""
    running = console.session.impersonating()
    if running is not None:
        name = running.workspace_name or running.workspace_id
        raise BadForm(f"Stop impersonating {name} first.", 409)
    details: dict[str, Any] = await console.control("GET", f"/workspaces/{workspace}")
    granted = await console.control(
        "POST",
        "/impersonation",
        params={"reason": reason},
        json={"workspace_id": str(workspace), "ttl_s": ttl_s},
    )
    console.session.impersonation = Impersonation(
        jti=granted["jti"],
        workspace_id=str(granted["workspace_id"]),
        workspace_name=str(details["name"]),
        expires_at=int(granted["expires_at"]),
        reason=reason,
        token=granted["access_token"],
    )
    await console.store.replace(console.session_id, console.session)
    return details


async def change(
    console: Console,
    request: Request[Any, Any, Any],
    workspace: uuid.UUID,
    action: Callable[[FormMultiDict, str], Awaitable[str]],
) -> Response[Any]:
    """Run ``action`` with the posted form and its reason (it answers the notice), then back
    to this page; a refusal is the notice instead."""
    console.may(START)
    form = await posted(request)

    async def run() -> str:
        return await action(form, required_reason(form))

    return await act(console, _here(workspace), run)


@post(HERE, status_code=303)
async def start_impersonation(
    console: Console, request: Request[Any, Any, Any], workspace: uuid.UUID
) -> Response[Any]:
    """Start impersonating a workspace of the organization; its token is kept server-side."""

    async def start(form: FormMultiDict, reason: str) -> str:
        ttl_s = ttl_of(field(form, "ttl_s"))
        if ttl_s is None:
            raise BadForm(f"The time to live is {MIN_TTL_S} to {MAX_TTL_S:,} seconds.")
        try:
            target = uuid.UUID(field(form, "workspace_id") or str(workspace))
        except ValueError:
            raise BadForm("Choose a workspace to impersonate.") from None
        details = await begin(console, target, reason, ttl_s)
        return f"Impersonating {details['name']}: every change made with it is audited."

    return await change(console, request, workspace, start)


@post(HERE + "/stop", status_code=303)
async def stop_impersonation(
    console: Console, request: Request[Any, Any, Any], workspace: uuid.UUID
) -> Response[Any]:
    """Stop the running impersonation: its token is refused on every service within a second."""

    async def stop(_: FormMultiDict, reason: str) -> str:
        running = console.session.impersonation
        if running is None:
            raise BadForm("No impersonation is running.")
        try:
            await console.control(
                "POST",
                f"/impersonation/{quote(running.jti, safe='')}/stop",
                params={"reason": reason},
            )
        except ApiProblem as problem:
            # A 404: the API knows of no such impersonation any more, so nothing is left to stop.
            if problem.status != 404:
                raise
        console.session.impersonation = None
        await console.store.replace(console.session_id, console.session)
        return f"Stopped impersonating {running.workspace_name or running.workspace_id}."

    return await change(console, request, workspace, stop)


IMPERSONATION_PAGES = [impersonation_page, start_impersonation, stop_impersonation]
