"""A customer organization: the owner of workspaces."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.core.db.base import Base, server_now, uuid_pk


class Organization(Base):
    """A customer; holds workspaces and operators."""

    __tablename__ = "organizations"

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = server_now()
