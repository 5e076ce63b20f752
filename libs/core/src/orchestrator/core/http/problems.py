"""Turn every exception into an RFC 9457 problem+json response."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.types import ExceptionHandlersMap
from loguru import logger

from orchestrator.core.errors import Problem, problem_type
from orchestrator.core.observability.context import request_id_var

PROBLEM_MEDIA_TYPE = "application/problem+json"

# Litestar raises its own exceptions for routing and parsing failures; give
# each a stable code instead of leaking the framework's wording as a type.
_HTTP_CODES = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Unauthorized"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    409: ("conflict", "Conflict"),
    410: ("gone", "Gone"),
    413: ("payload-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("validation-failed", "The request is not valid"),
    429: ("rate-limited", "Too many requests"),
    500: ("internal", "Internal server error"),
    502: ("upstream-failed", "The upstream call failed"),
    503: ("unavailable", "Service unavailable"),
    504: ("deadline-exceeded", "The upstream did not answer in time"),
}


class FieldError(msgspec.Struct, frozen=True, kw_only=True):
    """Which part of the request was wrong, and how."""

    message: str
    key: str | msgspec.UnsetType = msgspec.UNSET
    source: str | msgspec.UnsetType = msgspec.UNSET


class ProblemDetails(msgspec.Struct, frozen=True, kw_only=True):
    """An RFC 9457 problem document; further extension members may appear.

    Only documents the shape for OpenAPI: handlers build the body with ``problem_body``.
    """

    type: str
    title: str
    status: Annotated[int, msgspec.Meta(ge=400, le=599)]
    detail: str
    instance: str
    code: str
    request_id: str | msgspec.UnsetType = msgspec.UNSET
    errors: list[FieldError] | msgspec.UnsetType = msgspec.UNSET


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI ``responses`` of a route: each of ``statuses`` answers a problem document."""
    return {
        status: ResponseSpec(
            data_container=ProblemDetails,
            media_type=PROBLEM_MEDIA_TYPE,
            description=_HTTP_CODES[status][1],
            generate_examples=False,
        )
        for status in statuses
    }


def problem_body(
    *, status: int, code: str, title: str, detail: str, instance: str, **extensions: Any
) -> dict[str, Any]:
    """The problem document; ``status`` always equals the HTTP status."""
    body: dict[str, Any] = {
        "type": problem_type(code),
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        "code": code,
    }
    if (request_id := request_id_var.get()) is not None:
        body["request_id"] = request_id
    body.update(extensions)
    return body


def request_problem(
    request: Request[Any, Any, Any],
    status: int,
    code: str,
    title: str,
    detail: str,
    **extensions: Any,
) -> dict[str, Any]:
    """The problem document of a failure of ``request`` (its path is the ``instance``)."""
    return problem_body(
        status=status,
        code=code,
        title=title,
        detail=detail,
        instance=request.url.path,
        **extensions,
    )


def _response(body: dict[str, Any], headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(
        body, status_code=body["status"], media_type=PROBLEM_MEDIA_TYPE, headers=headers
    )


def handle_problem(request: Request[Any, Any, Any], exc: Problem) -> Response[Any]:
    """An expected failure raised by our own code."""
    body = request_problem(request, exc.status, exc.code, exc.title, exc.detail, **exc.extensions)
    return _response(body, exc.headers)


def handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """A failure raised by the framework: routing, parsing, validation, body size."""
    status = exc.status_code if 400 <= exc.status_code < 600 else 500
    code, title = _HTTP_CODES.get(status, ("http-error", "HTTP error"))
    extensions: dict[str, Any] = {}
    detail = exc.detail or title
    if isinstance(exc, ValidationException):
        code, title = "invalid-request", "The request could not be parsed"
        if isinstance(exc.extra, list):
            extensions["errors"] = [_field_error(e) for e in exc.extra]
    if status >= 500:
        detail = title
    body = request_problem(request, status, code, title, detail, **extensions)
    return _response(body, dict(exc.headers or {}))


def handle_invalid_as_unprocessable(
    request: Request[Any, Any, Any], exc: ValidationException
) -> Response[Any]:
    """A body that does not fit its schema, answered ``422`` (a route's own handler, where
    anything but what the schema allows is refused as unprocessable, not as unparsable)."""
    extensions: dict[str, Any] = {}
    if isinstance(exc.extra, list):
        extensions["errors"] = [_field_error(e) for e in exc.extra]
    title = _HTTP_CODES[422][1]
    detail = exc.detail or title
    return _response(
        request_problem(request, 422, "validation-failed", title, detail, **extensions)
    )


def _field_error(error: Any) -> dict[str, Any]:
    if not isinstance(error, dict):
        return {"message": str(error)}
    field = {k: str(v) for k, v in error.items() if k in {"key", "message", "source"}}
    key = field.get("key")
    # Litestar words a missing value as the repr of its KeyError, e.g. "'data'" for no body.
    if field.get("message") in (None, repr(key)):
        field["message"] = "A body is required" if key == "data" else "Missing"
    return field


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A bug: log it with its traceback, answer a generic 500 with no detail."""
    logger.opt(exception=exc).error("unhandled error on {}", request.url.path)
    detail = "An unexpected error occurred; quote the request_id when reporting it."
    return _response(request_problem(request, 500, "internal", "Internal server error", detail))


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    Problem: handle_problem,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}
