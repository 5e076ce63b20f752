"""``/w/{id}/jobs``: jobs by status, connector, operation and time; one job's attempts; the
DLQ's replay and purge, one job or a filtered set, each with a reason."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template

from orchestrator.console.context import Console
from orchestrator.console.listing import Listing, list_page
from orchestrator.console.pages.submitted import call_with_reason, chosen, field, posted
from orchestrator.console.render import page

STATUSES = ("queued", "running", "succeeded", "failed", "dead", "cancelled")
DEAD_FILTERS = ("connector", "operation", "dead_since")
JOBS = Listing(
    "jobs.html",
    "/jobs",
    filters={"status": "dead", **dict.fromkeys(("connector", "operation", "since", "until"), "")},
)


@get("/w/{workspace:uuid}/jobs")
async def jobs(request: Request[Any, Any, Any], console: Console, workspace: uuid.UUID) -> Template:
    """A page of jobs, newest first (the DLQ by default)."""
    return await list_page(console, JOBS, request.query_params, workspace, statuses=STATUSES)


@get("/w/{workspace:uuid}/jobs/{job_id:uuid}")
async def job(console: Console, workspace: uuid.UUID, job_id: uuid.UUID) -> Template:
    """One job: its payload, its outcome and every attempt with its timing and error."""
    found: dict[str, Any] = await console.control("GET", f"/jobs/{job_id}", workspace=workspace)
    return await page(
        console,
        "job.html",
        job=found["job"],
        attempts=found["attempts"],
        workflow_run_id=found["workflow_run_id"],
        workflow_step=found["workflow_step"],
    )


@post("/w/{workspace:uuid}/jobs/replay", status_code=303)
async def replay(
    request: Request[Any, Any, Any], console: Console, workspace: uuid.UUID
) -> Redirect:
    """Queue dead jobs again: the one named, or those matching the filter."""
    return await dlq_action(request, console, workspace, "replay", "Replayed")


@post("/w/{workspace:uuid}/jobs/purge", status_code=303)
async def purge(
    request: Request[Any, Any, Any], console: Console, workspace: uuid.UUID
) -> Redirect:
    """Delete dead jobs matching the filter, after the form's confirmation."""
    return await dlq_action(request, console, workspace, "purge", "Purged")


async def dlq_action(
    request: Request[Any, Any, Any],
    console: Console,
    workspace: uuid.UUID,
    action: str,
    done: str,
) -> Redirect:
    """``POST /dlq/{action}`` with the form's filter and reason; the count in the notice."""
    console.may("jobs:write")
    form = await posted(request)
    return await call_with_reason(
        console,
        form,
        back_to(workspace, form),
        ("POST", f"/dlq/{action}"),
        workspace=workspace,
        json=dlq_filter(form),
        done=lambda answer: f"{done} {answer[done.lower()]} dead job(s).",
    )


def dlq_filter(form: FormMultiDict) -> dict[str, Any]:
    """The DLQ's filter from a form: one job's id, or connector, operation and time."""
    body: dict[str, Any] = chosen(form, *DEAD_FILTERS)
    if field(form, "job_id"):
        body["ids"] = [field(form, "job_id")]
    return body


def back_to(workspace: uuid.UUID, form: FormMultiDict) -> str:
    """Where a DLQ action returns: the job it acted on, else the DLQ."""
    if field(form, "job_id"):
        return f"/w/{workspace}/jobs/{uuid.UUID(field(form, 'job_id'))}"
    return f"/w/{workspace}/jobs?status=dead"


JOB_PAGES = [jobs, job, replay, purge]
