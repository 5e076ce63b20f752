"""Response shapes of the jobs area (a job's and an attempt's views are core's, shared with
the exec-api)."""

from __future__ import annotations

import uuid

import msgspec

from orchestrator.control_api.views import page_schema
from orchestrator.core.jobs.views import AttemptOut, JobOut

JobList = page_schema(JobOut, "A page of jobs, newest first")


class JobDetail(msgspec.Struct, frozen=True, kw_only=True):
    """A job with its attempts, first first (the latest 100 of a job replayed that often),
    and the workflow run it is a step of, if any."""

    job: JobOut
    attempts: list[AttemptOut]
    workflow_run_id: uuid.UUID | None
    workflow_step: str | None
    """The step's name, ``<step>:compensation`` for a compensation's job."""
