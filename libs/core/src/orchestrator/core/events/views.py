"""The API view of an event, shared by the APIs that show events (msgspec, no HTTP)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec

from orchestrator.core.events.log import StoredEvent


class EventOut(msgspec.Struct, frozen=True, kw_only=True):
    """One state change; ``id`` is its cursor (the SSE ``id:``)."""

    id: str
    type: str
    job_id: uuid.UUID | None
    data: dict[str, Any]
    created_at: dt.datetime


def to_out(event: StoredEvent) -> EventOut:
    """The API view of an event (its cursor sealed: ``configure_cursors`` must have run)."""
    return EventOut(
        id=event.cursor.encode(),
        type=event.type,
        job_id=event.job_id,
        data=event.data,
        created_at=event.created_at,
    )
