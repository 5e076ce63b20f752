"""``/api/v1/schedules``: list, read, create, replace and delete a workspace's schedules."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request

from orchestrator.control_api.named import Named, Write, named_controller
from orchestrator.control_api.schedules.schemas import (
    ScheduleCreate,
    ScheduleList,
    ScheduleOut,
    ScheduleReplace,
)
from orchestrator.core.runtime import Resources
from orchestrator.core.schedules import service
from orchestrator.core.schedules.service import ScheduleInput
from orchestrator.core.upstream.ssrf import NetworkPolicy


def to_input(data: ScheduleReplace) -> ScheduleInput:
    """What the service checks and stores."""
    return msgspec.convert(data, ScheduleInput, from_attributes=True)


def network_of(request: Request[Any, Any, Any]) -> NetworkPolicy:
    """The deployment's address policy, for callback URLs."""
    resources: Resources = request.app.state.resources
    return NetworkPolicy.from_settings(resources.settings.upstream)


async def _create(w: Write) -> Any:
    data = to_input(w.data)
    return await service.create_schedule(
        w.ws.session, w.m, w.data.name, data, network_of(w.request)
    )


async def _replace(w: Write, name: str) -> Any:
    data = to_input(w.data)
    return await service.replace_schedule(w.ws.session, w.m, name, data, network_of(w.request))


ScheduleController = named_controller(
    "ScheduleController",
    "Cron schedules of one workspace (``?workspace=``, default the token's).",
    Named(
        "/api/v1/schedules",
        "schedule",
        (ScheduleOut, ScheduleList, ScheduleCreate, ScheduleReplace),
        create=(
            _create,
            "Create a schedule that queues a job or starts a workflow run; a bad cron, time\n"
            "zone, target (not exactly one; a connector, operation or workflow the workspace lacks),\n"
            "payload or callback URL is a 422 naming each field.",
        ),
        replace=(
            _replace,
            "Replace a schedule (``enabled: false`` pauses it); a new cron, time zone or\n"
            "``enabled`` recomputes ``next_run_at`` from now.",
        ),
        get=(service.get_schedule, "One schedule."),
        delete=(service.delete_schedule, "Delete a schedule; jobs it queued already run on."),
        list=(
            service.list_schedules,
            "The workspace's schedules by name, with when each fires next; cursor-paginated.",
        ),
    ),
)
