"""What a failed request answers: a page for a browser, RFC 9457 problem+json for a script,
the API's own ``detail`` shown as it came; never a stack trace."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.response import Redirect, Template
from litestar.types import ExceptionHandlersMap
from loguru import logger

from orchestrator.console.errors import (
    ApiProblem,
    ApiUnavailable,
    BadForm,
    GuestRefused,
    SignInRequired,
)
from orchestrator.console.security import expired_cookie, session_cookie_name
from orchestrator.core.http.problems import PROBLEM_MEDIA_TYPE, request_problem


def wants_html(request: Request[Any, Any, Any]) -> bool:
    """A browser navigating (HTML first in ``Accept``), not a script asking for data."""
    accept = request.headers.get("accept", "")
    return "text/html" in accept and request.url.path != "/session"


def answer(
    request: Request[Any, Any, Any],
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    **more: Any,
) -> Response[Any]:
    """The failure as a page or as a problem document (``more``: its extension members)."""
    extensions: dict[str, Any] = {"errors": errors} if errors else {}
    extensions |= more
    body = request_problem(request, status, code, title, detail, **extensions)
    if wants_html(request):
        return Template(
            template_name="error.html",
            status_code=status,
            context={"problem": body},
            headers=headers,
        )
    return Response(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def on_sign_in_required(request: Request[Any, Any, Any], exc: SignInRequired) -> Response[Any]:
    """To the sign-in form (a script gets a 401), the dead cookie forgotten."""
    secure = request.app.state.settings.secure_cookies
    forget = expired_cookie(session_cookie_name(secure), secure=secure)
    if not wants_html(request):
        response = answer(
            request,
            status=401,
            code="unauthorized",
            title="Sign in",
            detail=exc.notice or "Sign in to the console.",
        )
    elif request.url.path.startswith("/guest"):
        # A guest's session ended (revoked, or past its cap): the guest page says so.
        response = Redirect("/guest?notice=ended", status_code=303)
    else:
        notice = "&notice=ended" if exc.notice else ""
        response = Redirect(f"/sign-in?next={quote(request.url.path)}{notice}", status_code=303)
    response.cookies.append(forget)
    return response


GUEST_PAGE = "/guest/channel"
"""Where a guest's session lives: its workspace's channel panel."""


def on_guest_refused(request: Request[Any, Any, Any], _: GuestRefused) -> Response[Any]:
    """A guest asked for an operator's page: refused, with the way back to its channel."""
    return answer(
        request,
        status=403,
        code="guest-refused",
        title="Not for guests",
        detail="A guest sees only the status channel it was invited to.",
        channel=GUEST_PAGE,
    )


def on_api_problem(request: Request[Any, Any, Any], exc: ApiProblem) -> Response[Any]:
    """The API refused: its status and ``detail`` (a 5xx of the API is a 502 here)."""
    status = exc.status if exc.status < 500 else 502
    return answer(
        request,
        status=status,
        code="api-refused" if status < 500 else "api-failed",
        title=exc.title,
        detail=exc.detail or exc.title,
        errors=exc.errors,
    )


def on_api_unavailable(request: Request[Any, Any, Any], exc: ApiUnavailable) -> Response[Any]:
    """A frozen or stopped API: a fast 503, retry soon."""
    return answer(
        request,
        status=503,
        code="dependency-unavailable",
        title="The control plane is unavailable",
        detail=str(exc),
        headers={"Retry-After": "1"},
    )


def on_bad_form(request: Request[Any, Any, Any], exc: BadForm) -> Response[Any]:
    """A request the console itself refuses."""
    return answer(
        request, status=exc.status, code="bad-request", title="Refused", detail=exc.detail
    )


def on_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """Routing and parsing failures of the framework."""
    status = exc.status_code if 400 <= exc.status_code < 500 else 500
    if isinstance(exc, NotFoundException):
        detail = "No such page."
    elif isinstance(exc, ValidationException):
        detail = "A parameter of this page is not valid: " + str(exc.detail)
    else:
        detail = str(exc.detail) if status < 500 else "An unexpected error occurred."
    return answer(request, status=status, code="http-error", title="Error", detail=detail)


def on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A bug: logged with its traceback, answered without one."""
    logger.opt(exception=exc).error("unhandled error on {}", request.url.path)
    return answer(
        request,
        status=500,
        code="internal",
        title="Something went wrong",
        detail="An unexpected error occurred; quote the request id when reporting it.",
    )


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    SignInRequired: on_sign_in_required,
    GuestRefused: on_guest_refused,
    ApiProblem: on_api_problem,
    ApiUnavailable: on_api_unavailable,
    BadForm: on_bad_form,
    HTTPException: on_http_exception,
    Exception: on_unexpected,
}
