"""The webhook ingress: receives provider webhooks (verification lands with issue 4)."""

from __future__ import annotations

from litestar.types import ASGIApp

from orchestrator.core.http.app import create_service_app
from orchestrator.webhook_ingress.settings import get_settings


def create_app() -> ASGIApp:
    """Build the webhook-ingress ASGI app: probes and metrics for now."""
    return create_service_app(
        service="webhook-ingress",
        title="Orchestrator webhook-ingress",
        settings=get_settings().core,
        route_handlers=[],
    )
