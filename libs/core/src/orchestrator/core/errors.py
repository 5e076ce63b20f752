"""The RFC 9457 problem+json error hierarchy.

Expected failures raise a ``Problem`` subclass; it carries the HTTP status
and a stable problem ``type``. Anything else reaching the handler is a bug
and becomes a generic 500 with no detail.
"""

from __future__ import annotations

from typing import Any, ClassVar

PROBLEM_TYPE_BASE = "urn:orchestrator:problem:"


def problem_type(code: str) -> str:
    """The stable ``type`` URI of a problem code."""
    return f"{PROBLEM_TYPE_BASE}{code}"


class ConfigurationError(RuntimeError):
    """The deployment is misconfigured; raised at start-up, never to a client."""


class Problem(Exception):
    """An expected failure that maps to a problem+json response."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.headers = headers or {}
        self.extensions = extensions


class BadRequest(Problem):
    status, code, title = 400, "bad-request", "Bad request"


class ValidationFailed(Problem):
    status, code, title = 422, "validation-failed", "The request is not valid"


class Unauthorized(Problem):
    """Authentication failed; the detail never says why, so attackers learn nothing."""

    status, code, title = 401, "unauthorized", "Unauthorized"

    def __init__(self) -> None:
        super().__init__(
            "A valid bearer token is required.",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )


class InvalidClient(Problem):
    status, code, title = 401, "invalid-client", "Client authentication failed"


class Forbidden(Problem):
    status, code, title = 403, "forbidden", "Forbidden"


class NotFound(Problem):
    status, code, title = 404, "not-found", "Not found"


class Conflict(Problem):
    status, code, title = 409, "conflict", "Conflict"


class UnsupportedMediaType(Problem):
    status, code, title = 415, "unsupported-media-type", "Unsupported media type"


class ServiceUnavailable(Problem):
    status, code, title = 503, "unavailable", "Service unavailable"


class WorkspaceCreationFailed(Problem):
    status, code, title = 409, "workspace-creation-failed", "Workspace creation failed"
