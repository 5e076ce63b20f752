"""Response shapes of the events area (an event's own view is core's, shared with the
control-api's workspace overview)."""

from __future__ import annotations

import msgspec

from orchestrator.core.events.views import EventOut


class EventPageOut(msgspec.Struct, frozen=True, kw_only=True):
    """Events after a cursor, oldest first; poll again with ``after=next_cursor``."""

    items: list[EventOut]
    next_cursor: str
