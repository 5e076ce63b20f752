"""A large workspace, seeded in bulk with a few ``INSERT … SELECT generate_series`` statements
(seconds for 100,000 jobs): the overview's bounded-reads test and the console bench
(``bench/console.py``) both read it.

Rows are written as the schema owner, straight into the tables, so nothing routes,
dispatches or audits them: jobs are due in a day (the worker's sweep leaves them be) and
inbox rows have no outbox row.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.db.tenant import set_tenant

CHUNK = 25_000
"""Rows a seeding statement inserts: each stays well inside the engine's query timeout."""


@dataclass(frozen=True)
class Bulk:
    """How many rows of each kind; the default is the overview test's workspace."""

    jobs: int = 100_000
    queued: int = 12_000
    """The first ``queued`` jobs are queued (more than a depth counts), the next ``dead``
    dead, the rest succeeded."""
    dead: int = 3_000
    attempts: int = 20_000
    """Jobs that ran (dead or succeeded) with one attempt each, started over the last hour
    (at most ``CHUNK``: one statement picks them)."""
    inbox: int = 10_000
    """Webhook deliveries: a tenth received, a tenth failed, a tenth unrouted, the rest routed."""
    audit: int = 10_000
    events: int = 100_000

    @classmethod
    def scaled(cls, jobs: int, *, inbox: int, audit: int) -> Bulk:
        """A workspace of ``jobs`` jobs in the default's proportions."""
        return cls(
            jobs=jobs,
            queued=jobs * 12 // 100,
            dead=jobs * 3 // 100,
            attempts=jobs // 5,
            inbox=inbox,
            audit=audit,
            events=jobs,
        )


JOBS = """
    INSERT INTO jobs (id, tenant_id, connector, operation, payload, status, max_attempts,
                      attempts, available_at, created_at, updated_at, finished_at)
    SELECT gen_random_uuid(), :tenant, 'bulk-' || (g % 7), 'op', '{}'::jsonb,
           CASE WHEN g <= CAST(:queued AS int) THEN 'queued'
                WHEN g <= CAST(:dead_until AS int) THEN 'dead'
                ELSE 'succeeded' END,
           3, 1, now() + interval '1 day', now() - g * interval '1 second', now(),
           CASE WHEN g <= CAST(:queued AS int) THEN NULL ELSE now() END
    FROM generate_series(CAST(:first AS int), CAST(:last AS int)) AS g
"""
ATTEMPTS = """
    INSERT INTO job_runs (tenant_id, job_id, attempt, started_at, finished_at, outcome,
                          upstream_status, duration_ms)
    SELECT tenant_id, id, 1, now() - random() * interval '1 hour', now(),
           CASE status WHEN 'succeeded' THEN 'succeeded' ELSE 'retryable' END, 200, 40
    FROM (
        SELECT tenant_id, id, status FROM jobs
        WHERE tenant_id = :tenant AND status <> 'queued'
        LIMIT CAST(:last AS int) - CAST(:first AS int) + 1
    ) AS ran
"""
INBOX = """
    INSERT INTO webhook_inbox (id, tenant_id, source_id, provider, dedupe_id, routing,
                               headers, body, status)
    SELECT gen_random_uuid(), :tenant, :source, 'stripe', 'evt_bulk_' || g, '{}', '{}',
           '\\x7b7d'::bytea,
           CASE g % 10 WHEN 0 THEN 'received' WHEN 1 THEN 'failed' WHEN 2 THEN 'unrouted'
                       ELSE 'routed' END
    FROM generate_series(CAST(:first AS int), CAST(:last AS int)) AS g
"""
AUDIT = """
    INSERT INTO audit_log (tenant_id, actor, action, target, reason, created_at)
    SELECT :tenant, 'op:bulk', 'policy.update', 'policy:p' || g, 'bulk',
           now() - g * interval '1 second'
    FROM generate_series(CAST(:first AS int), CAST(:last AS int)) AS g
"""
EVENTS = """
    INSERT INTO event_log (tenant_id, type, data)
    SELECT :tenant, 'bulk.event', jsonb_build_object('n', g)
    FROM generate_series(CAST(:first AS int), CAST(:last AS int)) AS g
"""
TABLES = ("jobs", "job_runs", "webhook_inbox", "audit_log", "event_log")


async def seed(
    sessions: async_sessionmaker[AsyncSession],
    tenant_id: uuid.UUID,
    source: str,
    bulk: Bulk = Bulk(),
) -> None:
    """The bulk of a large workspace (its webhook deliveries from ``source``, a Stripe
    source's id), as the owner (``sessions``), a chunk per transaction; then ``ANALYZE``."""
    statements = (
        (JOBS, bulk.jobs),
        (ATTEMPTS, bulk.attempts),
        (INBOX, bulk.inbox),
        (AUDIT, bulk.audit),
        (EVENTS, bulk.events),
    )
    if bulk.attempts > CHUNK or bulk.attempts > bulk.jobs - bulk.queued:
        raise ValueError(f"at most {CHUNK} attempts, one for each job that ran")
    for statement, rows in statements:
        for first in range(1, rows + 1, CHUNK):
            last = min(first + CHUNK - 1, rows)
            async with sessions() as session, session.begin():
                await set_tenant(session, tenant_id)
                params = {
                    "tenant": tenant_id,
                    "source": source,
                    "first": first,
                    "last": last,
                    "queued": bulk.queued,
                    "dead_until": bulk.queued + bulk.dead,
                }
                await session.execute(text(statement), params)
    async with sessions() as session, session.begin():
        for table in TABLES:
            await session.execute(text(f"ANALYZE {table}"))
