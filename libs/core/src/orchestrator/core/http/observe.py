"""One ASGI middleware that observes every HTTP request: id, trace, metrics and access log.

One wrapper rather than three, since each layer of ASGI middleware costs a closure and
an extra ``send`` hop on the hot path.
"""

from __future__ import annotations

import os
import re
import time
from typing import TYPE_CHECKING

from litestar.enums import ScopeType
from prometheus_client import Counter, Histogram

from orchestrator.core.observability.context import (
    impersonation_var,
    impersonator_var,
    request_id_var,
    tenant_id_var,
)
from orchestrator.core.observability.logging import log_access
from orchestrator.core.observability.metrics import HTTP_LATENCY, HTTP_REQUESTS
from orchestrator.core.observability.tracing import HEADER as TRACE_HEADER
from orchestrator.core.observability.tracing import ServerSpan, parse_traceparent

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from litestar.types import ASGIApp, Message, Receive, Scope, Send

    from orchestrator.core.auth.claims import Principal

    ImpersonatedChange = Callable[[Scope, str, Principal, int], Awaitable[None]]
    """Called before a successful mutating response made with an impersonation token
    leaves (the exec-api audits it): the scope, the method, the principal, the status."""

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})

HEADER = b"x-request-id"
_SAFE = re.compile(rb"^[A-Za-z0-9._:-]{1,100}$")
UNMATCHED_ROUTE = "<unmatched>"
_MAX_SERIES = 4096
"""Label sets whose metric children are kept at hand (routes are bounded, methods not)."""


def new_request_id() -> str:
    """32 random hex characters (as a UUID4's hex, at a fraction of its cost)."""
    return os.urandom(16).hex()


def incoming_request_id(scope: Scope) -> str | None:
    """The caller's ``X-Request-ID`` when it is short and plain enough to log."""
    return incoming_ids(scope)[0]


def incoming_ids(scope: Scope) -> tuple[str | None, str | None]:
    """The caller's request id (when short and plain enough to log) and valid
    ``traceparent``, in one pass over the headers."""
    request_id: str | None = None
    traceparent: str | None = None
    for name, value in scope.get("headers", ()):
        if name == HEADER:
            if _SAFE.match(value):
                request_id = value.decode()
        elif name == TRACE_HEADER:
            traceparent = parse_traceparent(value.decode("latin-1"))
    return request_id, traceparent


def route_of(scope: Scope) -> str:
    """The route template, never the raw path, so metric labels stay bounded."""
    template = scope.get("path_template")
    return template if isinstance(template, str) else UNMATCHED_ROUTE


class ObserveMiddleware:
    """Accept or mint ``X-Request-ID``, continue the caller's trace (a SERVER span when
    tracing is on), count and time the request, log one access line."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        service: str,
        access_log: bool,
        on_impersonated: ImpersonatedChange | None = None,
    ) -> None:
        self.app = app
        self.service = service
        self.access_log = access_log
        self.on_impersonated = on_impersonated
        # ``labels()`` validates and locks on every call; its children are stable objects.
        self._series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def _record(self, method: str, route: str, status: int, elapsed: float) -> None:
        key = (method, route, status)
        series = self._series.get(key)
        if series is None:
            if len(self._series) >= _MAX_SERIES:
                self._series.clear()
            series = self._series[key] = (
                HTTP_REQUESTS.labels(self.service, method, route, str(status)),
                HTTP_LATENCY.labels(self.service, method, route),
            )
        series[0].inc()
        series[1].observe(elapsed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id, traceparent = incoming_ids(scope)
        request_id = request_id or new_request_id()
        request_token = request_id_var.set(request_id)
        tenant_token = tenant_id_var.set(None)
        impersonator_token = impersonator_var.set(None)
        impersonation_token = impersonation_var.set(None)
        method = str(scope.get("method", ""))
        on_impersonated = self.on_impersonated if method in MUTATING else None
        span = ServerSpan(method, traceparent)
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (HEADER, request_id.encode())]
                if on_impersonated is not None and status < 400:
                    principal = impersonation_var.get()  # set by the guard, if impersonated
                    if principal is not None:
                        await on_impersonated(scope, method, principal, status)
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - started
            route = route_of(scope)
            self._record(method, route, status, elapsed)
            if self.access_log:
                log_access(method, scope.get("path", ""), route, status, round(elapsed * 1000, 3))
            span.end(method, route, status)
            request_id_var.reset(request_token)
            tenant_id_var.reset(tenant_token)
            impersonator_var.reset(impersonator_token)
            impersonation_var.reset(impersonation_token)
