"""Prometheus metrics of the scheduler (on the worker's ``/metrics``)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

SCHEDULER_LAG = Histogram(
    "orchestrator_scheduler_lag_seconds",
    "How late a schedule fired: the time it fired minus the cron time it fired for",
    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600),
)
SCHEDULER_FIRES = Counter(
    "orchestrator_scheduler_fires_total",
    "Schedule fires by outcome: fired (a job queued) or refused (connector gone, quota, …)",
    ["outcome"],
)
SCHEDULER_LAST_PASS = Gauge(
    "orchestrator_scheduler_last_pass_timestamp_seconds",
    "When this process's scheduler last finished a pass over the due workspaces (unix time; "
    "0 until its first)",
)
