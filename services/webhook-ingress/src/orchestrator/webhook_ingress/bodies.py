"""A verified body past the payload threshold goes to the payload store (ADR 0089).

The object is put before the inbox row is written, so a row never names an object that
is not there; an object whose row was not written (a duplicate event, a database that
did not take it) is deleted again. Only a crash between the two leaves one unreferenced.
"""

from __future__ import annotations

from orchestrator.core.payloads.errors import PayloadStoreUnavailable
from orchestrator.core.payloads.store import PayloadStore
from orchestrator.core.webhooks.inbox import Delivery, stored_apart
from orchestrator.webhook_ingress.metrics import Outcome, count


async def offloaded(store: PayloadStore | None, delivery: Delivery) -> Delivery:
    """``delivery`` as it is written: its body put to ``store`` if it passes the
    threshold; a 503 (``Retry-After``) if the store does not take it."""
    if store is None or not store.offloads(len(delivery.body)):
        return delivery
    try:
        stored = await store.put(delivery.tenant_id, "webhook-body", delivery.id, delivery.body)
    except PayloadStoreUnavailable:
        count(delivery.provider, Outcome.UNAVAILABLE)
        raise
    return stored_apart(delivery, stored)


async def forget_unwritten(store: PayloadStore | None, delivery: Delivery) -> None:
    """Delete the object of a delivery whose row was not written, if it had one."""
    if store is not None and delivery.body_ref is not None:
        await store.discard([delivery.body_ref])
