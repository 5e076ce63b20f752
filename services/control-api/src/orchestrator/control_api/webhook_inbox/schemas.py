"""Request and response shapes of the webhook inbox area."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

import msgspec

from orchestrator.control_api.views import page_schema
from orchestrator.core.http.fields import NO_NUL, InstantText
from orchestrator.core.webhooks.inbox_service import MAX_RETRY_BATCH

Status = Literal["received", "routed", "unrouted", "ignored", "failed"]
"""``received``: waiting for the worker; ``routed``: its bindings were started;
``unrouted``: no source of the organization claims its routing values; ``ignored``:
routed, but no enabled binding takes its type; ``failed``: starting them was refused."""
Retryable = Literal["unrouted", "ignored", "failed"]
EventType = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=NO_NUL)]
"""An RFC 3339 date-time with its offset."""


class InboxEntryOut(msgspec.Struct, frozen=True, kw_only=True):
    """One stored delivery of a webhook source of the workspace and what routing made of it.

    ``routed_workspace_id``/``routed_source_id`` name where it was routed: the source
    of the workspace (this one or another of the organization) claiming its routing values.
    """

    id: uuid.UUID
    source_id: uuid.UUID
    provider: str
    dedupe_id: str
    event_type: str | None
    routing: dict[str, str]
    headers: dict[str, str]
    body_bytes: int
    status: Status
    routed_workspace_id: uuid.UUID | None
    routed_source_id: uuid.UUID | None
    actions: int
    """Jobs and forwards the event started."""
    attempts: int
    """Times the worker routed it (a retry routes it again)."""
    last_error: str | None
    received_at: dt.datetime
    processed_at: dt.datetime | None


class InboxEntryDetail(InboxEntryOut, frozen=True, kw_only=True):
    """One stored delivery with its raw body, base64-encoded (the bytes the provider
    signed, which need not be text)."""

    body_base64: str


InboxList = page_schema(InboxEntryOut, "A page of the inbox, newest first", name="InboxList")


class InboxRetryIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Which events to send back to the worker; every member narrows the set."""

    status: Annotated[list[Retryable], msgspec.Meta(min_length=1, max_length=3)] | None = None
    """Default: all three retryable statuses."""
    source_id: uuid.UUID | None = None
    event_type: EventType | None = None
    received_after: InstantText | None = None
    received_before: InstantText | None = None
    limit: Annotated[int, msgspec.Meta(ge=1, le=MAX_RETRY_BATCH)] = MAX_RETRY_BATCH
    """The most events retried by this call, oldest first; call again while ``retried``
    equals it."""


class InboxRetried(msgspec.Struct, frozen=True, kw_only=True):
    """The events sent back to the worker."""

    retried: int
    ids: list[uuid.UUID]
