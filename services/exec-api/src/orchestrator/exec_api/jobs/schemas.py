"""Request and response shapes of the jobs area."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec

from orchestrator.core.http.fields import NO_NUL
from orchestrator.core.jobs.submission import MAX_DELAY_MS
from orchestrator.core.jobs.views import JobOut, Status

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=NO_NUL)]
CallbackUrl = Annotated[str, msgspec.Meta(min_length=1, max_length=2048, pattern=NO_NUL)]


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


class JobList(msgspec.Struct, frozen=True, kw_only=True):
    """A page of jobs, newest first; pass ``next_cursor`` as ``cursor`` for the next."""

    items: list[JobOut]
    next_cursor: str | None


class JobsRetried(msgspec.Struct, frozen=True, kw_only=True):
    """The dead jobs queued again, the oldest dead first."""

    retried: int
    ids: list[uuid.UUID]
