"""Request and response shapes of deletions (ADR 0100)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

import msgspec


class DeletionOut(msgspec.Struct, frozen=True, kw_only=True):
    """One deletion: where it is and what each finished step did.

    ``progress.done`` lists the finished steps; ``progress.steps`` holds each step's
    counts (rows deleted per table, identities revoked, objects deleted). ``attempts``
    above 1 means a worker resumed it; ``failure`` is the last failure, retried.
    """

    id: uuid.UUID
    operation_id: str
    kind: Literal["workspace", "organization"]
    organization_id: uuid.UUID
    workspace_id: uuid.UUID | None
    status: Literal["running", "succeeded"]
    step: str
    force: bool
    progress: dict[str, Any]
    failure: str | None
    attempts: int
    started_at: dt.datetime
    updated_at: dt.datetime
    finished_at: dt.datetime | None
