"""Queue, DLQ and webhook-inbox depths for ``/metrics``, read from PostgreSQL when scraped.

The rows that make a depth are tenant rows under RLS, and the runtime role has no
``BYPASSRLS``: the read walks the workspaces (organizations, then each one's
workspaces) in one read-only transaction and one pipeline, so a scrape costs one round
trip for the whole walk rather than one per workspace. A scrape within
``min_interval_s`` of the last read gets that read again.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import psycopg
from loguru import logger
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

JOB_STATUSES = ("queued", "running", "dead")
"""``queued`` is the queue's depth, ``dead`` the DLQ's; finished jobs are not a depth."""
INBOX_STATUSES = ("received", "unrouted", "failed")
"""Webhook events waiting to be routed, matched by no workspace, or given up on."""

_SET_ORGANIZATION = "SELECT set_config('app.organization_id', %s, true)"
_SET_TENANT = "SELECT set_config('app.tenant_id', %s, true)"
_WORKSPACES = "SELECT id FROM workspaces WHERE status = 'COMMITTED'"
_JOBS = "SELECT status, count(*) FROM jobs WHERE tenant_id = %s AND status = ANY(%s) GROUP BY 1"
_INBOX = (
    "SELECT status, count(*) FROM webhook_inbox WHERE tenant_id = %s AND status = ANY(%s) "
    "GROUP BY 1"
)
_OUTBOX = "SELECT count(*) FROM outbox WHERE published_at IS NULL"


@dataclass(frozen=True)
class Depths:
    """Counts over every workspace."""

    jobs: Counter[str]
    webhook_inbox: Counter[str]
    outbox_unpublished: int
    workspaces: int


def _workspaces(conn: psycopg.Connection) -> list[uuid.UUID]:
    organizations = [row[0] for row in conn.execute("SELECT id FROM organizations")]
    found: list[uuid.UUID] = []
    for organization_id in organizations:
        conn.execute(_SET_ORGANIZATION, (str(organization_id),))
        found.extend(row[0] for row in conn.execute(_WORKSPACES))
    conn.execute(_SET_ORGANIZATION, ("",))
    return found


def read_depths(conn: psycopg.Connection, tenants: list[uuid.UUID] | None = None) -> Depths:
    """The depths over ``tenants`` (default: every live workspace), as the runtime role."""
    jobs: Counter[str] = Counter()
    inbox: Counter[str] = Counter()
    with conn.transaction():
        conn.execute("SET TRANSACTION READ ONLY")
        tenants = _workspaces(conn) if tenants is None else tenants
        with conn.pipeline():
            counts: list[tuple[Counter[str], psycopg.Cursor[tuple[str, int]]]] = []
            for tenant_id in tenants:
                conn.execute(_SET_TENANT, (str(tenant_id),))
                counts.append((jobs, conn.execute(_JOBS, (tenant_id, list(JOB_STATUSES)))))
                counts.append((inbox, conn.execute(_INBOX, (tenant_id, list(INBOX_STATUSES)))))
            outbox = conn.execute(_OUTBOX)
        for into, cursor in counts:
            for status, count in cursor.fetchall():
                into[status] += count
        row = outbox.fetchone()
    unpublished = 0 if row is None else int(row[0])
    return Depths(jobs, inbox, unpublished, len(tenants))


def _by_status(
    name: str, documentation: str, statuses: tuple[str, ...], counts: Counter[str]
) -> GaugeMetricFamily:
    """A gauge of ``counts`` labelled by status, one sample per status (zero included)."""
    gauge = GaugeMetricFamily(name, documentation, labels=["status"])
    for status in statuses:
        gauge.add_metric([status], counts[status])
    return gauge


class DepthCollector(Collector):
    """Depth gauges, read on scrape (at most every ``min_interval_s``)."""

    def __init__(
        self, connect: Callable[[], psycopg.Connection], *, min_interval_s: float = 5.0
    ) -> None:
        self._connect = connect
        self._min_interval_s = min_interval_s
        self._lock = threading.Lock()
        self._last: tuple[float, Depths, float] | None = None

    def describe(self) -> list[GaugeMetricFamily]:
        """Nothing up front: registering must not read the database."""
        return []

    def _read(self) -> tuple[float, Depths, float] | None:
        with self._lock:
            now = time.monotonic()
            if self._last is not None and now - self._last[0] < self._min_interval_s:
                return self._last
            started = time.perf_counter()
            try:
                with self._connect() as conn:
                    depths = read_depths(conn)
            except psycopg.Error as exc:
                logger.warning("queue depths not read: {!r}", exc)
                return None
            self._last = (now, depths, time.perf_counter() - started)
            return self._last

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """The gauges of the latest read; none when the database did not answer."""
        read = self._read()
        if read is None:
            return
        _, depths, took = read
        yield _by_status(
            "orchestrator_jobs",
            "Jobs by status over every workspace: queued (queue depth), running, dead (DLQ)",
            JOB_STATUSES,
            depths.jobs,
        )
        yield _by_status(
            "orchestrator_webhook_inbox",
            "Webhook events by status over every workspace: received, unrouted, failed",
            INBOX_STATUSES,
            depths.webhook_inbox,
        )
        yield GaugeMetricFamily(
            "orchestrator_outbox_unpublished",
            "Outbox rows not yet published to the broker",
            value=depths.outbox_unpublished,
        )
        yield GaugeMetricFamily(
            "orchestrator_depth_read_seconds",
            "How long the last read of these depths took",
            value=took,
        )
