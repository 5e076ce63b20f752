"""Outbox rows → Dramatiq messages.

``run_job`` rows of one workspace travel together, up to ``JOB_BATCH`` ids a message,
so the worker claims and finishes them with one statement each instead of one per
job. Every other kind is one message a row. The rows' ids ride along in the options.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import dramatiq

from orchestrator.core.outbox.kinds import ROUTES, RUN_JOB
from orchestrator.core.outbox.repository import ClaimedMessage

JOB_BATCH = 100
"""The most job ids one ``run_jobs`` message carries."""


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


def _job_batches(rows: Sequence[ClaimedMessage], size: int) -> Iterator[dramatiq.Message[Any]]:
    by_workspace: dict[uuid.UUID, list[ClaimedMessage]] = {}
    for row in rows:
        by_workspace.setdefault(row.workspace_id, []).append(row)
    for workspace_rows in by_workspace.values():
        for start in range(0, len(workspace_rows), size):
            batch = workspace_rows[start : start + size]
            kwargs = {
                "tenant_id": batch[0].payload["tenant_id"],
                "job_ids": [row.payload["job_id"] for row in batch],
            }
            yield _message(RUN_JOB, kwargs, batch)


def to_messages(
    rows: Sequence[ClaimedMessage], *, job_batch: int = JOB_BATCH
) -> list[dramatiq.Message[Any]]:
    """The messages that carry ``rows``: each row's payload becomes actor kwargs."""
    jobs = [row for row in rows if row.kind == RUN_JOB]
    others = [_message(row.kind, dict(row.payload), [row]) for row in rows if row.kind != RUN_JOB]
    return [*_job_batches(jobs, job_batch), *others]
