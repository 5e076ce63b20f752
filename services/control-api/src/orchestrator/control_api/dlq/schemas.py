"""Request and response shapes of the DLQ area."""

from __future__ import annotations

import uuid
from typing import Annotated

import msgspec

from orchestrator.control_api.views import page_schema
from orchestrator.core.http.fields import NO_NUL
from orchestrator.core.jobs.views import JobOut

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=NO_NUL)]


DeadJobList = page_schema(JobOut, "A page of dead jobs, newest first", name="DeadJobList")


class DlqReplayed(msgspec.Struct, frozen=True, kw_only=True):
    """The dead jobs queued again, the oldest dead first."""

    replayed: int
    ids: list[uuid.UUID]


class DlqPurged(msgspec.Struct, frozen=True, kw_only=True):
    """The dead jobs deleted, the oldest dead first."""

    purged: int
    ids: list[uuid.UUID]
