"""The version tables: each version a snapshot, one head per workspace naming the active
version and the one a rollback returns to, and drafts staging changes to activate together."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, ForeignKeyConstraint, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

# Registers organizations and workspaces, which our foreign keys name, whoever loads us first.
from orchestrator.core import models as platform_tables  # noqa: F401
from orchestrator.core.db.base import Base, server_now, uuid_pk


def _workspace_key() -> Mapped[uuid.UUID]:
    return mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True)


class WorkspaceVersion(Base):
    """One version of a workspace's configuration; insert-only for the runtime role."""

    __tablename__ = "workspace_versions"
    __table_args__ = (CheckConstraint("number >= 1", name="positive"),)

    tenant_id: Mapped[uuid.UUID] = _workspace_key()
    number: Mapped[int] = mapped_column(primary_key=True)
    parent: Mapped[int | None]
    """The version active when this one was made (none for the first)."""
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONB)
    """The configuration in a bundle's shape: refs, never secret values."""
    summary: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = server_now()


class WorkspaceVersionHead(Base):
    """Which version is active, which one was before it, and the latest number given.

    Both pointers are foreign keys: a version they name cannot be deleted."""

    __tablename__ = "workspace_version_heads"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "active"],
            ["workspace_versions.tenant_id", "workspace_versions.number"],
            name="fk_workspace_version_heads_active_workspace_versions",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "previous"],
            ["workspace_versions.tenant_id", "workspace_versions.number"],
            name="fk_workspace_version_heads_previous_workspace_versions",
        ),
        CheckConstraint("active <= latest AND coalesce(previous, 1) <= latest", name="known"),
    )

    tenant_id: Mapped[uuid.UUID] = _workspace_key()
    active: Mapped[int]
    previous: Mapped[int | None]
    latest: Mapped[int]
    updated_at: Mapped[dt.datetime] = server_now()


class WorkspaceDraft(Base):
    """Changes staged together, in a bundle's shape, until activated as one version or
    discarded; never read by the runtime."""

    __tablename__ = "workspace_drafts"

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    base: Mapped[int | None]
    """The version active when the draft was opened: activating it expects that one still
    to be active (none before the workspace's first version)."""
    content: Mapped[dict[str, Any]] = mapped_column(JSONB)
    """The whole configuration the draft would make active: refs, never secret values."""
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = server_now()
    updated_at: Mapped[dt.datetime] = server_now()
