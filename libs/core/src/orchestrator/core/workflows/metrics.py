"""Prometheus metrics of workflow runs (on the worker's ``/metrics``, and the exec-api's for
runs that fail as they start)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

WORKFLOW_RUNS_ENDED = Counter(
    "orchestrator_workflow_runs_ended_total",
    "Workflow runs that ended, by status (succeeded, failed, compensated, compensation_failed)",
    ["status"],
)
WORKFLOW_RUN_DURATION = Histogram(
    "orchestrator_workflow_run_duration_seconds",
    "From a workflow run's start to its end, compensations included",
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600),
)
