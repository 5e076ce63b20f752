"""Verified deliveries, group-committed: concurrent ones share a statement (ADR 0034).

A delivery is answered ``200`` only after the statement holding its inbox row (and its
outbox row) committed; under load one commit serves every delivery that arrived while
the previous group was being written.

The writer has one autocommit connection of its own (``core/db/autocommit.py``): a
group's one statement per workspace is then its own transaction, sent in one round trip
(``core/webhooks/inbox.py``), where a session's ``BEGIN``, ``set_tenant``, insert and
``COMMIT`` took four, and its per-group work cost more CPU than the statement. A group
that spans workspaces is one transaction per workspace.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import psycopg

from orchestrator.core.db.autocommit import Connection
from orchestrator.core.db.group_commit import Grouped, Opener
from orchestrator.core.events.wake import Notifier
from orchestrator.core.webhooks.inbox import Delivery, insert_deliveries


class InboxWriter:
    """Stores deliveries through one group committer per process."""

    def __init__(self, opener: Opener[Connection], notifier: Notifier) -> None:
        """``opener`` yields an autocommit connection (``AutocommitConnection.use``)."""
        self._notifier = notifier
        self._group: Grouped[Connection, Delivery, bool] = Grouped(opener, self._write)

    async def store(self, delivery: Delivery) -> bool:
        """Store ``delivery`` unless its event is already stored; whether it was new.

        Returns once the row committed.
        """
        stored = await self._group.submit(delivery)
        if stored:  # committed: wake the relays (coalesced, so cheap per delivery)
            self._notifier.outbox_written()
        return stored

    async def _write(
        self, connection: Connection, group: Sequence[Delivery]
    ) -> list[bool | BaseException]:
        # The first of a group's copies of one event is the one inserted (or found stored);
        # the others are duplicates that need no statement.
        first: dict[tuple[uuid.UUID, uuid.UUID, str], int] = {}
        by_tenant: dict[uuid.UUID, list[int]] = {}
        for index, delivery in enumerate(group):
            if first.setdefault(delivery.key, index) == index:
                by_tenant.setdefault(delivery.tenant_id, []).append(index)
        results: list[bool | BaseException] = [False] * len(group)
        for tenant_id, indexes in by_tenant.items():
            await _insert(connection, tenant_id, group, indexes, results)
        for index, delivery in enumerate(group):  # a copy fails with the one written
            written = results[first[delivery.key]]
            if isinstance(written, BaseException):
                results[index] = written
        return results


async def _insert(
    connection: Connection,
    tenant_id: uuid.UUID,
    group: Sequence[Delivery],
    indexes: list[int],
    results: list[bool | BaseException],
) -> None:
    """One workspace's deliveries in one statement; if it fails, each alone, so one bad
    delivery (its source deleted a moment ago) fails by itself. Statements that committed
    stand: each is its own transaction."""
    try:
        stored = await insert_deliveries(connection, tenant_id, [group[i] for i in indexes])
    except psycopg.Error as exc:
        if len(indexes) == 1:
            results[indexes[0]] = exc
            return
        for index in indexes:
            await _insert(connection, tenant_id, group, [index], results)
        return
    for index, new in zip(indexes, stored, strict=True):
        results[index] = new
