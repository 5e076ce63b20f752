"""``/w/{id}/guests``: the workspace channel's guests (ADR 0108). Every operator sees the
invites and what became of each; an admin invites a guest with a reason and is shown, once,
a link to the console's guest page carrying the invite in its fragment (``/guest#chi_…``):
a browser sends no fragment to any server, so the invite reaches no log and no
``Referer``. The console offers the form to admins only; the control-api checks the role
again and refuses a forged post."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

from litestar import Request, Response, get, post
from litestar.response import Template

from orchestrator.console.context import Console
from orchestrator.console.listing import Cursor
from orchestrator.console.pages.submitted import answer, call_with_reason, posted, send_with_reason
from orchestrator.console.render import page

INVITE = "channel:invite"
HERE = "/w/{workspace:uuid}/guests"


def _listing(workspace: uuid.UUID) -> str:
    return f"/w/{workspace}/guests"


def state_of(invite: dict[str, Any]) -> str:
    """What became of an invite, in a word."""
    if invite["revoked_at"]:
        return "revoked"
    if invite["redeemed_at"]:
        return "signed in"
    return "waiting"


def guest_link(console: Console, invite: str) -> str:
    """The console's guest page with ``invite`` in the fragment, as browsers reach the
    console (``ORCH_CONSOLE_PUBLIC_URL``, else the address the admin used)."""
    base = console.settings.oidc.public_url or str(console.request.base_url)
    return f"{base.rstrip('/')}/guest#{invite}"


@get(HERE)
async def guests_page(console: Console, workspace: uuid.UUID, cursor: Cursor = "") -> Template:
    """The workspace's invites, oldest first, and (for an admin) the form that invites."""
    found = await console.control(
        "GET",
        "/channel/invites",
        workspace=workspace,
        params={"cursor": cursor, "limit": console.settings.console.page_size},
    )
    rows = [{**item, "state": state_of(item)} for item in found["items"]]
    next_cursor = found["next_cursor"]
    return await page(
        console,
        "guests.html",
        rows=rows,
        next_href=next_cursor and f"?cursor={quote(next_cursor)}",
        paged=bool(cursor),
    )


@post(HERE, status_code=201)
async def invite_guest(
    console: Console, request: Request[Any, Any, Any], workspace: uuid.UUID
) -> Response[Any]:
    """Invite a guest: the answer is the one page that shows its link (never a URL, a
    stored notice or a log); a refusal (the API's role check) is a notice on the list."""
    form = await posted(request)

    async def made() -> Template:
        # No role check here on purpose: the control-api's own is the one that counts.
        created = await send_with_reason(
            console, form, ("POST", "/channel/invites"), workspace=workspace
        )
        return await page(
            console,
            "guest_link.html",
            status_code=201,
            listing=_listing(workspace),
            guest=created["guest"],
            expires_at=created["expires_at"],
            link=guest_link(console, created["invite"]),
        )

    return await answer(console, _listing(workspace), made)


@post(HERE + "/{invite_id:uuid}/revoke", status_code=303)
async def revoke_guest(
    console: Console, request: Request[Any, Any, Any], workspace: uuid.UUID, invite_id: uuid.UUID
) -> Response[Any]:
    """Revoke an invite: its guest's token is refused everywhere within a second, and the
    guest's page says its access ended."""
    form = await posted(request)

    def done(revoked: dict[str, Any]) -> str:
        return f"Revoked {revoked['guest']}: its access has ended."

    return await call_with_reason(
        console,
        form,
        _listing(workspace),
        ("POST", f"/channel/invites/{invite_id}/revoke"),
        workspace=workspace,
        done=done,
    )


GUEST_ADMIN_PAGES = [guests_page, invite_guest, revoke_guest]
