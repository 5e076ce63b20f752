"""A customer organization: the owner of workspaces."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Enum, String
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.core.db.base import Base, server_now, uuid_pk
from orchestrator.core.db.constraints import partial_index
from orchestrator.core.models.workspace import NAME_HOLDERS, WorkspaceStatus


class Organization(Base):
    """A customer; holds workspaces and operators.

    Created by ``orchestrator bootstrap`` (COMMITTED at once, no operation) or by a
    platform operator's saga (ADR 0051): PENDING under its ``operation_id``, then
    COMMITTED, or FAILED, which gives its name back. Deleted (ADR 0101): DELETING, then a
    DELETED tombstone that gives its name back too.
    """

    __tablename__ = "organizations"
    __table_args__ = (
        partial_index("uq_organizations_name", "name", unique=True, where=NAME_HOLDERS),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[WorkspaceStatus] = mapped_column(
        Enum(WorkspaceStatus, name="organization_status", native_enum=False, length=16),
        default=WorkspaceStatus.COMMITTED,
        server_default=WorkspaceStatus.COMMITTED.value,
    )
    operation_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    # SHA-256 of the creating request, so a reused operation_id with another body is a 409.
    request_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = server_now()
