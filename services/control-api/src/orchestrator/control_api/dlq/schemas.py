"""Request and response shapes of the DLQ area."""

from __future__ import annotations

import uuid
from typing import Annotated

import msgspec

from orchestrator.core.http.fields import NO_NUL
from orchestrator.core.jobs.views import JobOut

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=NO_NUL)]


class DeadJobList(msgspec.Struct, frozen=True, kw_only=True):
    """A page of dead jobs, newest first; pass ``next_cursor`` as ``cursor`` for the next."""

    items: list[JobOut]
    next_cursor: str | None


class DlqReplayed(msgspec.Struct, frozen=True, kw_only=True):
    """The dead jobs queued again, the oldest dead first."""

    replayed: int
    ids: list[uuid.UUID]


class DlqPurged(msgspec.Struct, frozen=True, kw_only=True):
    """The dead jobs deleted, the oldest dead first."""

    purged: int
    ids: list[uuid.UUID]
