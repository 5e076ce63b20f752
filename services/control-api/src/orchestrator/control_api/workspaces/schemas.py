"""Request and response shapes of the workspaces area."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

import msgspec

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"^[a-z0-9][a-z0-9-]*$")]
Reason = Annotated[str, msgspec.Meta(min_length=3, max_length=1000)]


class WorkspaceCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Create a workspace; repeating a request with its ``operation_id`` is safe."""

    name: Name
    environment: Literal["dev", "prod"]
    reason: Reason
    operation_id: Annotated[str, msgspec.Meta(min_length=1, max_length=255)] | None = None


class WorkspaceOut(msgspec.Struct, frozen=True, kw_only=True):
    """A workspace; ``id`` is its ``tenant_id``."""

    id: uuid.UUID
    organization_id: uuid.UUID
    name: str
    environment: str
    status: Literal["PENDING", "COMMITTED", "FAILED"]
    operation_id: str
    failure_reason: str | None
    created_at: dt.datetime


class WorkspaceList(msgspec.Struct, frozen=True):
    """Workspaces of the caller's organization."""

    items: list[WorkspaceOut]
