"""The exec-api: product backends call upstream APIs through it."""

from __future__ import annotations

from litestar.types import ASGIApp

from orchestrator.core.http.app import create_service_app
from orchestrator.exec_api.events.controllers import EventController
from orchestrator.exec_api.execute.controllers import execute
from orchestrator.exec_api.execute.fast import PATH, FastExecute
from orchestrator.exec_api.jobs.controllers import JobController
from orchestrator.exec_api.settings import get_settings
from orchestrator.exec_api.workspace.controllers import own_workspace


def create_app() -> ASGIApp:
    """Build the exec-api ASGI app."""
    settings = get_settings().core
    return create_service_app(
        service="exec-api",
        title="Orchestrator exec-api",
        settings=settings,
        route_handlers=[own_workspace, execute, JobController, EventController],
        executes=True,
        fast_routes={("POST", PATH): FastExecute(settings.deployment.max_body_bytes)},
    )
