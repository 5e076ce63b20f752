"""An outgoing request in its own CLIENT span, with the trace handed on in ``traceparent``.

The executor's calls, callbacks and webhook forwards all go out this way, so every
request to a tenant's or a product's URL appears in the trace that caused it (or, with
tracing off, still carries the caller's ``traceparent``).
"""

from __future__ import annotations

import msgspec
from opentelemetry.trace import Span

from orchestrator.core.observability import tracing
from orchestrator.core.upstream.client import UpstreamRequest


def with_traceparent(request: UpstreamRequest, traceparent: str | None) -> UpstreamRequest:
    """Hand the trace on to the receiver, unless the request sets its own header."""
    if traceparent is None or any(name.lower() == "traceparent" for name in request.headers):
        return request
    return msgspec.structs.replace(
        request, headers={**request.headers, tracing.TRACEPARENT: traceparent}
    )


def start(request: UpstreamRequest) -> tuple[Span | None, UpstreamRequest]:
    """The CLIENT span of ``request`` (``None`` with tracing off) and the request to send."""
    span = tracing.start_client_span(request.method, request.url)
    return span, with_traceparent(request, tracing.outgoing_traceparent(span))
