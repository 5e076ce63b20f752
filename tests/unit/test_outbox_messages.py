"""Outbox rows become messages: jobs and webhook events batched per workspace, the rest one
a row, each message carrying the ids of the rows it publishes."""

from __future__ import annotations

import uuid
from typing import Any

from orchestrator.core.outbox.kinds import DELIVER_CALLBACK, ROUTE_WEBHOOK, RUN_JOB
from orchestrator.core.outbox.messages import to_messages
from orchestrator.core.outbox.repository import ClaimedMessage

A, B = uuid.uuid4(), uuid.uuid4()


def row(row_id: int, workspace: uuid.UUID, kind: str, **payload: Any) -> ClaimedMessage:
    return ClaimedMessage(row_id, workspace, kind, {"tenant_id": str(workspace), **payload}, 0.0)


def test_jobs_and_webhook_events_travel_in_batches_of_one_workspace() -> None:
    rows = [
        row(1, A, ROUTE_WEBHOOK, inbox_id="e1"),
        row(2, B, ROUTE_WEBHOOK, inbox_id="e2"),
        row(3, A, RUN_JOB, job_id="j1"),
        row(4, A, ROUTE_WEBHOOK, inbox_id="e3"),
        row(5, A, DELIVER_CALLBACK, job_id="j0"),
        row(6, A, RUN_JOB, job_id="j2"),
    ]
    sent = {
        (m.actor_name, m.kwargs["tenant_id"]): (m.kwargs, m.options["outbox_ids"])
        for m in to_messages(rows)
    }
    assert sent == {
        ("run_jobs", str(A)): ({"tenant_id": str(A), "job_ids": ["j1", "j2"]}, [3, 6]),
        ("route_webhooks", str(A)): ({"tenant_id": str(A), "inbox_ids": ["e1", "e3"]}, [1, 4]),
        ("route_webhooks", str(B)): ({"tenant_id": str(B), "inbox_ids": ["e2"]}, [2]),
        ("deliver_callback", str(A)): ({"tenant_id": str(A), "job_id": "j0"}, [5]),
    }


def test_a_batch_holds_at_most_the_batch_size() -> None:
    rows = [row(i, A, ROUTE_WEBHOOK, inbox_id=f"e{i}") for i in range(5)]
    sizes = [len(m.kwargs["inbox_ids"]) for m in to_messages(rows, job_batch=2)]
    assert sizes == [2, 2, 1]
