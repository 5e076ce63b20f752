"""Response shapes of the versions area (a workspace's configuration history)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from orchestrator.control_api.views import page_schema
from orchestrator.core.versions.diff import ResourceChange


class VersionOut(msgspec.Struct, frozen=True, kw_only=True):
    """One version of the workspace's configuration: who made it, when, why, what changed
    from its parent, and (read alone) its snapshot."""

    number: int
    parent: int | None
    """The version active when this one was made."""
    summary: str
    """What changed from ``parent``, in one line (``connectors +billing ~stripe``)."""
    actor: str
    reason: str
    request_id: str | None
    created_at: dt.datetime
    snapshot: dict[str, Any] | None = None
    """The configuration in a bundle's shape (secret refs, never values); only when one
    version is read."""


VersionList = page_schema(VersionOut, "A page of the workspace's versions, newest first")


class VersionHead(msgspec.Struct, frozen=True, kw_only=True):
    """Which version is active, which one a rollback returns to, and the latest made."""

    active: int
    previous: int | None
    latest: int


class VersionDiff(msgspec.Struct, frozen=True, kw_only=True):
    """What changed from one version to another: each resource added, removed or changed,
    and for a changed one each field, addressed by JSON Pointer inside the resource."""

    before: int
    after: int
    changes: list[ResourceChange]
