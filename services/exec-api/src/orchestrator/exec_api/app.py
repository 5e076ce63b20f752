"""The exec-api: product backends call upstream APIs through it."""

from __future__ import annotations

from litestar.types import ASGIApp

from orchestrator.core.events.cursor import configure_cursors
from orchestrator.core.execution.runtime import open_execution
from orchestrator.core.http.app import create_service_app
from orchestrator.exec_api.events.controllers import EventController
from orchestrator.exec_api.execute import fast as fast_execute
from orchestrator.exec_api.execute.controllers import execute
from orchestrator.exec_api.impersonation_audit import record_impersonated_change
from orchestrator.exec_api.jobs import fast as fast_jobs
from orchestrator.exec_api.jobs.controllers import JobController
from orchestrator.exec_api.settings import get_settings
from orchestrator.exec_api.workflows.controllers import get_run, start_run
from orchestrator.exec_api.workspace.controllers import own_workspace


def create_app() -> ASGIApp:
    """Build the exec-api ASGI app."""
    settings = get_settings().core
    configure_cursors(settings.crypto)
    max_body = settings.deployment.max_body_bytes
    max_depth = settings.deployment.max_json_depth
    return create_service_app(
        service="exec-api",
        title="Orchestrator exec-api",
        settings=settings,
        route_handlers=[
            own_workspace,
            execute,
            JobController,
            EventController,
            start_run,
            get_run,
        ],
        executes=open_execution,
        fast_routes={
            ("POST", fast_execute.PATH): fast_execute.FastExecute(max_body, max_depth),
            ("POST", fast_jobs.PATH): fast_jobs.FastSubmit(max_body, max_depth),
        },
        on_impersonated=record_impersonated_change,
    )
