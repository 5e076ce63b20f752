"""Subject-level revocation: every token of a subject issued before a moment is refused."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.core.db.base import Base, server_now


class RevokedSubject(Base):
    """One subject whose tokens issued up to ``revoked_before`` are refused.

    ``subject`` is a key from ``orchestrator.core.auth.subjects`` (``operator:<org>:<name>``
    or ``service:<workspace>:<name>``), never a bare ``sub``, which two organizations may
    share. The row is useless once ``expires_at`` passes (``revoked_before`` plus the
    longest token lifetime), when every token it could refuse has expired anyway.
    """

    __tablename__ = "revoked_subjects"

    subject: Mapped[str] = mapped_column(String(300), primary_key=True)
    revoked_before: Mapped[dt.datetime] = mapped_column()
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
    # Moved forward on every revocation of the subject, so a reconcile pass sees it.
    revoked_at: Mapped[dt.datetime] = server_now()
    revoked_by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(1000))
