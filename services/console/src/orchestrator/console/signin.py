"""Signing in with an operator's client id and secret, signing out, and the session check
an open page makes every second."""

from __future__ import annotations

import contextlib
import time
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from orchestrator.console.backend import Backend
from orchestrator.console.context import NOTICE_ENDED, Console
from orchestrator.console.errors import ApiProblem, SignInRequired
from orchestrator.console.security import (
    CSRF_EXEMPT,
    GUEST_OK,
    cookie,
    expired_cookie,
    session_cookie_name,
    signin_cookie_name,
    tokens_match,
)
from orchestrator.console.sessions import ConsoleSession, SessionStore, new_csrf_token
from orchestrator.console.settings import Settings

NOTICES = {
    NOTICE_ENDED: "Your session has ended: sign in again.",
    "signed-out": "You are signed out.",
}
Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this console only (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    # Browsers drop tabs and newlines from URLs: "/\t/evil.example" would become "//evil…".
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return "/"
    return target


def _page_context(settings: Settings, **values: str) -> dict[str, Any]:
    """What ``sign_in.html`` shows: the forms this deployment offers, notices, where next."""
    return {
        "csrf": "",
        "next": "/",
        "notice": "",
        "error": "",
        "continue_to": "",
        "sso": settings.oidc.enabled,
        "credentials": settings.oidc.credential_sign_in,
        **values,
    }


def sign_in_page(
    settings: Settings, *, next_path: str, notice: str = "", error: str = "", status: int = 200
) -> Template:
    """The sign-in page: single sign-on and/or the credential form, with a notice or error."""
    token = new_csrf_token()
    response = Template(
        template_name="sign_in.html",
        status_code=status,
        context=_page_context(settings, csrf=token, next=next_path, notice=notice, error=error),
    )
    name = signin_cookie_name(settings.secure_cookies)
    response.cookies.append(cookie(name, token, secure=settings.secure_cookies, max_age=900))
    return response


@get("/sign-in", sync_to_thread=False)
def sign_in_form(request: Request[Any, Any, Any], notice: str = "", next: str = "/") -> Template:
    """The sign-in form."""
    return sign_in_page(
        request.app.state.settings, next_path=safe_next(next), notice=NOTICES.get(notice, "")
    )


@post("/sign-in", opt={CSRF_EXEMPT: True}, status_code=303)
async def sign_in(request: Request[Any, Any, Any], data: Form) -> Response[Any]:
    """Exchange a client id and secret for a token, kept in a new session."""
    settings: Settings = request.app.state.settings
    next_path = safe_next(data.get("next"))
    if not settings.oidc.credential_sign_in:
        return sign_in_page(
            settings, next_path=next_path, error="Sign in with single sign-on.", status=403
        )
    expected = request.cookies.get(signin_cookie_name(settings.secure_cookies), "")
    if not tokens_match(expected, data.get("csrf")):
        return sign_in_page(
            settings, next_path=next_path, error="The form expired: try again.", status=403
        )
    client_id, secret = data.get("client_id", "").strip(), data.get("client_secret", "").strip()
    if not client_id or not secret:
        return sign_in_page(
            settings, next_path=next_path, error="Enter a client id and secret.", status=400
        )
    backend: Backend = request.app.state.backend
    try:
        grant = await backend.client_credentials(client_id, secret)
        session = await open_session(backend, grant.access_token)
    except ApiProblem as problem:
        status = 401 if problem.status in (400, 401) else problem.status
        message = "Unknown client id or wrong secret." if status == 401 else problem.detail
        return sign_in_page(settings, next_path=next_path, error=message, status=status)
    except SignInRequired:
        return sign_in_page(
            settings, next_path=next_path, error="This operator may not sign in.", status=401
        )
    return await start_session(request, session, next_path)


async def open_session(backend: Backend, token: str) -> ConsoleSession:
    """A session for an operator token: whose it is, its role's rights, when it ends."""
    me = await backend.control(token, "GET", "/tokens/self")
    return ConsoleSession(
        token=token,
        token_expires_at=int(me["expires_at"]),
        csrf=new_csrf_token(),
        subject=me["subject"],
        role=me["role"],
        organization_id=me["organization_id"],
        workspace_id=me["workspace_id"],
        permissions=list(me["permissions"]),
    )


async def start_session(
    request: Request[Any, Any, Any],
    session: ConsoleSession,
    next_path: str,
    *,
    via_page: bool = False,
) -> Response[Any]:
    """Store the session and hand the browser its cookie (and nothing else).

    ``via_page``: answer with a page that moves on by itself rather than a redirect. After
    a navigation another site started (an identity provider sending the browser back), the
    browser withholds ``SameSite=Strict`` cookies from every redirect that follows; a
    navigation this page starts is the console's own, and carries the new cookie.
    """
    settings: Settings = request.app.state.settings
    store: SessionStore = request.app.state.sessions
    session_id = await store.create(session)
    secure = settings.secure_cookies
    target = next_path if next_path != "/" else f"/w/{session.workspace_id}/overview"
    response: Response[Any] = Redirect(target, status_code=303)
    if via_page:
        context = _page_context(settings, continue_to=target, notice="Signed in: one moment…")
        response = Template(template_name="sign_in.html", context=context)
    response.cookies.append(cookie(session_cookie_name(secure), session_id, secure=secure))
    response.cookies.append(expired_cookie(signin_cookie_name(secure), secure=secure))
    return response


@post("/sign-out", status_code=303, opt={GUEST_OK: True})
async def sign_out(console: Console) -> Response[Any]:
    """End the session and revoke the token it held (a guest leaves its channel)."""
    await console.store.destroy(console.session_id)
    await end_tokens(console.backend, console.session, "signed out of the console")
    secure = console.settings.secure_cookies
    target = "/guest?notice=left" if console.session.guest else "/sign-in?notice=signed-out"
    response = Redirect(target, status_code=303)
    response.cookies.append(expired_cookie(session_cookie_name(secure), secure=secure))
    return response


async def end_tokens(backend: Backend, session: ConsoleSession, reason: str) -> None:
    """Stop the session's running impersonation, then revoke its own token; a token that
    already expired or was revoked needs nothing more. A guest's token cannot revoke
    itself: it expires within ``ORCH_CHANNEL_GUEST_TOKEN_TTL_S``, unused."""
    if session.token_expires_at <= time.time() or session.guest is not None:
        return
    running = session.impersonating()
    try:
        if running is not None:
            stop = f"/impersonation/{quote(running.jti, safe='')}/stop"
            with contextlib.suppress(ApiProblem):  # 404: it ended already
                await backend.control(session.token, "POST", stop, params={"reason": reason})
        await backend.control(session.token, "DELETE", "/tokens/self", params={"reason": reason})
    except SignInRequired:
        return


@get("/session")
async def session_check(console: Console) -> dict[str, Any]:
    """Whether the session still holds: asks the control-api about its token (a revoked
    token or a disabled operator ends it here, and the page goes to the sign-in form)."""
    me = await console.control("GET", "/tokens/self")
    return {"subject": me["subject"], "expires_at": console.session.expires_at}
