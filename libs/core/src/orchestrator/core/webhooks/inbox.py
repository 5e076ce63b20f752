"""Storing verified deliveries: the inbox row and its ``route_webhook`` outbox row.

One statement writes a whole group of one workspace's deliveries (the ingress
group-commits them, ADR 0034): each row is inserted unless its (source, dedupe id) is
already there, and only an inserted row gets its outbox row, so a duplicate writes
nothing at all. The statement scopes itself to the workspace (``app.tenant_id``, for
row-level security), so run on an autocommit connection it is a whole transaction in one
round trip: no ``BEGIN``, ``set_config`` or ``COMMIT`` of its own.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import msgspec
from psycopg import AsyncConnection

from orchestrator.core.db.tenant import TENANT_SCOPE
from orchestrator.core.observability.tracing import current_traceparent
from orchestrator.core.outbox.kinds import ROUTE_WEBHOOK
from orchestrator.core.payloads.store import StoredPayload

MAX_DEDUPE_ID = 300
MAX_EVENT_TYPE = 200

# The group travels as one JSON document (bodies in base64): one parameter for psycopg to
# send, where arrays of bodies and JSON texts would each be escaped element by element.
_INSERT = f"""
    WITH {TENANT_SCOPE}, inbox AS (
        INSERT INTO webhook_inbox (id, tenant_id, source_id, provider, dedupe_id, event_type,
                                   routing, headers, body, traceparent, body_ref,
                                   body_ref_sha256, body_ref_size)
        SELECT i.id, tenant.id, i.source_id, i.provider, i.dedupe_id, i.event_type,
               i.routing, i.headers, decode(i.body, 'base64'), i.traceparent, i.body_ref,
               i.body_ref_sha256, i.body_ref_size
        FROM json_to_recordset(CAST(%(rows)s AS json)) AS i(
                 id uuid, source_id uuid, provider text, dedupe_id text, event_type text,
                 routing jsonb, headers jsonb, body text, traceparent text, body_ref text,
                 body_ref_sha256 text, body_ref_size int)
             CROSS JOIN tenant
        -- One order for every writer, so two inserting the same events cannot deadlock.
        ORDER BY i.source_id, i.dedupe_id
        ON CONFLICT (tenant_id, source_id, dedupe_id) DO NOTHING
        RETURNING id, tenant_id
    ), box AS (
        INSERT INTO outbox (workspace_id, kind, payload)
        SELECT tenant_id, %(kind)s,
               jsonb_build_object('tenant_id', tenant_id::text, 'inbox_id', id::text)
        FROM inbox
    )
    SELECT id FROM inbox
"""  # noqa: S608  (TENANT_SCOPE is a constant)


@dataclass(frozen=True, slots=True)
class Delivery:
    """A verified delivery of one source, as it is stored."""

    tenant_id: uuid.UUID
    source_id: uuid.UUID
    provider: str
    dedupe_id: str
    event_type: str | None
    routing: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes
    traceparent: str | None = field(default_factory=current_traceparent)
    """The trace of the request that delivered it, taken in that request's context (the
    group committer that stores it runs in another's); its routing continues it."""
    id: uuid.UUID = field(default_factory=uuid.uuid4, compare=False)
    """The inbox row's id, chosen here so the statement's answer tells which were inserted.
    The statement reads each delivery's JSON as it is encoded (bodies in base64); it takes
    the workspace from its scope, not from ``tenant_id``."""
    body_ref: str | None = None
    """The body's key in the payload store when it went there (``body`` is then empty)."""
    body_ref_sha256: str | None = None
    body_ref_size: int | None = None

    @property
    def key(self) -> tuple[uuid.UUID, uuid.UUID, str]:
        """What makes two deliveries the same event."""
        return (self.tenant_id, self.source_id, self.dedupe_id)


def storable(value: str) -> str:
    """``value`` as PostgreSQL text and JSONB hold it: no U+0000, no lone surrogates.

    Both can come out of a JSON body (``"\\u0000"``, ``"\\ud800"``), signed or not.
    """
    if "\x00" in value:
        value = value.replace("\x00", "\ufffd")
    try:
        value.encode()
    except UnicodeEncodeError:
        value = value.encode("utf-8", "replace").decode()
    return value


def dedupe_value(value: str) -> str:
    """A provider's event id as stored: a longer one than the column holds is hashed, not
    cut, so two distinct ids never become one."""
    value = storable(value)
    if len(value) > MAX_DEDUPE_ID:
        return "sha256:" + hashlib.sha256(value.encode()).hexdigest()
    return value


def new_delivery(
    *,
    tenant_id: uuid.UUID,
    source_id: uuid.UUID,
    provider: str,
    dedupe_id: str,
    event_type: str | None,
    routing: Mapping[str, str],
    headers: Mapping[str, str],
    body: bytes,
) -> Delivery:
    """A delivery with every text made storable (the ids, type, routing values, headers)."""
    return Delivery(
        tenant_id=tenant_id,
        source_id=source_id,
        provider=provider,
        dedupe_id=dedupe_value(dedupe_id),
        event_type=None if event_type is None else storable(event_type)[:MAX_EVENT_TYPE],
        routing={key: storable(value) for key, value in routing.items()},
        headers={name: storable(value) for name, value in headers.items()},
        body=body,
    )


def stored_apart(delivery: Delivery, stored: StoredPayload) -> Delivery:
    """``delivery`` with its body in the payload store: the row keeps the reference."""
    return replace(
        delivery,
        body=b"",
        body_ref=stored.ref,
        body_ref_sha256=stored.sha256,
        body_ref_size=stored.size,
    )


async def insert_deliveries(
    connection: AsyncConnection[Any], tenant_id: uuid.UUID, deliveries: Sequence[Delivery]
) -> list[bool]:
    """Insert deliveries of one workspace (distinct keys), each with its outbox row unless
    its event is already stored; whether each was inserted, in order.

    Scopes its transaction to ``tenant_id`` (as ``set_tenant`` would) as it goes; on an
    autocommit ``connection`` it commits before returning.
    """
    cursor = await connection.execute(
        _INSERT,
        {
            "tenant_id": str(tenant_id),
            "rows": msgspec.json.encode(deliveries).decode(),
            "kind": ROUTE_WEBHOOK,
        },
    )
    inserted = {found for (found,) in await cursor.fetchall()}
    return [d.id in inserted for d in deliveries]
