"""``/api/v1/jobs``: HTTP only; the rules are in ``orchestrator.core.jobs`` (``submission``,
``single_job``, ``replay``)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, HeaderParameter, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.auth.claims import Principal
from orchestrator.core.deadline import route_budget
from orchestrator.core.errors import Problem
from orchestrator.core.execution.calls import Prepared
from orchestrator.core.http.auth import (
    provide_principal,
    provide_tenant_session,
)
from orchestrator.core.http.problems import problem_responses
from orchestrator.core.http.raw import JSON, raw_response, raw_spec
from orchestrator.core.idempotency.fingerprint import MAX_KEY_LENGTH
from orchestrator.core.jobs import listing_queries, replay, single_job, submission
from orchestrator.core.jobs.cursor import JobCursor, cursor_param
from orchestrator.core.jobs.states import JobStatus
from orchestrator.core.jobs.status_reads import read_job
from orchestrator.core.jobs.stored_values import serve_output, serve_payload
from orchestrator.core.jobs.views import DeadJobFilter, JobOut, Status, stored_out
from orchestrator.exec_api.access import JOBS_READ, JOBS_WRITE, queues
from orchestrator.exec_api.jobs.accepting import Accepted, accept_once
from orchestrator.exec_api.jobs.schemas import (
    JobAccepted,
    JobBatchAccepted,
    JobBatchCreate,
    JobCreate,
    JobList,
    JobsRetried,
)
from orchestrator.exec_api.jobs.submitter import Submission
from orchestrator.exec_api.plane import Plane, plane_of, provide_plane

IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        required=False,
        max_length=MAX_KEY_LENGTH,
        pattern=r"^[\x21-\x7e]+$",
        description="Makes a retry safe: the first response is stored for 24 h and replayed.",
    ),
]
RAW_READS = problem_responses(400, 401, 403, 404, 503)
PATH = "/api/v1/jobs"
JOB_PATH = PATH + "/{job_id}"
"""As the framework writes the route's template (``path_format``)."""


def new_job(data: JobCreate, idempotency_key: str | None) -> submission.NewJob:
    """The service's view of a submitted job: the body's fields are the job's."""
    return submission.NewJob(**msgspec.structs.asdict(data), idempotency_key=idempotency_key)


def to_accepted(job: submission.SubmittedJob) -> JobAccepted:
    """The API view of a queued job."""
    return JobAccepted(id=job.id, status=job.status.value)


def job_location(job_id: uuid.UUID) -> str:
    """Where a job is read."""
    return f"{PATH}/{job_id}"


def location(job: submission.SubmittedJob) -> dict[str, str]:
    """The ``Location`` header naming a queued job."""
    return {"Location": job_location(job.id)}


async def checked_job(
    plane: Plane, tenant_id: uuid.UUID, data: JobCreate
) -> tuple[submission.NewJob, Prepared]:
    """A job without an idempotency key, its operation and payload checked now (404 and
    422 naming the fields), not when the worker first runs it."""
    new = new_job(data, None)
    prepared = await plane.executor.prepare(tenant_id, data.connector, data.operation, data.payload)
    submission.check_new_job(new, plane.network)
    return new, prepared


async def queue_checked(
    plane: Plane, tenant_id: uuid.UUID, new: submission.NewJob, prepared: Prepared
) -> submission.SubmittedJob:
    """Queue a checked job with the group commit; returns once it committed.

    Both routes of ``POST /api/v1/jobs`` (``JobController.submit`` and ``fast.py``) queue
    a job without a key through ``checked_job`` then this.
    """
    return await plane.submitter.submit(Submission(tenant_id, new, prepared.plan))


@contextmanager
def in_batch(index: int) -> Iterator[None]:
    """Name the batch item a refusal is about: ``jobs[3].payload.amount``."""
    try:
        yield
    except Problem as refused:
        prefix = f"jobs[{index}]"
        refused.detail = f"{prefix}: {refused.detail}"
        errors = refused.extensions.get("errors")
        if isinstance(errors, list):
            for error in errors:
                if isinstance(error, dict) and "key" in error:
                    error["key"] = f"{prefix}.{error['key']}"
        raise


class JobController(Controller):
    """The caller's jobs."""

    path = PATH
    tags = ["jobs"]
    security = [{"bearer": []}]
    dependencies = {
        "principal": provide_principal,
        "session": provide_tenant_session,
        "plane": provide_plane,
    }

    @queues()
    async def submit(
        self,
        request: Request[Any, Any, Any],
        data: JobCreate,
        principal: Principal,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[JobAccepted]:
        """Queue a job; ``202`` with its id. Safe to retry with an ``Idempotency-Key``."""
        # Not a dependency: next to ``principal`` Litestar would resolve both concurrently,
        # in an anyio task group per request, which costs more than the lookup itself.
        plane = plane_of(request)
        if idempotency_key is None:
            checked = await checked_job(plane, principal.tenant_id, data)
            submitted = await queue_checked(plane, principal.tenant_id, *checked)
            return Response(to_accepted(submitted), status_code=202, headers=location(submitted))
        new = new_job(data, idempotency_key)

        async def write(session: AsyncSession) -> Accepted:
            prepared = await plane.executor.prepare(
                principal.tenant_id, data.connector, data.operation, data.payload, session=session
            )
            submitted = await submission.submit(
                session,
                plane.waker,
                principal.tenant_id,
                new,
                network=plane.network,
                plan=prepared.plan,
            )
            return Accepted(to_accepted(submitted), location(submitted))

        return await accept_once(request, plane, principal.tenant_id, write)

    @queues("/batch")
    async def submit_batch(
        self,
        request: Request[Any, Any, Any],
        data: JobBatchCreate,
        principal: Principal,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[JobBatchAccepted]:
        """Queue up to 500 jobs in one transaction: ``202`` with their ids in order, or
        nothing queued and the first refusal, its fields named ``jobs[i].…``."""
        plane = plane_of(request)

        async def write(session: AsyncSession) -> Accepted:
            news, plans = [], []
            for index, item in enumerate(data.jobs):
                with in_batch(index):
                    prepared = await plane.executor.prepare(
                        principal.tenant_id,
                        item.connector,
                        item.operation,
                        item.payload,
                        session=session,
                    )
                    new = new_job(item, idempotency_key)
                    submission.check_new_job(new, plane.network)
                news.append(new)
                plans.append(prepared.plan)
            submitted = await submission.submit_many(
                session, plane.waker, principal.tenant_id, news, plans=plans
            )
            return Accepted(JobBatchAccepted(jobs=[to_accepted(job) for job in submitted]))

        return await accept_once(request, plane, principal.tenant_id, write)

    @get(
        "/{job_id:uuid}",
        opt=JOBS_READ,
        responses=problem_responses(400, 401, 403, 404, 503),
    )
    async def get_job(
        self, job_id: FromPath[uuid.UUID], principal: Principal, plane: Plane
    ) -> JobOut:
        """One job of the caller's workspace."""
        return await read_job(plane.jobs, principal.tenant_id, job_id)

    @get(
        "/{job_id:uuid}/payload",
        opt=JOBS_READ,
        responses={**raw_spec("The job's payload, its JSON text"), **RAW_READS},
    )
    async def get_job_payload(
        self, job_id: FromPath[uuid.UUID], principal: Principal, session: AsyncSession
    ) -> Response[Any]:
        """One job's payload raw, as JSON; streamed from the payload store when kept there."""
        return raw_response(await serve_payload(await single_job.get(session, job_id)), JSON)

    @get(
        "/{job_id:uuid}/output",
        opt=JOBS_READ,
        responses={**raw_spec("The job's last output, its JSON text"), **RAW_READS},
    )
    async def get_job_output(
        self, job_id: FromPath[uuid.UUID], principal: Principal, session: AsyncSession
    ) -> Response[Any]:
        """One job's last output raw, as JSON (``null`` before an attempt produced one);
        streamed from the payload store when kept there, each piece checked (one failing
        its check ends the body short of its ``Content-Length``)."""
        return raw_response(await serve_output(await single_job.get(session, job_id)), JSON)

    @get(
        opt=JOBS_READ,
        responses=problem_responses(400, 401, 403, 503),
    )
    async def list_jobs(
        self,
        principal: Principal,
        session: AsyncSession,
        status: FromQuery[Status | None] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
    ) -> JobList:
        """The caller's jobs, newest first, optionally of one status; cursor-paginated."""
        after = cursor_param(cursor)
        jobs = await listing_queries.list_jobs(
            session,
            principal.tenant_id,
            status=JobStatus(status) if status else None,
            after=after,
            limit=limit + 1,
        )
        page = list(jobs[:limit])
        more = len(jobs) > limit
        return JobList(
            items=[await stored_out(job) for job in page],
            next_cursor=JobCursor(page[-1].created_at, page[-1].id).encode() if more else None,
        )

    @post(
        "/{job_id:uuid}/cancel",
        opt=JOBS_WRITE,
        status_code=200,
        responses=problem_responses(400, 401, 403, 404, 409, 503),
    )
    async def cancel(
        self, job_id: FromPath[uuid.UUID], principal: Principal, session: AsyncSession, plane: Plane
    ) -> JobOut:
        """Cancel a queued job; ``409`` once it is running or finished."""
        return await stored_out(
            await single_job.cancel(session, plane.waker, principal.tenant_id, job_id)
        )

    @post(
        "/{job_id:uuid}/retry",
        opt=JOBS_WRITE,
        status_code=202,
        responses=problem_responses(400, 401, 403, 404, 409, 429, 503),
    )
    async def retry(
        self, job_id: FromPath[uuid.UUID], principal: Principal, session: AsyncSession, plane: Plane
    ) -> JobOut:
        """Queue a dead job again with a fresh attempt budget (its connector's policy today);
        ``409`` for a job in any other status."""
        return await stored_out(
            await replay.replay(session, plane.waker, principal.tenant_id, job_id)
        )

    @post(
        "/retry",
        opt=JOBS_WRITE | route_budget(),
        status_code=202,
        responses=problem_responses(400, 401, 403, 413, 415, 422, 429, 503),
    )
    async def retry_dead(
        self, data: DeadJobFilter, principal: Principal, session: AsyncSession, plane: Plane
    ) -> JobsRetried:
        """Queue again up to ``limit`` dead jobs of the workspace matching the filter, the
        oldest dead first, in one transaction."""
        ids = await replay.replay_many(
            session, plane.waker, principal.tenant_id, data.to_filter(), limit=data.limit
        )
        return JobsRetried(retried=len(ids), ids=ids)
