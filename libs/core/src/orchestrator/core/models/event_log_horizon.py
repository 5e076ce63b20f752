"""How far retention has purged a workspace's event log."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.core.db.base import Base, server_now


class EventLogHorizon(Base):
    """The highest ``(xid, id)`` retention deleted from the workspace's event log.

    Retention deletes a prefix of the log in ``(xid, id)`` order, so every event at or
    below the horizon is gone and every one above it is kept: a cursor below it may have
    missed events, and is refused (410) rather than silently resumed past the gap.
    """

    __tablename__ = "event_log_horizons"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    xid: Mapped[int] = mapped_column(BigInteger)
    id: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[dt.datetime] = server_now()
