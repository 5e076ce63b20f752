"""Spans of the libraries under our own: every PostgreSQL statement and Redis command (ADR 0095).

Installed only when tracing is on (``tracing.configure_tracing``), so a process with
tracing off neither imports the instrumentations nor wraps a connection: tracing off stays
free. psycopg's instrumentation covers both SQLAlchemy's sessions and the raw autocommit
connections (the relay, the ingress's group commit), one span a statement, its text with
placeholders and never its parameters; Redis's records a command's name with its arguments
replaced by ``?``. Neither ever sees a value: secrets and payloads travel as parameters.

A statement or command made outside any request, job or delivery (an idle consumer's
wait, a heartbeat, a poll) would start a trace of its own every time it runs: such client
spans without a parent are not recorded (``ParentedClientSpans``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Link, SpanKind
from opentelemetry.util.types import Attributes

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.sampling import Sampler, SamplingResult


def parented_client_spans(inner: Sampler) -> Sampler:
    """``inner``, except that a CLIENT span with no parent is dropped."""
    from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult

    class ParentedClientSpans(Sampler):
        def should_sample(
            self,
            parent_context: Context | None,
            trace_id: int,
            name: str,
            kind: SpanKind | None = None,
            attributes: Attributes = None,
            links: Sequence[Link] | None = None,
            trace_state: trace.TraceState | None = None,
        ) -> SamplingResult:
            parent = trace.get_current_span(parent_context).get_span_context()
            if kind is SpanKind.CLIENT and not parent.is_valid:
                return SamplingResult(Decision.DROP)
            return inner.should_sample(
                parent_context, trace_id, name, kind, attributes, links, trace_state
            )

        def get_description(self) -> str:
            return f"ParentedClientSpans{{{inner.get_description()}}}"

    return ParentedClientSpans()


def instrument_libraries(provider: TracerProvider) -> None:
    """Make psycopg's statements and Redis's commands spans of ``provider``."""
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor

    PsycopgInstrumentor().instrument(tracer_provider=provider, skip_dep_check=True)
    RedisInstrumentor().instrument(tracer_provider=provider, skip_dep_check=True)
