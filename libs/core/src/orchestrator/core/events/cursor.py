"""The event cursor: ``(xid, id)`` of the last event seen, as an opaque string.

Events are read in ``(xid, id)`` order and only below the oldest running
transaction's id (see ``events/log.py``), so a cursor never passes over an
event that commits later. The text form ``"<xid>-<id>"`` is what SSE sends as
``id:`` and what ``Last-Event-ID`` and ``?after=`` take back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FORM = re.compile(r"^(\d{1,19})-(\d{1,19})$")
MAX_BIGINT = 2**63 - 1


class InvalidCursor(ValueError):
    """The text is not an event cursor."""


@dataclass(frozen=True, order=True, slots=True)
class EventCursor:
    """A position in one tenant's event log: after every event at or before it."""

    xid: int
    id: int

    def encode(self) -> str:
        """The opaque text form."""
        return f"{self.xid}-{self.id}"

    @classmethod
    def decode(cls, text: str) -> EventCursor:
        """Parse the text form; ``InvalidCursor`` if it is not one."""
        match = _FORM.match(text.strip())
        if match is None:
            raise InvalidCursor(f"not an event cursor: {text[:40]!r}")
        xid, id_ = int(match[1]), int(match[2])
        if xid > MAX_BIGINT or id_ > MAX_BIGINT:
            raise InvalidCursor("cursor out of range")
        return cls(xid, id_)

    @classmethod
    def tail(cls, horizon: int) -> EventCursor:
        """After every event that is final at ``horizon`` (the snapshot's xmin)."""
        return cls(max(horizon - 1, 0), MAX_BIGINT)


START = EventCursor(0, 0)
"""Before the first event."""
