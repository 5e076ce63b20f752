"""The event cursor: ``(xid, id)`` of the last event seen, as an opaque string.

Events are read in ``(xid, id)`` order and only below the oldest running
transaction's id (see ``events/log.py``), so a cursor never passes over an
event that commits later. The text form is what SSE sends as ``id:`` and what
``Last-Event-ID`` and ``?after=`` take back.

Both numbers count every write of the platform (a transaction id, a table-wide
identity), so the text form must not show them: it is the pair encrypted as one
AES block under a key derived from the KEK, with a short HMAC tag, in base64url
(32 characters). Decoding tries the current KEK's key first, then the previous
one during a KEK rotation; the plain ``"<xid>-<id>"`` form of earlier versions is
still taken back, so a client resuming across the upgrade has no gap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from orchestrator.core.crypto.sealed import PairSealer

if TYPE_CHECKING:
    from orchestrator.core.settings import CryptoSettings

_LEGACY = re.compile(r"^(\d{1,19})-(\d{1,19})$")
MAX_BIGINT = 2**63 - 1
_INFO = b"orchestrator event cursor v1"


class InvalidCursor(ValueError):
    """The text is not an event cursor."""


@dataclass(frozen=True, order=True, slots=True)
class EventCursor:
    """A position in one tenant's event log: after every event at or before it."""

    xid: int
    id: int

    def encode(self) -> str:
        """The opaque text form."""
        return _configured().encode(self)

    @classmethod
    def decode(cls, text: str) -> EventCursor:
        """Parse the text form; ``InvalidCursor`` if it is not one."""
        text = text.strip()
        match = _LEGACY.match(text)
        if match is None:
            return _configured().decode(text)
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


class CursorCodec:
    """Seals cursors under the first key and opens them under any."""

    def __init__(self, keks: Iterable[bytes]) -> None:
        self._sealer = PairSealer(keks, _INFO)

    def encode(self, cursor: EventCursor) -> str:
        """The opaque text of ``cursor``."""
        return self._sealer.seal(cursor.xid, cursor.id)

    def decode(self, text: str) -> EventCursor:
        """The cursor ``text`` stands for; ``InvalidCursor`` if no key made it."""
        pair = self._sealer.open(text)
        if pair is None or pair[0] > MAX_BIGINT or pair[1] > MAX_BIGINT:
            raise InvalidCursor("not an event cursor")
        return EventCursor(*pair)


_codec: CursorCodec | None = None


def configure_cursors(settings: CryptoSettings) -> None:
    """Set this process's cursor keys from the KEK (and the previous one, mid-rotation)."""
    global _codec
    previous = settings.previous_kek_bytes()
    _codec = CursorCodec([settings.kek_bytes(), *([previous] if previous else [])])


def _configured() -> CursorCodec:
    if _codec is None:
        raise RuntimeError("event cursors are not configured (configure_cursors)")
    return _codec
