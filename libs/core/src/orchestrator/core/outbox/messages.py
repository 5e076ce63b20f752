"""Outbox rows → Dramatiq messages.

``run_job`` and ``route_webhook`` rows of one workspace travel together, up to
``JOB_BATCH`` ids a message, so the worker claims and finishes jobs, or locks and marks
inbox events, with one statement a batch instead of one a row. Every other kind is one
message a row. The rows' ids ride along in the options.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import dramatiq

from orchestrator.core.outbox.kinds import ROUTE_WEBHOOK, ROUTES, RUN_JOB
from orchestrator.core.outbox.repository import ClaimedMessage

JOB_BATCH = 100
"""The most ids one batched message carries."""

BATCHED: dict[str, tuple[str, str]] = {
    RUN_JOB: ("job_id", "job_ids"),
    ROUTE_WEBHOOK: ("inbox_id", "inbox_ids"),
}
"""Kinds published in batches of one workspace: the payload's id, and the actor's
argument that lists them."""


def _message(
    kind: str, kwargs: dict[str, Any], rows: Sequence[ClaimedMessage]
) -> dramatiq.Message[Any]:
    route = ROUTES[kind]
    return dramatiq.Message(
        queue_name=route.queue,
        actor_name=route.actor,
        args=(),
        kwargs=kwargs,
        options={"outbox_ids": [row.id for row in rows]},
    )


def _batches(
    kind: str, rows: Sequence[ClaimedMessage], size: int
) -> Iterator[dramatiq.Message[Any]]:
    one, many = BATCHED[kind]
    by_workspace: dict[uuid.UUID, list[ClaimedMessage]] = {}
    for row in rows:
        by_workspace.setdefault(row.workspace_id, []).append(row)
    for workspace_rows in by_workspace.values():
        for start in range(0, len(workspace_rows), size):
            batch = workspace_rows[start : start + size]
            kwargs = {
                "tenant_id": batch[0].payload["tenant_id"],
                many: [row.payload[one] for row in batch],
            }
            yield _message(kind, kwargs, batch)


def to_messages(
    rows: Sequence[ClaimedMessage], *, job_batch: int = JOB_BATCH
) -> list[dramatiq.Message[Any]]:
    """The messages that carry ``rows``: each row's payload becomes actor kwargs."""
    batched = [
        message
        for kind in BATCHED
        for message in _batches(kind, [row for row in rows if row.kind == kind], job_batch)
    ]
    others = [
        _message(row.kind, dict(row.payload), [row]) for row in rows if row.kind not in BATCHED
    ]
    return [*batched, *others]
