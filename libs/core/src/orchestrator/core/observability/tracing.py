"""W3C trace context, always propagated; OpenTelemetry spans when an exporter is configured.

With ``ORCH_TRACING_EXPORTER=none`` (the default) no SDK is installed and no span is
made: the caller's ``traceparent`` is only carried along (request → stored job row →
worker → upstream call), so a caller's trace continues through us at the cost of a
context variable. With ``otlp`` or ``console`` each HTTP request gets a SERVER span,
each job attempt a ``job.attempt`` span whose parent is the traceparent stored on the
job's row, each upstream call a CLIENT span whose context goes out in the call's
``traceparent`` header, and each PostgreSQL statement and Redis command a CLIENT span
(``library_spans.py``): one trace per request, across the broker.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import (
    NonRecordingSpan,
    Span,
    SpanContext,
    SpanKind,
    Status,
    StatusCode,
    TraceFlags,
)

from orchestrator.core.observability.redaction import scrub

if TYPE_CHECKING:
    from orchestrator.core.settings import TracingSettings

TRACEPARENT = "traceparent"
HEADER = b"traceparent"
_FORMAT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$")
_INVALID_TRACE = "0" * 32
_INVALID_SPAN = "0" * 16

traceparent_var: ContextVar[str | None] = ContextVar("traceparent", default=None)
"""With tracing off: the traceparent this request or job continues (the caller's, as sent)."""

_tracer: trace.Tracer | None = None
_lock = threading.Lock()


def parse_traceparent(value: str) -> str | None:
    """``value`` as a version-00 ``traceparent``, or ``None`` when it is not a valid one.

    A later version is read by its first four fields (W3C Trace Context, "versioning");
    version ``ff``, an all-zero trace or parent id, or anything malformed is dropped.
    """
    found = _FORMAT.match(value.strip().lower())
    if found is None:
        return None
    version, trace_id, span_id, flags, rest = found.groups()
    if version == "ff" or (version == "00" and rest is not None):
        return None
    if trace_id == _INVALID_TRACE or span_id == _INVALID_SPAN:
        return None
    return f"00-{trace_id}-{span_id}-{flags}"


def format_traceparent(context: SpanContext) -> str | None:
    """The ``traceparent`` header of a span context, ``None`` for an invalid one."""
    if not context.is_valid:
        return None
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{int(context.trace_flags):02x}"


def span_context_of(traceparent: str) -> SpanContext:
    """A remote span context from a valid (``parse_traceparent``-checked) traceparent."""
    return SpanContext(
        trace_id=int(traceparent[3:35], 16),
        span_id=int(traceparent[36:52], 16),
        is_remote=True,
        trace_flags=TraceFlags(int(traceparent[53:55], 16)),
    )


def enabled() -> bool:
    """Whether spans are made (an exporter is configured in this process)."""
    return _tracer is not None


def configure_tracing(settings: TracingSettings, service: str) -> None:
    """Install the SDK once per process when ``settings`` name an exporter.

    The SDK reads the standard variables itself: ``OTEL_EXPORTER_OTLP_ENDPOINT``,
    ``OTEL_TRACES_SAMPLER``/``OTEL_TRACES_SAMPLER_ARG``, ``OTEL_BSP_*``,
    ``OTEL_RESOURCE_ATTRIBUTES``. Imported here, so a process with tracing off never
    loads the SDK or the exporter.
    """
    global _tracer
    if settings.exporter == "none":
        return
    with _lock:
        if _tracer is not None:
            return
        from opentelemetry.sdk.resources import SERVICE_NAME, Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import (
            BatchSpanProcessor,
            ConsoleSpanExporter,
            SpanExporter,
        )

        exporter: SpanExporter
        if settings.exporter == "otlp":
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            exporter = OTLPSpanExporter()
        else:
            exporter = ConsoleSpanExporter()
        from orchestrator.core.observability.library_spans import (
            instrument_libraries,
            parented_client_spans,
        )

        resource = Resource.create({SERVICE_NAME: service})
        # The sampler OTEL_TRACES_SAMPLER names, as the SDK reads it, minus orphan calls.
        sampler = parented_client_spans(TracerProvider(resource=resource).sampler)
        provider = TracerProvider(resource=resource, sampler=sampler)
        provider.add_span_processor(BatchSpanProcessor(exporter))
        trace.set_tracer_provider(provider)
        instrument_libraries(provider)
        _tracer = provider.get_tracer("orchestrator")


def current_traceparent() -> str | None:
    """The traceparent to hand on from here: the current span's, or with tracing off the
    one this request or job continues."""
    if _tracer is None:
        return traceparent_var.get()
    return format_traceparent(trace.get_current_span().get_span_context())


def current_trace_id() -> str | None:
    """The current trace id (32 hex characters), for log lines."""
    if _tracer is None:
        carried = traceparent_var.get()
        return None if carried is None else carried[3:35]
    context = trace.get_current_span().get_span_context()
    return f"{context.trace_id:032x}" if context.is_valid else None


def _parent(traceparent: str | None) -> otel_context.Context:
    # A fresh context: whatever is current in this thread or task is not our parent.
    if traceparent is None:
        return otel_context.Context()
    return trace.set_span_in_context(NonRecordingSpan(span_context_of(traceparent)))


class ServerSpan:
    """The span of one HTTP request, current while the request runs."""

    __slots__ = ("_span", "_token")

    def __init__(self, method: str, incoming: str | None) -> None:
        if _tracer is None:
            self._span: Span | None = None
            self._token: Any = traceparent_var.set(incoming)
            return
        self._span = _tracer.start_span(
            method,
            context=_parent(incoming),
            kind=SpanKind.SERVER,
            attributes={"http.request.method": method},
        )
        self._token = otel_context.attach(trace.set_span_in_context(self._span))

    def end(self, method: str, route: str, status: int) -> None:
        """Name the span after its route (known once routed), record the status, end it."""
        span = self._span
        if span is None:
            traceparent_var.reset(self._token)
            return
        span.update_name(f"{method} {route}")
        span.set_attribute("http.route", route)
        span.set_attribute("http.response.status_code", status)
        if status >= 500:
            span.set_status(Status(StatusCode.ERROR))
        span.end()
        otel_context.detach(self._token)


def incoming_traceparent(headers: Any) -> str | None:
    """The valid ``traceparent`` among raw ASGI headers, if any."""
    for name, value in headers:
        if name == HEADER:
            return parse_traceparent(value.decode("latin-1"))
    return None


def start_client_span(method: str, url: str) -> Span | None:
    """A CLIENT span for an upstream call (``None`` with tracing off); not made current.

    The URL is recorded without its query, which may carry a credential.
    """
    if _tracer is None:
        return None
    parts = urlsplit(url)
    return _tracer.start_span(
        f"{method} {parts.hostname or ''}",
        kind=SpanKind.CLIENT,
        attributes={
            "http.request.method": method,
            "server.address": parts.hostname or "",
            "server.port": parts.port or (443 if parts.scheme == "https" else 80),
            "url.full": f"{parts.scheme}://{parts.netloc}{parts.path}",
        },
    )


def outgoing_traceparent(span: Span | None) -> str | None:
    """The ``traceparent`` to send with a call made inside ``span`` (or, with tracing
    off, the one being carried)."""
    if span is None:
        return traceparent_var.get()
    return format_traceparent(span.get_span_context())


def end_client_span(span: Span | None, status: int | None, error: str | None) -> None:
    """Record the upstream's status (or the error kind) and end the span."""
    if span is None:
        return
    if status is not None:
        span.set_attribute("http.response.status_code", status)
    if error is not None:
        span.set_attribute("error.type", error)
    if error is not None or (status is not None and status >= 500):
        span.set_status(Status(StatusCode.ERROR))
    span.end()


@contextmanager
def continued_span(
    name: str, traceparent: str | None, attributes: Mapping[str, str | int] | None = None
) -> Iterator[None]:
    """Make work done later for a request current, as a child of that request's trace.

    ``traceparent`` is the one stored on the work's row (a job, a webhook inbox entry):
    a broker message carries up to 100 jobs of different requests, so the context
    travels with each row, not with the message.
    """
    if _tracer is None:
        token = traceparent_var.set(traceparent)
        try:
            yield
        finally:
            traceparent_var.reset(token)
        return
    span = _tracer.start_span(
        name, context=_parent(traceparent), kind=SpanKind.CONSUMER, attributes=attributes
    )
    attached = otel_context.attach(trace.set_span_in_context(span))
    try:
        yield
    except BaseException as exc:
        # Not ``record_exception``: its message and stack would reach the collector
        # unscrubbed.
        span.add_event(
            "exception",
            {"exception.type": type(exc).__qualname__, "exception.message": scrub(str(exc))},
        )
        span.set_status(Status(StatusCode.ERROR))
        raise
    finally:
        span.end()
        otel_context.detach(attached)
