"""``/w/{id}/workflows``: workflow runs by workflow and status; one run's steps with their
status, output, error and compensation."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, get
from litestar.response import Template

from orchestrator.console.context import Console
from orchestrator.console.listing import Listing, list_page
from orchestrator.console.render import page

STATUSES = ("running", "compensating", "succeeded", "failed", "compensated", "compensation_failed")
RUNS = Listing(
    "workflow_runs.html",
    "/workflow-runs",
    filters=dict.fromkeys(("workflow", "status"), ""),
)


@get("/w/{workspace:uuid}/workflows")
async def runs(request: Request[Any, Any, Any], console: Console, workspace: uuid.UUID) -> Template:
    """A page of runs, newest first."""
    return await list_page(console, RUNS, request.query_params, workspace, statuses=STATUSES)


@get("/w/{workspace:uuid}/workflows/{run_id:uuid}")
async def run(console: Console, workspace: uuid.UUID, run_id: uuid.UUID) -> Template:
    """One run, step by step."""
    found = await console.control("GET", f"/workflow-runs/{run_id}", workspace=workspace)
    return await page(console, "workflow_run.html", run=found)


WORKFLOW_PAGES = [runs, run]
