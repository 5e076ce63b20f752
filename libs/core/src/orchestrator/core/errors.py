"""The RFC 9457 problem+json error hierarchy.

Expected failures raise a ``Problem`` subclass; it carries the HTTP status
and a stable problem ``type``. Anything else reaching the handler is a bug
and becomes a generic 500 with no detail.
"""

from __future__ import annotations

from collections.abc import Sequence
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


class BodyNotUtf8(Problem):
    """A JSON body that is not UTF-8 (RFC 8259 §8.1); refused before it is parsed."""

    status, code, title = 400, "invalid-request", "The request could not be parsed"


class JsonTooDeep(Problem):
    """The JSON body nests deeper than ``ORCH_MAX_JSON_DEPTH``; refused before it is parsed."""

    status, code, title = 400, "json-too-deep", "The JSON body nests too deeply"


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


class InvalidGrant(Problem):
    """RFC 6749 ``invalid_grant`` (400, §5.2): a token exchange whose subject token does not
    verify or gives no operator here; the detail says which, for the person signing in."""

    status, code, title = 400, "invalid-grant", "The grant is not valid"


class Forbidden(Problem):
    status, code, title = 403, "forbidden", "Forbidden"


class NotFound(Problem):
    status, code, title = 404, "not-found", "Not found"


class Conflict(Problem):
    status, code, title = 409, "conflict", "Conflict"


def refuse_if_used(users: Sequence[str], reason: str, *, member: str = "used_by") -> None:
    """409 while anything still needs an item: ``"<reason>: <users>."``, the names of the
    ``users`` also in the problem's ``member``."""
    if users:
        named: dict[str, Any] = {member: users}
        raise Conflict(f"{reason}: {', '.join(users)}.", **named)


class UnsupportedMediaType(Problem):
    status, code, title = 415, "unsupported-media-type", "Unsupported media type"


class ServiceUnavailable(Problem):
    status, code, title = 503, "unavailable", "Service unavailable"


class DependencyUnavailable(Problem):
    """PostgreSQL or Redis did not answer in time; ``Retry-After`` says when to try again.

    Nothing of the request was committed, or all of it was (a commit whose answer was
    lost): repeating it with the same ``Idempotency-Key`` is safe.
    """

    status, code, title = 503, "dependency-unavailable", "A dependency did not answer in time"


class WorkspaceCreationFailed(Problem):
    status, code, title = 409, "workspace-creation-failed", "Workspace creation failed"


class SecretUnresolved(Problem):
    """A connector's secret cannot be read: no such ref, no value, unset variable, vault."""

    status, code, title = 409, "secret-unresolved", "A secret could not be resolved"


class IdempotencyKeyRequired(Problem):
    status, code, title = 400, "idempotency-key-required", "An Idempotency-Key header is required"


class IdempotencyKeyInvalid(Problem):
    status, code, title = 400, "idempotency-key-invalid", "The Idempotency-Key header is not valid"


class IdempotencyKeyInFlight(Problem):
    """The first request with this key is still running; nothing was stored for this one."""

    status, code, title = 409, "idempotency-key-in-flight", "A request with this key is running"


class IdempotencyKeyReused(Problem):
    """The key was first used with another method, path or body."""

    status, code, title = 422, "idempotency-key-reused", "The key belongs to another request"


class JobNotCancellable(Problem):
    status, code, title = 409, "job-not-cancellable", "Only a queued job can be cancelled"


class JobNotRetryable(Problem):
    status, code, title = 409, "job-not-retryable", "Only a dead job can be retried"


class QueueFull(Problem):
    """The tenant's queued and running jobs reached its queue-depth quota."""

    status, code, title = 429, "queue-full", "The job queue of this workspace is full"


class AuthenticationThrottled(Problem):
    """Too many failed client authentications for this client id or address; ``Retry-After``."""

    status, code, title = 429, "authentication-throttled", "Too many failed authentications"


class TooManyStreams(Problem):
    """The token already holds as many event streams as it may; ``Retry-After``."""

    status, code, title = 429, "too-many-streams", "Too many concurrent event streams"


class ConnectorNotFound(Problem):
    status, code, title = 404, "connector-not-found", "No such connector or operation"


class UpstreamAddressRefused(Problem):
    """The connector's host resolves to an address this deployment does not call."""

    status, code, title = 422, "upstream-address-refused", "The upstream address is refused"


class UpstreamRequestUnsendable(Problem):
    """The rendered request cannot be written: a header or the URL holds what HTTP cannot
    carry. Nothing was sent; the same request would fail the same way again."""

    status, code, title = 422, "upstream-request-unsendable", "The request cannot be sent upstream"


class RateLimited(Problem):
    """A rate limit or tenant quota refused the call; ``Retry-After`` says when to return."""

    status, code, title = 429, "rate-limited", "Too many requests"


class BudgetSpent(Problem):
    """The workspace's monthly call budget is spent; ``Retry-After`` runs to the month's end."""

    status, code, title = 429, "budget-spent", "The monthly call budget is spent"


class UpstreamFailed(Problem):
    """The upstream kept failing until the retry policy gave up."""

    status, code, title = 502, "upstream-failed", "The upstream call failed"


class CircuitOpen(Problem):
    """The connector operation's breaker is open: the call was refused without trying."""

    status, code, title = 503, "circuit-open", "The upstream is failing; calls are paused"


class PolicyStateUnavailable(Problem):
    """Redis, which holds the shared rate limits and breakers, did not answer."""

    status, code, title = 503, "policy-state-unavailable", "Policy state is unavailable"


class DeadlineExceeded(Problem):
    """The policy's total deadline passed before the upstream answered."""

    status, code, title = 504, "deadline-exceeded", "The upstream did not answer in time"


class CursorExpired(Problem):
    """The event cursor points into the part of the log that retention has deleted."""

    status, code, title = 410, "cursor-expired", "The events after this cursor were purged"
