"""``/api/v1/schedules``: list, read, create, replace and delete a workspace's schedules."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, post, put

from orchestrator.control_api.fields import NameInPath
from orchestrator.control_api.pages import PAGED
from orchestrator.control_api.schedules.schemas import (
    ScheduleCreate,
    ScheduleList,
    ScheduleOut,
    ScheduleReplace,
)
from orchestrator.control_api.scope import (
    READ_GUARDS,
    WRITE_GUARDS,
    Reason,
    WorkspaceScope,
    provide_scope,
)
from orchestrator.core.db.pages import PageRequest
from orchestrator.core.http.auth import guarded, provide_principal
from orchestrator.core.http.problems import problem_responses
from orchestrator.core.runtime import Resources
from orchestrator.core.schedules import service
from orchestrator.core.schedules.models import Schedule
from orchestrator.core.schedules.service import ScheduleInput
from orchestrator.core.upstream.ssrf import NetworkPolicy

READS = problem_responses(400, 401, 403, 404, 409, 503)
WRITES = problem_responses(400, 401, 403, 404, 409, 413, 415, 422, 503)


def to_out(row: Schedule) -> ScheduleOut:
    """The API view of a schedule."""
    return ScheduleOut(
        id=str(row.id),
        name=row.name,
        cron=row.cron,
        timezone=row.timezone,
        connector=row.connector,
        operation=row.operation,
        workflow=row.workflow,
        payload=row.payload,
        callback_url=row.callback_url,
        enabled=row.enabled,
        next_run_at=row.next_run_at,
        last_fired_at=row.last_fired_at,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def to_input(data: ScheduleReplace) -> ScheduleInput:
    """What the service checks and stores."""
    return ScheduleInput(
        cron=data.cron,
        timezone=data.timezone,
        connector=data.connector,
        operation=data.operation,
        workflow=data.workflow,
        payload=data.payload,
        callback_url=data.callback_url,
        enabled=data.enabled,
    )


def network_of(request: Request[Any, Any, Any]) -> NetworkPolicy:
    """The deployment's address policy, for callback URLs."""
    resources: Resources = request.app.state.resources
    return NetworkPolicy.from_settings(resources.settings.upstream)


class ScheduleController(Controller):
    """Cron schedules of one workspace (``?workspace=``, default the token's)."""

    path = "/api/v1/schedules"
    tags = ["schedules"]
    security = [{"bearer": []}]
    dependencies = {"principal": provide_principal, "ws": provide_scope}

    @get(opt=guarded(*READ_GUARDS), responses=READS, dependencies=PAGED)
    async def list_schedules(self, ws: WorkspaceScope, page: PageRequest) -> ScheduleList:
        """The workspace's schedules by name, with when each fires next; cursor-paginated."""
        got = await service.list_schedules(ws.session, page)
        return ScheduleList(items=[to_out(s) for s in got.items], next_cursor=got.next_cursor)

    @get("/{name:str}", opt=guarded(*READ_GUARDS), responses=READS)
    async def get_schedule(self, ws: WorkspaceScope, name: NameInPath) -> ScheduleOut:
        """One schedule."""
        return to_out(await service.get_schedule(ws.session, name))

    @post(opt=guarded(*WRITE_GUARDS), status_code=201, responses=WRITES)
    async def create_schedule(
        self,
        request: Request[Any, Any, Any],
        ws: WorkspaceScope,
        data: ScheduleCreate,
        reason: Reason,
    ) -> ScheduleOut:
        """Create a schedule that queues a job or starts a workflow run; a bad cron, time
        zone, target (not exactly one; a connector, operation or workflow the workspace lacks),
        payload or callback URL is a 422 naming each field."""
        row = await service.create_schedule(
            ws.session, ws.mutation(reason), data.name, to_input(data), network_of(request)
        )
        return to_out(row)

    @put("/{name:str}", opt=guarded(*WRITE_GUARDS), responses=WRITES)
    async def replace_schedule(
        self,
        request: Request[Any, Any, Any],
        ws: WorkspaceScope,
        name: NameInPath,
        data: ScheduleReplace,
        reason: Reason,
    ) -> ScheduleOut:
        """Replace a schedule (``enabled: false`` pauses it); a new cron, time zone or
        ``enabled`` recomputes ``next_run_at`` from now."""
        row = await service.replace_schedule(
            ws.session, ws.mutation(reason), name, to_input(data), network_of(request)
        )
        return to_out(row)

    @delete("/{name:str}", opt=guarded(*WRITE_GUARDS), responses=READS)
    async def delete_schedule(self, ws: WorkspaceScope, name: NameInPath, reason: Reason) -> None:
        """Delete a schedule; jobs it queued already run on."""
        await service.delete_schedule(ws.session, ws.mutation(reason), name)
