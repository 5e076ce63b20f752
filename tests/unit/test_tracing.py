"""W3C traceparent parsing and the propagation that works with tracing off."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from opentelemetry.trace import SpanContext, TraceFlags

from orchestrator.core.http.observe import ObserveMiddleware, incoming_ids
from orchestrator.core.jobs.submission import NewJob
from orchestrator.core.observability import logging as orch_logging
from orchestrator.core.observability import tracing
from orchestrator.core.settings import TracingSettings

TRACE = "0af7651916cd43dd8448eb211c80319c"
SPAN = "b7ad6b7169203331"
VALID = f"00-{TRACE}-{SPAN}-01"


def test_a_valid_traceparent_is_kept_as_sent() -> None:
    assert tracing.parse_traceparent(VALID) == VALID
    assert tracing.parse_traceparent(f"  {VALID.upper()} ") == VALID


@pytest.mark.parametrize(
    "value",
    [
        "",
        "garbage",
        f"00-{TRACE}-{SPAN}",
        f"00-{TRACE}-{SPAN}-1",
        f"00-{'0' * 32}-{SPAN}-01",
        f"00-{TRACE}-{'0' * 16}-01",
        f"ff-{TRACE}-{SPAN}-01",
        f"00-{TRACE}-{SPAN}-01-extra",
        f"00-{TRACE[:-1]}g-{SPAN}-01",
    ],
)
def test_an_invalid_traceparent_is_dropped(value: str) -> None:
    assert tracing.parse_traceparent(value) is None


def test_a_later_version_is_read_by_its_first_fields() -> None:
    assert tracing.parse_traceparent(f"01-{TRACE}-{SPAN}-01-what-comes-next") == VALID


def test_a_span_context_round_trips_through_its_header() -> None:
    context = tracing.span_context_of(VALID)
    assert context.trace_id == int(TRACE, 16)
    assert context.span_id == int(SPAN, 16)
    assert context.is_remote
    assert context.trace_flags == TraceFlags(1)
    assert tracing.format_traceparent(context) == VALID
    assert tracing.format_traceparent(SpanContext(0, 0, False)) is None


def test_the_request_id_and_traceparent_are_read_in_one_pass() -> None:
    scope: Any = {"headers": [(b"x-request-id", b"abc"), (b"traceparent", VALID.encode())]}
    assert incoming_ids(scope) == ("abc", VALID)
    bad: Any = {"headers": [(b"traceparent", b"nope")]}
    assert incoming_ids(bad) == (None, None)


def test_tracing_is_off_unless_an_exporter_is_named() -> None:
    tracing.configure_tracing(TracingSettings.from_env({}), "test")
    assert not tracing.enabled()
    assert TracingSettings.from_env({"ORCH_TRACING_EXPORTER": "otlp"}).exporter == "otlp"


async def test_with_tracing_off_the_callers_trace_is_carried_through_a_request() -> None:
    seen: dict[str, Any] = {}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen["traceparent"] = tracing.current_traceparent()
        seen["trace_id"] = tracing.current_trace_id()
        # A job asked for here records the trace it continues.
        seen["job"] = NewJob(connector="c", operation="o", payload={})
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def send(message: Any) -> None:
        pass

    async def receive() -> Any:
        return {"type": "http.request", "body": b""}

    middleware = ObserveMiddleware(app, service="test", access_log=False)
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/x",
        "headers": [(b"traceparent", VALID.encode())],
    }
    await middleware(scope, receive, send)  # type: ignore[arg-type]
    assert seen["traceparent"] == VALID
    assert seen["trace_id"] == TRACE
    assert seen["job"].traceparent == VALID
    # Nothing leaks past the request.
    assert tracing.current_traceparent() is None


async def test_a_job_attempt_continues_the_stored_trace() -> None:
    with tracing.continued_span("job.attempt", VALID):
        assert tracing.outgoing_traceparent(tracing.start_client_span("GET", "http://x/")) == VALID
    assert tracing.current_traceparent() is None
    await asyncio.sleep(0)


def test_log_lines_carry_the_trace_id() -> None:
    from loguru import logger

    lines: list[dict[str, Any]] = []
    handler = logger.add(lambda m: lines.append(json.loads(orch_logging._json_line(m.record, "t"))))
    token = tracing.traceparent_var.set(VALID)
    try:
        logger.patch(orch_logging._patch).info("hello")
    finally:
        tracing.traceparent_var.reset(token)
        logger.remove(handler)
    assert lines[0]["trace_id"] == TRACE
