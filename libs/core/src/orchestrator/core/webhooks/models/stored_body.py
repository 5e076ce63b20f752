"""The columns of a webhook body kept inline or in the payload store (ADR 0089): a
delivery's in the inbox, a forward's in its queue."""

from __future__ import annotations

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column


class StoredBody:
    """A table's body columns (its ``stored_payload("body_ref", ...)`` checks hold them
    together)."""

    body: Mapped[bytes] = mapped_column(LargeBinary)
    """The body inline; empty when ``body_ref`` names its object in the payload store."""
    body_ref: Mapped[str | None] = mapped_column(String(1024))
    """The payload store's key of a body past ``ORCH_PAYLOAD_THRESHOLD_BYTES`` (ADR 0089)."""
    body_ref_sha256: Mapped[str | None] = mapped_column(String(64))
    """The SHA-256 (hex) of the stored body's plaintext, checked on every read."""
    body_ref_size: Mapped[int | None]
    """The stored body's size in bytes."""
