"""The webhook ingress: verifies provider webhooks and stores them for the worker."""

from __future__ import annotations

from litestar.types import ASGIApp

from orchestrator.core.http.app import create_service_app
from orchestrator.webhook_ingress.controllers import receive_webhook
from orchestrator.webhook_ingress.fast import PATH, fast_receive
from orchestrator.webhook_ingress.ingress import running_ingress
from orchestrator.webhook_ingress.settings import get_settings


def create_app() -> ASGIApp:
    """Build the webhook-ingress ASGI app."""
    return create_service_app(
        service="webhook-ingress",
        title="Orchestrator webhook-ingress",
        settings=get_settings().core,
        route_handlers=[receive_webhook],
        lifespans=[running_ingress],
        fast_routes={("POST", PATH): fast_receive},
    )
