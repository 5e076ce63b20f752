"""Request and response shapes of workflow runs."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec


class RunCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Start a run; step payloads read ``input`` through ``{"$ref": "/input/…"}``."""

    input: dict[str, Any] = msgspec.field(default_factory=dict)


class RunAccepted(msgspec.Struct, frozen=True, kw_only=True):
    """The started run; follow it at ``GET /api/v1/workflow-runs/{id}``."""

    id: uuid.UUID
    status: str


class StepOut(msgspec.Struct, frozen=True, kw_only=True):
    """One step of a run: its job and how it ended, and its compensation's if one ran."""

    name: str
    status: str
    """``pending`` until its job is queued; then the job's status, or ``not_started``."""
    job_id: str | None = None
    output: Any = None
    error: str | None = None
    compensation: dict[str, Any] | None = None


class RunOut(msgspec.Struct, frozen=True, kw_only=True):
    """A workflow run."""

    id: uuid.UUID
    workflow: str
    workflow_version: int
    status: str
    current_step: str
    """The step whose job (or compensation) runs now, or the last one that did."""
    input: Any
    steps: list[StepOut]
    error: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    finished_at: dt.datetime | None
