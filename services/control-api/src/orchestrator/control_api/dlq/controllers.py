"""``/api/v1/dlq``: a workspace's dead jobs, replayed or purged by an operator."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.params import QueryParameter

from orchestrator.control_api.dlq.schemas import (
    DeadJobList,
    DlqPurged,
    DlqReplayed,
)
from orchestrator.control_api.jobs.controllers import QueryName
from orchestrator.control_api.pages import TimeCursor, newest_first
from orchestrator.control_api.scope import (
    READ_GUARDS,
    WRITE_GUARDS,
    Reason,
    ScopedController,
    WorkspaceScope,
)
from orchestrator.control_api.views import READS
from orchestrator.control_api.webhook_inbox.controllers import audited, waker_of
from orchestrator.core.deadline import route_budget
from orchestrator.core.http.auth import guarded
from orchestrator.core.http.problems import problem_responses
from orchestrator.core.jobs import dlq
from orchestrator.core.jobs.cursor import cursor_param
from orchestrator.core.jobs.dead_queries import DeadFilter, list_dead
from orchestrator.core.jobs.views import DeadJobFilter, to_out

WRITES = problem_responses(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)


class DlqController(ScopedController):
    """Dead jobs of the workspace (``?workspace=``, default the token's): jobs that ran out
    of attempts. Replaying queues them again with a fresh attempt budget; purging deletes
    them with their runs. Both are audited with their ``reason``."""

    path = "/api/v1/dlq"
    tags = ["dlq"]

    @get(opt=guarded(*READ_GUARDS), responses=READS)
    async def list_dead_jobs(
        self,
        ws: WorkspaceScope,
        connector: QueryName = None,
        operation: QueryName = None,
        cursor: TimeCursor = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
    ) -> DeadJobList:
        """The workspace's dead jobs, newest first, optionally of one connector and
        operation; cursor-paginated."""
        after = cursor_param(cursor)
        f = DeadFilter(connector=connector, operation=operation)
        jobs = await list_dead(ws.session, ws.tenant_id, f, after=after, limit=limit + 1)
        page, next_cursor = newest_first(jobs, limit, lambda job: job.created_at)
        return DeadJobList(items=[to_out(job) for job in page], next_cursor=next_cursor)

    @post("/replay", opt=guarded(*WRITE_GUARDS) | route_budget(), status_code=202, responses=WRITES)
    async def replay_dead_jobs(
        self,
        request: Request[Any, Any, Any],
        ws: WorkspaceScope,
        data: DeadJobFilter,
        reason: Reason,
    ) -> DlqReplayed:
        """Queue again up to ``limit`` dead jobs matching the filter, the oldest dead first,
        each with a fresh attempt budget (its connector's policy today); jobs of a disabled
        connector stay dead. ``429`` (nothing replayed) past the queue-depth quota."""
        ids = await dlq.replay(
            ws.session, waker_of(request), audited(ws, reason), data.to_filter(), limit=data.limit
        )
        return DlqReplayed(replayed=len(ids), ids=ids)

    @post("/purge", opt=guarded(*WRITE_GUARDS) | route_budget(), status_code=200, responses=WRITES)
    async def purge_dead_jobs(
        self,
        request: Request[Any, Any, Any],
        ws: WorkspaceScope,
        data: DeadJobFilter,
        reason: Reason,
    ) -> DlqPurged:
        """Delete up to ``limit`` dead jobs matching the filter, the oldest dead first, with
        their runs; each leaves a ``job.purged`` event."""
        ids = await dlq.purge(
            ws.session, waker_of(request), audited(ws, reason), data.to_filter(), limit=data.limit
        )
        return DlqPurged(purged=len(ids), ids=ids)
