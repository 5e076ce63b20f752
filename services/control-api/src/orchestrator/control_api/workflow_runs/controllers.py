"""``/api/v1/workflow-runs``: a workspace's workflow runs, newest first, and one run with
each step's job, status, output, error and compensation."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import get
from litestar.params import FromPath, FromQuery, QueryParameter

from orchestrator.control_api.pages import PAGED
from orchestrator.control_api.routes import READ
from orchestrator.control_api.scope import (
    ScopedController,
    WorkspaceScope,
)
from orchestrator.control_api.views import READS
from orchestrator.control_api.workflow_runs.schemas import RunList
from orchestrator.core.configuration.validation import NAME_MAX, NAME_PATTERN
from orchestrator.core.db.pages import PageRequest
from orchestrator.core.workflows import repository, runs
from orchestrator.core.workflows.repository import RunFilter
from orchestrator.core.workflows.views import RunOut, RunStatusName, to_out, to_summary

WorkflowName = Annotated[
    str | None,
    QueryParameter(
        min_length=1,
        max_length=NAME_MAX,
        pattern=NAME_PATTERN,
        description="Only runs of this workflow.",
    ),
]


class WorkflowRunController(ScopedController):
    """Workflow runs of the workspace (``?workspace=``, default the token's), as the exec-api
    shows a caller its own. Read by any operator of the organization."""

    path = "/api/v1/workflow-runs"
    tags = ["workflows"]

    @get(opt=READ, responses=READS, dependencies=PAGED)
    async def list_workflow_runs(
        self,
        ws: WorkspaceScope,
        page: PageRequest,
        workflow: WorkflowName = None,
        status: FromQuery[RunStatusName | None] = None,
    ) -> RunList:
        """The workspace's runs, newest first, of one workflow and of one status if asked;
        cursor-paginated. Each without its input and step outputs: read the run for those."""
        got = await repository.list_runs(
            ws.session, ws.tenant_id, RunFilter(workflow=workflow, status=status), page
        )
        return RunList(items=[to_summary(row) for row in got.items], next_cursor=got.next_cursor)

    @get("/{run_id:uuid}", opt=READ, responses=READS)
    async def get_workflow_run(self, ws: WorkspaceScope, run_id: FromPath[uuid.UUID]) -> RunOut:
        """One run of the workspace: its status and current step, and each step's job,
        status, output, error and compensation (``{job_id, status, error}`` once one ran)."""
        return to_out(await runs.get_run(ws.session, run_id))
