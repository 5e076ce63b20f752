"""Request and response shapes of the workspaces area."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

import msgspec

from orchestrator.core.http.fields import NO_NUL

# msgspec matches with Python's `re.search`, where `$` also matches before a final newline;
# `(?!\n)` refuses "name\n" there and is a no-op in JSON Schema's ECMA-262 dialect.
Name = Annotated[
    str, msgspec.Meta(min_length=1, max_length=200, pattern=r"^[a-z0-9][a-z0-9-]*$(?!\n)")
]
Reason = Annotated[str, msgspec.Meta(min_length=3, max_length=1000, pattern=NO_NUL)]
OperationId = Annotated[str, msgspec.Meta(min_length=1, max_length=255, pattern=NO_NUL)]


class WorkspaceCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Create a workspace; repeating a request with its ``operation_id`` is safe."""

    name: Name
    environment: Literal["dev", "prod"]
    reason: Reason
    operation_id: OperationId | None = None


class WorkspaceOut(msgspec.Struct, frozen=True, kw_only=True):
    """A workspace; ``id`` is its ``tenant_id``."""

    id: uuid.UUID
    organization_id: uuid.UUID
    name: str
    environment: str
    status: Literal["PENDING", "COMMITTED", "FAILED", "DELETING"]
    operation_id: str
    failure_reason: str | None
    created_at: dt.datetime


class WorkspaceList(msgspec.Struct, frozen=True):
    """A page of the caller's organization's workspaces, oldest first; pass ``next_cursor`` as
    ``cursor`` for the next (``null`` on the last)."""

    items: list[WorkspaceOut]
    next_cursor: str | None
