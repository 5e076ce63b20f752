"""Prometheus metrics: HTTP request count and latency by route and status."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from litestar.enums import ScopeType
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

HTTP_REQUESTS = Counter(
    "orchestrator_http_requests_total",
    "HTTP requests handled",
    ["service", "method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "orchestrator_http_request_duration_seconds",
    "HTTP request latency",
    ["service", "method", "route"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
UNMATCHED_ROUTE = "<unmatched>"


def render_latest() -> tuple[bytes, str]:
    """The exposition text of the default registry and its content type."""
    return generate_latest(), CONTENT_TYPE_LATEST


def route_of(scope: Scope) -> str:
    """The route template, never the raw path, so labels stay bounded."""
    template = scope.get("path_template")
    return template if isinstance(template, str) else UNMATCHED_ROUTE


class MetricsMiddleware:
    """ASGI middleware that counts and times every HTTP request."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = route_of(scope)
            method = str(scope.get("method", ""))
            HTTP_REQUESTS.labels(self.service, method, route, str(status)).inc()
            HTTP_LATENCY.labels(self.service, method, route).observe(time.perf_counter() - started)
