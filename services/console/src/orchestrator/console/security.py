"""The browser-facing rules: the session cookie, CSRF on every mutation, and headers that
keep pages inert (a strict Content-Security-Policy: no inline script, nothing off-site)."""

from __future__ import annotations

import hmac
from typing import Any

from litestar import Request, Response
from litestar.datastructures import Cookie

from orchestrator.console.errors import BadForm

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_EXEMPT = "csrf_exempt"
"""A route's ``opt`` key: it checks a token of its own (sign-in, before any session)."""
GUEST_OK = "guest_ok"
"""A route's ``opt`` key: a guest's session may use it (the channel panel's routes, the
guest page); every other route refuses a guest (ADR 0108)."""

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def session_cookie_name(secure: bool) -> str:
    """``__Host-`` binds the cookie to this origin, but browsers take it only over HTTPS."""
    return "__Host-orch_console" if secure else "orch_console"


def signin_cookie_name(secure: bool) -> str:
    """The cookie of the sign-in form's own CSRF token (double submit, before a session)."""
    return "__Host-orch_console_signin" if secure else "orch_console_signin"


def guest_cookie_name(secure: bool) -> str:
    """The cookie of the guest page's own CSRF token (double submit, before a session)."""
    return "__Host-orch_console_guest" if secure else "orch_console_guest"


def cookie(name: str, value: str, *, secure: bool, max_age: int | None = None) -> Cookie:
    """A cookie no script can read, sent only by this site's own requests."""
    return Cookie(
        key=name,
        value=value,
        path="/",
        httponly=True,
        samesite="strict",
        secure=secure,
        max_age=max_age,
    )


def expired_cookie(name: str, *, secure: bool) -> Cookie:
    """Tells the browser to forget a cookie."""
    return cookie(name, "", secure=secure, max_age=0)


def tokens_match(expected: str, given: str | None) -> bool:
    """Constant-time comparison of a CSRF token."""
    return bool(expected) and given is not None and hmac.compare_digest(expected, given)


async def submitted_csrf(request: Request[Any, Any, Any]) -> str | None:
    """The CSRF token a mutation carries: the header (scripts) or the form field."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


def require_csrf(expected: str, given: str | None) -> None:
    """Refuse a mutation whose CSRF token is missing or wrong (403)."""
    if not tokens_match(expected, given):
        raise BadForm("The form is stale or did not come from the console: reload and retry.", 403)


def harden(response: Response[Any]) -> Response[Any]:
    """Every answer: the strict headers; pages and data are never cached."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault("Cache-Control", "no-store")
    return response
