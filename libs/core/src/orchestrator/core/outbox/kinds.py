"""Outbox kinds and the Dramatiq queue and actor each is published to.

Services never import the worker (ADR 0013): they name actors by string.
"""

from __future__ import annotations

from dataclasses import dataclass

RUN_JOB = "run_job"
DELIVER_CALLBACK = "deliver_callback"
ROUTE_WEBHOOK = "route_webhook"
FORWARD_WEBHOOK = "forward_webhook"
ADVANCE_WORKFLOW = "advance_workflow"

JOBS_QUEUE = "jobs"
CALLBACKS_QUEUE = "callbacks"
WEBHOOKS_QUEUE = "webhooks"
WORKFLOWS_QUEUE = "workflows"


@dataclass(frozen=True, slots=True)
class Route:
    """Where a kind of outbox message goes."""

    queue: str
    actor: str


ROUTES: dict[str, Route] = {
    # Published in batches of one workspace's jobs (``outbox/messages.py``).
    RUN_JOB: Route(queue=JOBS_QUEUE, actor="run_jobs"),
    DELIVER_CALLBACK: Route(queue=CALLBACKS_QUEUE, actor="deliver_callback"),
    # Payload ``{tenant_id, inbox_id}``: route a stored delivery; published in batches of
    # one workspace's events (``outbox/messages.py``).
    ROUTE_WEBHOOK: Route(queue=WEBHOOKS_QUEUE, actor="route_webhooks"),
    # Payload ``{tenant_id, forward_id[, attempt]}``: one attempt at one signed forward.
    FORWARD_WEBHOOK: Route(queue=WEBHOOKS_QUEUE, actor="forward_webhook"),
    # Payload ``{tenant_id, run_id, job_id}``, written by a trigger on ``jobs`` when a
    # workflow step's job ends (ADR 0050): move the run on.
    ADVANCE_WORKFLOW: Route(queue=WORKFLOWS_QUEUE, actor="advance_workflow"),
}
