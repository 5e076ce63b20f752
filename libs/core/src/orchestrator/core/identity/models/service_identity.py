"""A machine client (``svc:<product>-backend``) of the exec plane."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.core.db.base import Base, server_now, uuid_pk


class ServiceIdentity(Base):
    """Client credentials of one product backend; only a hash of the secret is kept.

    Not a tenant table: the token endpoint resolves a client before any tenant
    is known (see docs/decisions.md, ADR 0006). A name is unique within its
    workspace: it is the token's ``sub`` and, with the workspace, its revocation
    key (ADR 0047).
    """

    __tablename__ = "service_identities"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(128))
    scopes: Mapped[list[str]] = mapped_column(ARRAY(String(64)))
    created_at: Mapped[dt.datetime] = server_now()
    disabled_at: Mapped[dt.datetime | None] = mapped_column()
