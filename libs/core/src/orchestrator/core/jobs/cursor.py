"""The opaque cursor of ``GET /api/v1/jobs``: the (created_at, id) of the last job listed."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from dataclasses import dataclass

from orchestrator.core.errors import BadRequest


class InvalidJobCursor(ValueError):
    """The text is not a job-list cursor."""


@dataclass(frozen=True, slots=True)
class JobCursor:
    """A position in the newest-first job list."""

    created_at: dt.datetime
    id: uuid.UUID

    def encode(self) -> str:
        """URL-safe opaque text."""
        raw = f"{self.created_at.isoformat()}|{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> JobCursor:
        """Parse ``encode``'s output; ``InvalidJobCursor`` otherwise."""
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            stamp, _, ident = raw.partition("|")
            created_at = dt.datetime.fromisoformat(stamp)
            if created_at.tzinfo is None:
                raise ValueError("naive timestamp")
            return cls(created_at, uuid.UUID(ident))
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidJobCursor("not a job cursor") from exc


def cursor_param(text: str | None) -> JobCursor | None:
    """A ``cursor`` query parameter: ``None`` for the first page, 400 for text this API
    did not return."""
    if text is None:
        return None
    try:
        return JobCursor.decode(text)
    except InvalidJobCursor:
        raise BadRequest("`cursor` is not a cursor this API returned.") from None
