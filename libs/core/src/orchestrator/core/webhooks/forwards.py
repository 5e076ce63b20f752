"""Signed forwards of routed events to product backends (ADR 0036).

A forward binding turns an event into a ``webhook_forwards`` row of the target
workspace, with its own copy of the body (past the payload threshold, an object of the
target workspace in the payload store, ADR 0089), and a ``forward_webhook`` outbox row. Each
message makes one attempt, as completion callbacks do (``callbacks/delivery.py``, whose
signing, POST and backoff this reuses): the body is POSTed with its original content
type, signed in the Standard Webhooks format with the workspace's signing secret under
``webhook-id: msg_<forward id>`` (the same on every retry); recording an attempt is a
compare-and-set on the attempt count, so a redelivered message neither posts twice nor
starts a second retry chain. The pooled upstream client applies the deployment's
``NetworkPolicy`` when it connects, so a URL that passed at binding time but resolves to
a forbidden address now is refused.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.callbacks import public as callbacks
from orchestrator.core.events.wake import Notifier
from orchestrator.core.jobs.public import clip
from orchestrator.core.outbox import writer as outbox
from orchestrator.core.outbox.kinds import FORWARD_WEBHOOK
from orchestrator.core.payloads.process import payload_store
from orchestrator.core.webhooks.bodies import body_of
from orchestrator.core.webhooks.models import WebhookBinding, WebhookForward, WebhookInboxEntry

DEFAULT_CONTENT_TYPE = "application/octet-stream"


def forward_message(
    tenant_id: uuid.UUID, forward_id: uuid.UUID, attempt: int = 1
) -> dict[str, Any]:
    """The outbox payload (and actor kwargs) of one attempt; the first names no attempt."""
    payload: dict[str, Any] = {"tenant_id": str(tenant_id), "forward_id": str(forward_id)}
    if attempt > 1:
        payload["attempt"] = attempt
    return payload


async def _body_columns(tenant_id: uuid.UUID, forward_id: uuid.UUID, body: bytes) -> dict[str, Any]:
    """A forward's own copy of the body: inline, or an object of the target workspace in
    the payload store past the threshold (the inbox's object may be another workspace's,
    and goes with the inbox row's retention)."""
    store = payload_store()
    if store is None or not store.offloads(len(body)):
        return {"body": body}
    stored = await store.put(tenant_id, "forward-body", forward_id, body)
    return {
        "body": b"",
        "body_ref": stored.ref,
        "body_ref_sha256": stored.sha256,
        "body_ref_size": stored.size,
    }


async def create(
    session: AsyncSession,
    notifier: Notifier,
    tenant_id: uuid.UUID,
    entry: WebhookInboxEntry,
    body: bytes,
    bindings: Sequence[WebhookBinding],
) -> int:
    """One forward of ``entry`` (whose body is ``body``) per forward binding, in the
    session's tenant, each with its outbox row; how many were created (a binding that
    already forwarded it adds none)."""
    if not bindings:
        return 0
    content_type = entry.headers.get("content-type") or DEFAULT_CONTENT_TYPE
    rows = []
    for binding in bindings:
        forward_id = uuid.uuid4()
        rows.append(
            {
                "id": forward_id,
                "tenant_id": tenant_id,
                "binding_id": binding.id,
                "inbox_id": entry.id,
                "url": binding.forward_url,
                "event_type": entry.event_type,
                "content_type": content_type,
                **await _body_columns(tenant_id, forward_id, body),
            }
        )
    created = await session.scalars(
        insert(WebhookForward)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["binding_id", "inbox_id"])
        .returning(WebhookForward.id)
    )
    ids = list(created)
    await _forget_uncreated(rows, ids)
    for forward_id in ids:
        await outbox.enqueue(
            session,
            notifier,
            workspace_id=tenant_id,
            kind=FORWARD_WEBHOOK,
            payload=forward_message(tenant_id, forward_id),
        )
    return len(ids)


async def _forget_uncreated(rows: Sequence[dict[str, Any]], created: Sequence[uuid.UUID]) -> None:
    """Delete the stored bodies of forwards that already existed (nothing inserted them)."""
    store = payload_store()
    kept = set(created)
    unused = [row["body_ref"] for row in rows if row["id"] not in kept and "body_ref" in row]
    if store is not None and unused:
        await store.discard(unused)


async def _record(
    session: AsyncSession,
    forward_id: uuid.UUID,
    attempt: int,
    state: str,
    status: int | None,
    error: str | None,
) -> bool:
    """CAS: this is attempt ``attempt`` of a pending forward; its outcome."""
    values = {
        "state": state,
        "attempts": attempt,
        "last_status": status,
        "last_error": clip(error),
        "finished_at": None if state == "pending" else func.now(),
    }
    return await callbacks.record_attempt(
        session,
        WebhookForward.id == forward_id,
        WebhookForward.state,
        WebhookForward.attempts,
        attempt,
        values,
    )


async def deliver(
    sender: callbacks.Sender,
    tenant_id: uuid.UUID,
    forward_id: uuid.UUID,
    attempt: int = 1,
    *,
    policy: callbacks.CallbackPolicy | None = None,
    rng: random.Random | None = None,
    clock: Callable[[], float] = time.time,
) -> callbacks.Delivery:
    """Make attempt ``attempt`` of the forward and record its outcome."""

    async def prepare(session: AsyncSession) -> callbacks.Prepared | None:
        row = await session.get(WebhookForward, forward_id)
        if row is None or row.state != "pending" or row.attempts != attempt - 1:
            return None
        secrets = await callbacks.signing_keys(session, sender.keys)
        request = callbacks.build_request(
            row.url,
            secrets,
            callbacks.message_id(row.id),
            int(clock()),
            await body_of(row),
            content_type=row.content_type,
        )
        # The delivery's trace, when its inbox row is this workspace's (RLS hides another's).
        traceparent = await session.scalar(
            select(WebhookInboxEntry.traceparent).where(WebhookInboxEntry.id == row.inbox_id)
        )
        return request, traceparent

    async def record(
        session: AsyncSession, state: str, posted: callbacks.Posted, delay: float | None
    ) -> bool:
        return await _record(session, forward_id, attempt, state, posted.status, posted.error)

    what = callbacks.Attempt(
        tenant_id,
        attempt,
        "webhook.forward",
        FORWARD_WEBHOOK,
        f"webhook forward {forward_id}",
        prepare,
        record,
        lambda next_attempt: forward_message(tenant_id, forward_id, next_attempt),
    )
    return await callbacks.attempt_delivery(sender, what, policy=policy, rng=rng)
