"""Route stored deliveries: find each one's workspace, start its bindings, mark it (ADR 0036,
ADR 0071).

A batch of one receiving workspace's events is routed in one transaction (the actor's,
begun scoped to the receiving workspace) that switches ``app.tenant_id``: the inbox rows still ``received`` are locked in the receiving
workspace (rows another transaction holds are skipped: it routes them); the routing
index is read there (it shows the organization's claims); a target workspace's bindings,
jobs and forwards are read and written under the target's id; the rows are marked back
under the receiver's, in one statement. Either everything commits or nothing does, so a
redelivered message finds the rows no longer ``received`` and does nothing. Sources,
claims and bindings are read once a batch: the events of a burst mostly share them.

An expected refusal while starting an event's bindings (a connector removed or disabled,
a payload PostgreSQL cannot store, the target's queue-depth quota, a body in the payload
store that fails its checks) undoes what that event had started (its savepoint) and marks
it ``failed`` with the reason; a retry through the inbox API sends it through again.
Anything else (the database or the payload store away) rolls the whole transaction back
and the message is retried by the broker.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.db.tenant import set_tenant
from orchestrator.core.errors import Problem
from orchestrator.core.events.wake import Notifier
from orchestrator.core.jobs import public as jobs
from orchestrator.core.observability.tracing import continued_span
from orchestrator.core.payloads.errors import PayloadStoreUnavailable, PayloadUnreadable
from orchestrator.core.upstream.ssrf import NetworkPolicy
from orchestrator.core.webhooks import forwards, inbox_repository, repository, routing
from orchestrator.core.webhooks.bodies import body_of
from orchestrator.core.webhooks.fields import decode_body
from orchestrator.core.webhooks.inbox_repository import Outcome
from orchestrator.core.webhooks.models import WebhookBinding, WebhookInboxEntry, WebhookSource
from orchestrator.core.webhooks.routing import Claim, Target

Pairs = tuple[tuple[str, str], ...]


@dataclass
class _Batch:
    """One batch's transaction: the workspace it is scoped to now, and what it read."""

    session: AsyncSession
    tenant_id: uuid.UUID
    sources: dict[Target, WebhookSource | None] = field(default_factory=dict)
    claims: dict[tuple[str, Pairs], list[Claim]] = field(default_factory=dict)
    bindings: dict[Target, list[WebhookBinding]] = field(default_factory=dict)

    async def scope(self, tenant_id: uuid.UUID) -> None:
        """Scope the transaction to ``tenant_id`` (RLS), unless it already is."""
        if tenant_id != self.tenant_id:
            await set_tenant(self.session, tenant_id)
            self.tenant_id = tenant_id

    async def source(self, target: Target) -> WebhookSource | None:
        """A source, read in its own workspace."""
        if target not in self.sources:
            await self.scope(target.tenant_id)
            self.sources[target] = await repository.SOURCES.get(self.session, target.source_id)
        return self.sources[target]

    async def claims_on(self, provider: str, pairs: Pairs) -> list[Claim]:
        """The organization's claims on ``pairs`` (read in the receiving workspace)."""
        key = (provider, pairs)
        if key not in self.claims:
            rows = await repository.claims_on(self.session, provider, pairs)
            self.claims[key] = [
                Claim(row.key, row.value, Target(row.tenant_id, row.source_id)) for row in rows
            ]
        return self.claims[key]

    async def bindings_of(self, target: Target) -> list[WebhookBinding]:
        """A target source's bindings, read in its workspace."""
        if target not in self.bindings:
            await self.scope(target.tenant_id)
            found = await repository.list_bindings(self.session, target.source_id)
            self.bindings[target] = list(found.items)
        return self.bindings[target]


async def _target(batch: _Batch, entry: WebhookInboxEntry) -> Target | None:
    """Where the event goes (read in the receiving workspace)."""
    receiver = Target(entry.tenant_id, entry.source_id)
    source = await batch.source(receiver)
    keys = routing.most_specific_first(entry.provider)
    pairs = tuple((key, entry.routing[key]) for key in keys if key in entry.routing)
    claims = await batch.claims_on(entry.provider, pairs) if pairs else []
    return routing.choose_target(
        keys,
        entry.routing,
        claims,
        receiver=receiver,
        receiver_claims_anything=bool(source is not None and source.routing),
    )


async def _start(
    batch: _Batch,
    notifier: Notifier,
    entry: WebhookInboxEntry,
    body: bytes,
    target: Target,
    bindings: Sequence[WebhookBinding],
    network: NetworkPolicy,
) -> int:
    """Queue the matching ``bindings``' jobs and forwards in the target's workspace; how
    many were started."""
    job_bindings = [b for b in bindings if b.action == "job" and b.connector and b.operation]
    event = decode_body(body, entry.headers.get("content-type")) if job_bindings else {}
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
            batch.session, notifier, target.tenant_id, new_jobs, plans=[None] * len(new_jobs)
        )
    to_forward = [binding for binding in bindings if binding.action == "forward"]
    return len(new_jobs) + await forwards.create(
        batch.session, notifier, target.tenant_id, entry, body, to_forward
    )


async def _dispatch(
    batch: _Batch, notifier: Notifier, entry: WebhookInboxEntry, network: NetworkPolicy
) -> Outcome:
    await batch.scope(entry.tenant_id)
    target = await _target(batch, entry)
    if target is None:
        return Outcome("unrouted")
    source = await batch.source(target)
    # A disabled or vanished source, or no binding taking the event: nothing to start.
    bindings = (
        routing.matching(await batch.bindings_of(target), entry.event_type)
        if source is not None and source.enabled
        else []
    )
    if not bindings:
        return Outcome("ignored", target.tenant_id, target.source_id)
    try:
        body = await body_of(entry)
    except PayloadUnreadable as exc:  # missing or tampered with: never routed as it is
        return Outcome(
            "failed", target.tenant_id, target.source_id, error=f"{exc.code}: {exc.detail}"
        )
    await batch.scope(target.tenant_id)
    try:
        async with batch.session.begin_nested():
            started = await _start(batch, notifier, entry, body, target, bindings, network)
    except PayloadStoreUnavailable:
        raise  # the whole batch again, later: the broker retries the message
    except Problem as exc:
        return Outcome(
            "failed", target.tenant_id, target.source_id, error=f"{exc.code}: {exc.detail}"
        )
    status = "routed" if started else "ignored"
    return Outcome(status, target.tenant_id, target.source_id, actions=started)


async def route_many(
    session: AsyncSession,
    notifier: Notifier,
    tenant_id: uuid.UUID,
    inbox_ids: Sequence[uuid.UUID],
    *,
    network: NetworkPolicy,
) -> dict[uuid.UUID, Outcome]:
    """Route the events ``inbox_ids`` of workspace ``tenant_id``, in the order they were
    received, in the caller's transaction (the ``route_webhooks`` actor's unit of work),
    scoped to ``tenant_id``; what each came to, for those that were waiting (not already
    routed, retried elsewhere, held by another transaction, or gone)."""
    entries = await inbox_repository.lock_received_many(session, inbox_ids)
    batch = _Batch(session, tenant_id)
    outcomes: dict[uuid.UUID, Outcome] = {}
    for entry in entries:
        # The jobs it queues take this context: they join the delivery's trace.
        with continued_span(
            "webhook.route", entry.traceparent, {"webhook.inbox_id": str(entry.id)}
        ):
            outcomes[entry.id] = await _dispatch(batch, notifier, entry, network)
    await batch.scope(tenant_id)
    await inbox_repository.mark_many(session, outcomes)
    return outcomes
