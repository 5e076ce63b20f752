"""``/guest``: a guest's way in (ADR 0108). The invitation link's fragment holds the invite
(``/guest#chi_…``); the page's script posts it to the console, same-origin and with the
page's CSRF token, and the console redeems it at the control-api and keeps the guest's
token in a console session marked as a guest's, as it keeps an operator's: the browser
holds only the session cookie. The guest then sees its workspace's channel panel
(``/guest/channel``) and nothing else; the console refreshes the token before it expires
(``context.refresh_guest``) and the session ends when a refresh is refused."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.response import Redirect, Template

from orchestrator.console.backend import Backend
from orchestrator.console.context import Console
from orchestrator.console.errors import ApiProblem, BadForm
from orchestrator.console.failures import GUEST_PAGE
from orchestrator.console.security import (
    CSRF_EXEMPT,
    CSRF_HEADER,
    GUEST_OK,
    cookie,
    expired_cookie,
    guest_cookie_name,
    session_cookie_name,
    tokens_match,
)
from orchestrator.console.sessions import (
    ConsoleSession,
    GuestPass,
    SessionStore,
    new_csrf_token,
)
from orchestrator.console.settings import Settings

GUEST_ROLE = "guest"
INVITE_GONE = (
    "This invitation was already used, was revoked or has expired: ask whoever invited you "
    "for a new one."
)
NOTICES = {
    "left": "You left the status channel. Open a new invitation to come back.",
    "ended": "Your guest access has ended: ask whoever invited you for a new invitation.",
}


class GuestSignIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What the guest page posts: the invite from the link's fragment."""

    invite: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


@get("/guest", sync_to_thread=False)
def guest_page(request: Request[Any, Any, Any], notice: str = "") -> Template:
    """The page an invitation link opens; its script reads the fragment and signs in."""
    settings: Settings = request.app.state.settings
    token = new_csrf_token()
    response = Template(
        template_name="guest_signin.html",
        context={"csrf": token, "notice": NOTICES.get(notice, "")},
    )
    name = guest_cookie_name(settings.secure_cookies)
    response.cookies.append(cookie(name, token, secure=settings.secure_cookies, max_age=900))
    return response


@post("/guest", opt={CSRF_EXEMPT: True}, status_code=201)
async def guest_sign_in(request: Request[Any, Any, Any]) -> Response[Any]:
    """Redeem the invite and keep the guest's token in a new guest session; where to go.
    The CSRF token is the page's own (double submit: there is no session yet)."""
    settings: Settings = request.app.state.settings
    secure = settings.secure_cookies
    expected = request.cookies.get(guest_cookie_name(secure), "")
    if not tokens_match(expected, request.headers.get(CSRF_HEADER)):
        raise BadForm("This page is stale: open the invitation link again.", 403)
    try:
        invite = msgspec.json.decode(await request.body(), type=GuestSignIn).invite
    except msgspec.DecodeError:
        raise BadForm("This is not an invitation.", 422) from None
    store: SessionStore = request.app.state.sessions
    current = request.cookies.get(session_cookie_name(secure))
    existing = await store.load(current) if current else None
    if existing is not None and existing.guest is None:
        raise BadForm(
            f"You are signed in to the console as {existing.subject}: sign out first, or "
            "open the invitation in a private window.",
            409,
        )
    session = await _redeem(request.app.state.backend, invite)
    if existing is not None and current:
        await store.destroy(current)  # the guest of an earlier invitation leaves
    session_id = await store.create(session)
    response: Response[Any] = Response({"next": GUEST_PAGE}, status_code=201)
    response.cookies.append(cookie(session_cookie_name(secure), session_id, secure=secure))
    response.cookies.append(expired_cookie(guest_cookie_name(secure), secure=secure))
    return response


async def _redeem(backend: Backend, invite: str) -> ConsoleSession:
    """A guest's session for ``invite`` (404 with a clear message once it is dead)."""
    try:
        grant = await backend.redeem_invite(invite)
    except ApiProblem as problem:
        if problem.status in (400, 404, 422):
            raise BadForm(INVITE_GONE, 404) from None
        raise
    return ConsoleSession(
        token=grant["access_token"],
        token_expires_at=int(grant["expires_at"]),
        csrf=new_csrf_token(),
        subject=grant["subject"],
        role=GUEST_ROLE,
        organization_id="",
        workspace_id=str(grant["workspace_id"]),
        permissions=[],
        guest=GuestPass(lifetime_s=int(grant["expires_in"]), ends_at=int(grant["session_ends_at"])),
    )


@get(GUEST_PAGE, opt={GUEST_OK: True})
async def guest_channel(console: Console) -> Response[Any]:
    """The guest's one page: its workspace's channel panel (an operator goes home)."""
    session = console.session
    if session.guest is None:
        return Redirect("/", status_code=303)
    return Template(
        template_name="guest_channel.html",
        context={
            "session": session,
            "csrf": session.csrf,
            "workspace": session.workspace_id,
            "check_every_ms": int(console.settings.console.session_check_s * 1000),
        },
    )


@get(GUEST_PAGE + "/session", opt={GUEST_OK: True})
async def guest_session(console: Console) -> dict[str, Any]:
    """Whether the guest's session holds (401 once it ended); asking refreshes its token
    when due, so an open page keeps it fresh."""
    session = console.session
    if session.guest is None:
        raise BadForm("Not a guest's session.", 404)
    return {
        "subject": session.subject,
        "expires_at": session.expires_at,
        "ends_at": session.guest.ends_at,
    }


GUEST_PAGES = [guest_page, guest_sign_in, guest_channel, guest_session]
