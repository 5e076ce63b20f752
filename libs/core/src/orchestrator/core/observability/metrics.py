"""Prometheus metrics: HTTP request count and latency by route and status."""

from __future__ import annotations

import functools
from collections.abc import Callable

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

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


def render_latest() -> tuple[bytes, str]:
    """The exposition text of the default registry and its content type."""
    return generate_latest(), CONTENT_TYPE_LATEST


def children(counter: Counter) -> Callable[..., Counter]:
    """``counter.labels`` remembered per label set: ``labels`` validates its arguments and
    takes a lock on every call, where the children it returns never change."""
    return functools.lru_cache(maxsize=4096)(counter.labels)


UPSTREAM_ATTEMPTS = Counter(
    "orchestrator_upstream_attempts_total",
    "Upstream attempts by outcome (succeeded, failed, retryable) and error kind",
    ["outcome", "error"],
)
POLICY_REFUSALS = Counter(
    "orchestrator_policy_refusals_total",
    "Calls refused by the policy gate, by reason (rate_limited, quota_*, breaker_open)",
    ["reason"],
)
RETRIES = Counter("orchestrator_upstream_retries_total", "Upstream attempts that were retries")
OUTPUT_SCHEMA_FAILURES = Counter(
    "orchestrator_output_schema_failures_total",
    "Upstream answers that failed their operation's output schema (final failures)",
)
BUDGET_WARNINGS = Counter(
    "orchestrator_quota_budget_warnings_total",
    "Workspaces that crossed 95 % of their monthly call budget (once each a month)",
)
