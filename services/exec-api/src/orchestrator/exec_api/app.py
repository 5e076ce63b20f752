"""The exec-api: product backends call upstream APIs through it."""

from __future__ import annotations

from litestar.types import ASGIApp

from orchestrator.core.events.cursor import configure_cursors
from orchestrator.core.execution.runtime import open_execution
from orchestrator.core.http.app import create_service_app
from orchestrator.exec_api.impersonation_audit import record_impersonated_change
from orchestrator.exec_api.plane import closing_plane
from orchestrator.exec_api.routes import HANDLERS, fast_routes
from orchestrator.exec_api.settings import get_settings


def create_app() -> ASGIApp:
    """Build the exec-api ASGI app."""
    settings = get_settings().core
    configure_cursors(settings.crypto)
    deployment = settings.deployment
    return create_service_app(
        service="exec-api",
        title="Orchestrator exec-api",
        settings=settings,
        route_handlers=HANDLERS,
        executes=open_execution,
        lifespans=[closing_plane],
        fast_routes=fast_routes(deployment.max_body_bytes, deployment.max_json_depth),
        on_impersonated=record_impersonated_change,
    )
