"""Outbox kinds and the Dramatiq queue and actor each is published to.

Services never import the worker (ADR 0013): they name actors by string.
"""

from __future__ import annotations

from dataclasses import dataclass

RUN_JOB = "run_job"
DELIVER_CALLBACK = "deliver_callback"

JOBS_QUEUE = "jobs"
CALLBACKS_QUEUE = "callbacks"


@dataclass(frozen=True, slots=True)
class Route:
    """Where a kind of outbox message goes."""

    queue: str
    actor: str


ROUTES: dict[str, Route] = {
    # Published in batches of one workspace's jobs (``outbox/messages.py``).
    RUN_JOB: Route(queue=JOBS_QUEUE, actor="run_jobs"),
    DELIVER_CALLBACK: Route(queue=CALLBACKS_QUEUE, actor="deliver_callback"),
}
