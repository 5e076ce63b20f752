"""``/api/v1/dlq``: a workspace's dead jobs, replayed or purged by an operator."""

from __future__ import annotations

from collections.abc import Sequence

from litestar import post

from orchestrator.control_api.dlq.schemas import (
    DeadJobList,
    DlqPurged,
    DlqReplayed,
)
from orchestrator.control_api.jobs.controllers import QueryName
from orchestrator.control_api.pages import TimePage
from orchestrator.control_api.routes import WRITE, newest_first_list
from orchestrator.control_api.scope import (
    WorkspaceScope,
)
from orchestrator.control_api.webhook_inbox.controllers import Requeue, RequeuingController
from orchestrator.core.deadline import route_budget
from orchestrator.core.http.problems import problem_responses
from orchestrator.core.jobs import dlq
from orchestrator.core.jobs.dead_queries import DeadFilter, list_dead
from orchestrator.core.jobs.models import Job
from orchestrator.core.jobs.views import DeadJobFilter, stored_out

WRITES = problem_responses(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)


async def provide_only(connector: QueryName = None, operation: QueryName = None) -> DeadFilter:
    """Which dead jobs a list shows: of one connector and operation, or every one."""
    return DeadFilter(connector=connector, operation=operation)


async def list_dead_jobs(ws: WorkspaceScope, only: DeadFilter, page: TimePage) -> Sequence[Job]:
    """The workspace's dead jobs, newest first, optionally of one connector and
    operation; cursor-paginated."""
    return await list_dead(ws.session, ws.tenant_id, only, after=page.after, limit=page.read_limit)


class DlqController(RequeuingController):
    """Dead jobs of the workspace (``?workspace=``, default the token's): jobs that ran out
    of attempts. Replaying queues them again with a fresh attempt budget; purging deletes
    them with their runs. Both are audited with their ``reason``."""

    path = "/api/v1/dlq"
    tags = ["dlq"]

    list_dead_jobs = newest_first_list(list_dead_jobs, provide_only, DeadJobList, stored_out)

    @post("/replay", opt=WRITE | route_budget(), status_code=202, responses=WRITES)
    async def replay_dead_jobs(self, data: DeadJobFilter, requeue: Requeue) -> DlqReplayed:
        """Queue again up to ``limit`` dead jobs matching the filter, the oldest dead first,
        each with a fresh attempt budget (its connector's policy today); jobs of a disabled
        connector stay dead. ``429`` (nothing replayed) past the queue-depth quota."""
        ids = await dlq.replay(*requeue, data.to_filter(), limit=data.limit)
        return DlqReplayed(replayed=len(ids), ids=ids)

    @post("/purge", opt=WRITE | route_budget(), status_code=200, responses=WRITES)
    async def purge_dead_jobs(self, data: DeadJobFilter, requeue: Requeue) -> DlqPurged:
        """Delete up to ``limit`` dead jobs matching the filter, the oldest dead first, with
        their runs; each leaves a ``job.purged`` event."""
        ids = await dlq.purge(*requeue, data.to_filter(), limit=data.limit)
        return DlqPurged(purged=len(ids), ids=ids)
