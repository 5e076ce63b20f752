"""A workspace: one product in one environment. Its id is the ``tenant_id``."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.core.db.base import Base, server_now, uuid_pk
from orchestrator.core.db.constraints import partial_index


class WorkspaceStatus(enum.StrEnum):
    """States of the creation saga (PENDING → COMMITTED | FAILED) and of deprovisioning
    (COMMITTED → DELETING → DELETED, ADR 0100)."""

    PENDING = "PENDING"
    COMMITTED = "COMMITTED"
    FAILED = "FAILED"
    DELETING = "DELETING"
    DELETED = "DELETED"


GONE = ("FAILED", "DELETED")
"""States that hold no name: a failed creation and a deleted tombstone give theirs back."""
NAME_HOLDERS = "status NOT IN ('FAILED', 'DELETED')"


class Workspace(Base):
    """The tenant registry; tenant-scoped tables reference it through ``tenant_id``."""

    __tablename__ = "workspaces"
    # A FAILED saga and a DELETED tombstone give their name back: only the others hold one.
    __table_args__ = (
        partial_index(
            "uq_workspaces_organization_id_name",
            "organization_id",
            "name",
            unique=True,
            where=NAME_HOLDERS,
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    environment: Mapped[str] = mapped_column(String(16))
    status: Mapped[WorkspaceStatus] = mapped_column(
        Enum(WorkspaceStatus, name="workspace_status", native_enum=False, length=16)
    )
    operation_id: Mapped[str] = mapped_column(String(255), unique=True)
    failure_reason: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[dt.datetime] = server_now()
    updated_at: Mapped[dt.datetime] = server_now()
