"""An audit record's public id, which is also the cursor of the records older than it.

A record's position is its ``(created_at, id)``; ``id`` is a table-wide identity that
counts every tenant's audit records, so the text form never shows it (as for event ids,
ADR 0059): the pair (microseconds since the epoch, id) sealed under keys derived from
the KEK for this purpose alone. A text sealed under the previous KEK still opens during
a KEK rotation; after it, such a cursor is a 400 and the client reads from the top.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from orchestrator.core.crypto.sealed import PairSealer
from orchestrator.core.errors import BadRequest

if TYPE_CHECKING:
    from orchestrator.core.settings import CryptoSettings

_INFO = b"orchestrator audit id v1"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MAX_BIGINT = 2**63 - 1


@dataclass(frozen=True, slots=True)
class AuditPosition:
    """Where a record sits in the newest-first audit list."""

    created_at: dt.datetime
    id: int


class AuditIds:
    """Seals record positions into public ids and opens them back."""

    def __init__(self, settings: CryptoSettings) -> None:
        previous = settings.previous_kek_bytes()
        self._sealer = PairSealer([settings.kek_bytes(), *([previous] if previous else [])], _INFO)

    def encode(self, position: AuditPosition) -> str:
        """The record's opaque public id."""
        micros = (position.created_at - _EPOCH) // dt.timedelta(microseconds=1)
        return self._sealer.seal(micros, position.id)

    def decode(self, text: str) -> AuditPosition | None:
        """The position ``text`` stands for, or None if this deployment did not make it."""
        pair = self._sealer.open(text)
        if pair is None or pair[0] > _MAX_BIGINT or pair[1] > _MAX_BIGINT:
            return None
        try:
            created_at = _EPOCH + dt.timedelta(microseconds=pair[0])
        except OverflowError:
            return None
        return AuditPosition(created_at, pair[1])

    def cursor_param(self, text: str | None) -> AuditPosition | None:
        """A ``cursor`` query parameter: None for the first page, 400 for text this API
        did not return."""
        if text is None:
            return None
        position = self.decode(text)
        if position is None:
            raise BadRequest("`cursor` is not a cursor this API returned.")
        return position
