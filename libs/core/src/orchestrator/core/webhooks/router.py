"""Route one stored delivery: find its workspace, start its bindings, mark it (ADR 0036).

All in one transaction that switches ``app.tenant_id``: the inbox row is locked in the
receiving workspace while it is ``received``; the routing index is read there (it shows
the organization's claims); the target workspace's bindings, jobs and forwards are read
and written under the target's id; the row is marked back under the receiver's. Either
everything commits or nothing does, so a redelivered message finds the row no longer
``received`` and does nothing.

An expected refusal while starting the bindings (a connector removed or disabled, a
payload PostgreSQL cannot store, the target's queue-depth quota) undoes what the event
had started and marks it ``failed`` with the reason; a retry through the inbox API sends
it through again. Anything else (the database away) rolls the whole transaction back and
the message is retried by the broker.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.db.tenant import set_tenant, tenant_transaction
from orchestrator.core.errors import Problem
from orchestrator.core.events.wake import Notifier
from orchestrator.core.jobs import submission as jobs
from orchestrator.core.observability.tracing import continued_span
from orchestrator.core.upstream.ssrf import NetworkPolicy
from orchestrator.core.webhooks import forwards, inbox_repository, repository, routing
from orchestrator.core.webhooks.fields import decode_body
from orchestrator.core.webhooks.inbox_repository import Outcome
from orchestrator.core.webhooks.models import WebhookInboxEntry
from orchestrator.core.webhooks.routing import Claim, Target


async def _target(session: AsyncSession, entry: WebhookInboxEntry) -> Target | None:
    """Where the event goes (read in the receiving workspace)."""
    receiver = Target(entry.tenant_id, entry.source_id)
    source = await repository.source_by_id(session, entry.source_id)
    keys = routing.most_specific_first(entry.provider)
    pairs = [(key, entry.routing[key]) for key in keys if key in entry.routing]
    claims = [
        Claim(row.key, row.value, Target(row.tenant_id, row.source_id))
        for row in await repository.claims_on(session, entry.provider, pairs)
    ]
    return routing.choose_target(
        keys,
        entry.routing,
        claims,
        receiver=receiver,
        receiver_claims_anything=bool(source is not None and source.routing),
    )


async def _start(
    session: AsyncSession,
    notifier: Notifier,
    entry: WebhookInboxEntry,
    target: Target,
    network: NetworkPolicy,
) -> int:
    """Queue the target source's matching jobs and forwards (the session is the target's);
    how many were started. A disabled or vanished source starts nothing."""
    source = await repository.source_by_id(session, target.source_id)
    if source is None or not source.enabled:
        return 0
    bindings = routing.matching(
        (await repository.list_bindings(session, target.source_id)).items, entry.event_type
    )
    job_bindings = [b for b in bindings if b.action == "job" and b.connector and b.operation]
    event = decode_body(entry.body, entry.headers.get("content-type")) if job_bindings else {}
    new_jobs = [
        jobs.NewJob(
            connector=binding.connector,
            operation=binding.operation,
            payload=routing.job_payload(binding.payload_mapping, event),
        )
        for binding in job_bindings
        if binding.connector and binding.operation  # always, by the table's check
    ]
    for new in new_jobs:
        jobs.check_new_job(new, network)
    if new_jobs:
        await jobs.submit_many(
            session, notifier, target.tenant_id, new_jobs, plans=[None] * len(new_jobs)
        )
    to_forward = [binding for binding in bindings if binding.action == "forward"]
    return len(new_jobs) + await forwards.create(
        session, notifier, target.tenant_id, entry, to_forward
    )


async def _dispatch(
    session: AsyncSession, notifier: Notifier, entry: WebhookInboxEntry, network: NetworkPolicy
) -> Outcome:
    target = await _target(session, entry)
    if target is None:
        return Outcome("unrouted")
    await set_tenant(session, target.tenant_id)
    try:
        async with session.begin_nested():
            started = await _start(session, notifier, entry, target, network)
    except Problem as exc:
        return Outcome(
            "failed", target.tenant_id, target.source_id, error=f"{exc.code}: {exc.detail}"
        )
    status = "routed" if started else "ignored"
    return Outcome(status, target.tenant_id, target.source_id, actions=started)


async def route(
    sessions: async_sessionmaker[AsyncSession],
    notifier: Notifier,
    tenant_id: uuid.UUID,
    inbox_id: uuid.UUID,
    *,
    network: NetworkPolicy,
) -> Outcome | None:
    """Route event ``inbox_id`` of workspace ``tenant_id``; what it came to, or None when
    it was not waiting (already routed, retried elsewhere, or gone)."""
    async with tenant_transaction(sessions, tenant_id) as session:
        entry = await inbox_repository.lock_received(session, inbox_id)
        if entry is None:
            return None
        # The jobs it queues take this context: they join the delivery's trace.
        with continued_span(
            "webhook.route", entry.traceparent, {"webhook.inbox_id": str(inbox_id)}
        ):
            outcome = await _dispatch(session, notifier, entry, network)
        await set_tenant(session, tenant_id)
        await inbox_repository.mark(session, inbox_id, outcome)
        return outcome
