"""``/w/{id}/workflows``: workflow runs by workflow and status; one run's steps with their
status, output, error and compensation."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import get
from litestar.params import Parameter
from litestar.response import Template

from orchestrator.console.context import Console, provide_console
from orchestrator.console.render import list_page, page

DEPENDENCIES = {"console": provide_console}
Filter = Annotated[str, Parameter(max_length=500)]
STATUSES = ("running", "compensating", "succeeded", "failed", "compensated", "compensation_failed")


@get("/w/{workspace:uuid}/workflows", dependencies=DEPENDENCIES)
async def runs(
    console: Console,
    workspace: uuid.UUID,
    workflow: Filter = "",
    status: Filter = "",
    cursor: Filter = "",
) -> Template:
    """A page of runs, newest first."""
    filters = {"workflow": workflow, "status": status}
    return await list_page(
        console,
        "workflow_runs.html",
        "/workflow-runs",
        workspace=workspace,
        section="workflows",
        rows="runs",
        filters=filters,
        cursor=cursor,
        statuses=STATUSES,
    )


@get("/w/{workspace:uuid}/workflows/{run_id:uuid}", dependencies=DEPENDENCIES)
async def run(console: Console, workspace: uuid.UUID, run_id: uuid.UUID) -> Template:
    """One run, step by step."""
    found = await console.control("GET", f"/workflow-runs/{run_id}", workspace=workspace)
    return await page(
        console, "workflow_run.html", workspace=str(workspace), section="workflows", run=found
    )


WORKFLOW_PAGES = [runs, run]
