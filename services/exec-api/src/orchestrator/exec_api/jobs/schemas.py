"""Request and response shapes of the jobs area."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

import msgspec

from orchestrator.core.http.fields import NO_NUL
from orchestrator.core.jobs.service import MAX_DELAY_MS, MAX_REPLAY_BATCH

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=NO_NUL)]
CallbackUrl = Annotated[str, msgspec.Meta(min_length=1, max_length=2048, pattern=NO_NUL)]
Status = Literal["queued", "running", "succeeded", "failed", "dead", "cancelled"]
InstantText = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=64,
        description="An RFC 3339 date-time with its offset (`2026-11-25T10:00:00Z`).",
        # Litestar adds ``extra`` to the OpenAPI schema of the member.
        extra_json_schema={"extra": {"format": "date-time"}},
    ),
]
"""A date-time taken as text and parsed by the handler: a decoder that is lenient with
request bodies would read a bare number as a Unix time."""


class JobCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Run ``operation`` of ``connector`` with ``payload`` later; optionally call back."""

    connector: Name
    operation: Name
    payload: dict[str, Any] = msgspec.field(default_factory=dict)
    callback_url: CallbackUrl | None = None
    """Receives a signed (Standard Webhooks) POST when the job finishes."""
    delay_ms: Annotated[int, msgspec.Meta(ge=0, le=MAX_DELAY_MS)] = 0


MAX_BATCH = 500
"""The most jobs one ``POST /api/v1/jobs/batch`` queues."""


class JobBatchCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Jobs to queue together: all of them, or (any one refused) none."""

    jobs: Annotated[list[JobCreate], msgspec.Meta(min_length=1, max_length=MAX_BATCH)]


class JobAccepted(msgspec.Struct, frozen=True, kw_only=True):
    """The queued job; follow it at ``GET /api/v1/jobs/{id}`` or on the event stream."""

    id: uuid.UUID
    status: Status


class JobBatchAccepted(msgspec.Struct, frozen=True, kw_only=True):
    """The queued jobs, in the order they were given."""

    jobs: list[JobAccepted]


class JobOut(msgspec.Struct, frozen=True, kw_only=True):
    """A job and what its attempts produced so far."""

    id: uuid.UUID
    status: Status
    connector: str
    operation: str
    payload: Any
    attempts: int
    max_attempts: int
    available_at: dt.datetime
    """When the next attempt may start (for a queued job)."""
    created_at: dt.datetime
    updated_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    upstream_status: int | None
    output: Any
    error: str | None
    callback_url: str | None
    callback_state: Literal["pending", "delivered", "failed"] | None


class JobList(msgspec.Struct, frozen=True, kw_only=True):
    """A page of jobs, newest first; pass ``next_cursor`` as ``cursor`` for the next."""

    items: list[JobOut]
    next_cursor: str | None


class JobRetryIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Which dead jobs to queue again; every member narrows the set."""

    connector: Name | None = None
    operation: Name | None = None
    dead_since: InstantText | None = None
    """Only jobs that went dead at or after this instant."""
    limit: Annotated[int, msgspec.Meta(ge=1, le=MAX_REPLAY_BATCH)] = 100
    """The most jobs retried by this call, the oldest dead first; call again while
    ``retried`` equals it."""


class JobsRetried(msgspec.Struct, frozen=True, kw_only=True):
    """The dead jobs queued again, the oldest dead first."""

    retried: int
    ids: list[uuid.UUID]
