"""``/api/v1/jobs``: a workspace's jobs, newest first, and one job with its attempts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from litestar import Response, get
from litestar.params import FromPath, FromQuery, QueryParameter

from orchestrator.control_api.jobs.schemas import JobDetail, JobList
from orchestrator.control_api.pages import TimePage
from orchestrator.control_api.routes import READ, newest_first_list
from orchestrator.control_api.scope import (
    ScopedController,
    WorkspaceScope,
)
from orchestrator.control_api.views import READS
from orchestrator.control_api.webhook_inbox.controllers import Instant
from orchestrator.core.http.fields import NO_NUL, parse_instant
from orchestrator.core.http.raw import JSON, raw_response, raw_spec
from orchestrator.core.jobs import listing_queries, single_job, single_job_queries
from orchestrator.core.jobs.listing_queries import JobFilter
from orchestrator.core.jobs.models import Job
from orchestrator.core.jobs.states import JobStatus
from orchestrator.core.jobs.stored_values import serve_output, serve_payload
from orchestrator.core.jobs.views import Status, attempt_out, stored_out

ATTEMPTS_SHOWN = 100
"""The most attempts one job shows (the latest): a job replayed from the DLQ again and
again keeps every attempt."""
QueryName = Annotated[str | None, QueryParameter(min_length=1, max_length=200, pattern=NO_NUL)]


async def provide_only(
    status: FromQuery[Status | None] = None,
    connector: QueryName = None,
    operation: QueryName = None,
    since: Instant = None,
    until: Instant = None,
) -> JobFilter:
    """Which jobs a list shows; 400 for an instant that is not RFC 3339 with an offset."""
    return JobFilter(
        status=None if status is None else JobStatus(status),
        connector=connector,
        operation=operation,
        since=parse_instant("since", since),
        until=parse_instant("until", until),
    )


async def list_workspace_jobs(ws: WorkspaceScope, only: JobFilter, page: TimePage) -> Sequence[Job]:
    """The workspace's jobs, newest first, filtered (created ``since``, inclusive, and
    ``until``, exclusive: RFC 3339 with an offset); cursor-paginated."""
    return await listing_queries.list_matching(
        ws.session, ws.tenant_id, only, after=page.after, limit=page.read_limit
    )


class JobController(ScopedController):
    """Jobs of the workspace (``?workspace=``, default the token's), whatever queued them:
    the exec-api, a schedule, a webhook binding or a workflow step. Read by any operator of
    the organization; the DLQ's replay and purge are at ``/api/v1/dlq``."""

    path = "/api/v1/jobs"
    tags = ["jobs"]

    list_workspace_jobs = newest_first_list(list_workspace_jobs, provide_only, JobList, stored_out)

    @get("/{job_id:uuid}", opt=READ, responses=READS)
    async def get_workspace_job(self, ws: WorkspaceScope, job_id: FromPath[uuid.UUID]) -> JobDetail:
        """One job of the workspace with its attempts: when each started and finished, how
        long its call took, how it ended, the upstream's status and the error."""
        job = await single_job.get(ws.session, job_id)
        runs = await single_job_queries.job_runs(ws.session, job.id, limit=ATTEMPTS_SHOWN)
        return JobDetail(
            job=await stored_out(job),
            attempts=[attempt_out(run) for run in runs],
            workflow_run_id=job.workflow_run_id,
            workflow_step=job.workflow_step,
        )

    @get(
        "/{job_id:uuid}/payload",
        opt=READ,
        responses={**raw_spec("The job's payload, its JSON text"), **READS},
    )
    async def get_workspace_job_payload(
        self, ws: WorkspaceScope, job_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """One job's payload raw, as JSON; streamed from the payload store when kept there."""
        job = await single_job.get(ws.session, job_id)
        return raw_response(await serve_payload(job), JSON)

    @get(
        "/{job_id:uuid}/output",
        opt=READ,
        responses={**raw_spec("The job's last output, its JSON text"), **READS},
    )
    async def get_workspace_job_output(
        self, ws: WorkspaceScope, job_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """One job's last output raw, as JSON (``null`` before an attempt produced one);
        streamed from the payload store when kept there."""
        job = await single_job.get(ws.session, job_id)
        return raw_response(await serve_output(job), JSON)
