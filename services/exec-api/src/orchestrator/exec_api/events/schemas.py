"""Response shapes of the events area."""

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


class EventPageOut(msgspec.Struct, frozen=True, kw_only=True):
    """Events after a cursor, oldest first; poll again with ``after=next_cursor``."""

    items: list[EventOut]
    next_cursor: str


def to_out(event: StoredEvent) -> EventOut:
    """The API view of an event."""
    return EventOut(
        id=event.cursor.encode(),
        type=event.type,
        job_id=event.job_id,
        data=event.data,
        created_at=event.created_at,
    )
