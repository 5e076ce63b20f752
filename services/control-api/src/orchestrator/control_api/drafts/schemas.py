"""Request and response shapes of the drafts area (changes staged to activate together)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

import msgspec

from orchestrator.control_api.fields import VERSION_MAX
from orchestrator.core.http.fields import NO_NUL
from orchestrator.core.versions.diff import ResourceChange


class DraftOpen(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A new draft: what it is for, and the version it starts from (default: the
    configuration as it is)."""

    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=NO_NUL)]
    from_version: Annotated[int, msgspec.Meta(ge=1, le=VERSION_MAX)] | None = None


class DraftOut(msgspec.Struct, frozen=True, kw_only=True):
    """A draft: who opened it, from which active version, and (read alone) the whole
    configuration it would make active."""

    id: uuid.UUID
    title: str
    base: int | None
    """The version active when the draft was opened; activating expects it still active."""
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime
    content: dict[str, Any] | None = None
    """The configuration in a bundle's shape (secret refs, never values); only when one
    draft is read."""


class DraftList(msgspec.Struct, frozen=True, kw_only=True):
    """The workspace's drafts, newest first (a workspace holds at most 20)."""

    items: list[DraftOut]


class DraftRefusal(msgspec.Struct, frozen=True, kw_only=True):
    """The problem activating the draft would answer now."""

    status: int
    code: str
    title: str
    detail: str
    errors: list[dict[str, Any]] | None = None


class DraftDiff(msgspec.Struct, frozen=True, kw_only=True):
    """What activating the draft would change now, and whether it would be refused."""

    draft: uuid.UUID
    base: int | None
    active: int | None
    """The active version now: when it is not ``base``, another change came first."""
    changes: list[ResourceChange]
    refused: DraftRefusal | None
    """Why activating would be refused now (``None``: it would be applied)."""


class DraftActivated(msgspec.Struct, frozen=True, kw_only=True):
    """The version the draft became (``None`` when it changed nothing), now active."""

    version: int | None
    active: int | None
