"""Reads by key under row-level security, grouped across concurrent requests (ADR 0070).

A one-row read through a session costs a ``BEGIN``, a ``set_config``, the ``SELECT`` and a
``COMMIT``, and most of a millisecond of Python around them. Here the reads of one kind
that arrive together share one message in PostgreSQL's simple query protocol: per
workspace a ``set_config('app.tenant_id', …, true)`` and one ``SELECT`` of every key asked
for. The server runs a message of several statements as one implicit transaction, so each
setting lasts until the message ends and every ``SELECT`` is filtered by RLS for the
workspace set just before it: one round trip, no transaction statements, and the Python
cost of one query shared by the whole group.

The simple protocol has no parameters: the only values written into the text are UUIDs,
formatted from ``uuid.UUID`` objects (hexadecimal digits and dashes), never caller text.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from psycopg.rows import dict_row
from psycopg.types.json import set_json_loads

from orchestrator.core.db.autocommit import AutocommitConnection, Connection
from orchestrator.core.db.group_commit import Grouped, Opener
from orchestrator.core.jsonbounds import load_stored
from orchestrator.core.settings import DatabaseSettings

Key = TypeVar("Key", bound=Hashable)
Row = dict[str, Any]

Select = Callable[[Sequence[Any]], str]
"""The ``SELECT`` of a group's keys of one workspace (RLS scopes it to that workspace)."""


def uuid_literal(value: uuid.UUID) -> str:
    """A quoted UUID literal; refuses anything that is not a ``uuid.UUID``."""
    if not isinstance(value, uuid.UUID):
        raise TypeError(f"not a UUID: {type(value).__name__}")
    return f"'{value}'"


def uuid_list(values: Iterable[uuid.UUID]) -> str:
    """Quoted UUID literals, comma-separated (for ``IN (…)``)."""
    return ",".join(uuid_literal(value) for value in values)


def _set_tenant(tenant_id: uuid.UUID) -> str:
    return f"SELECT set_config('app.tenant_id', {uuid_literal(tenant_id)}, true)"


def _stored_json(connection: Connection) -> None:
    set_json_loads(load_stored, connection)


def reads_connection(settings: DatabaseSettings) -> AutocommitConnection:
    """The runtime role's autocommit connection that grouped reads share; a stored JSON
    value loads as a session loads it (``load_stored``)."""
    return AutocommitConnection(settings, _stored_json)


@dataclass(frozen=True)
class Lookup(Generic[Key]):
    """One caller's read: the rows of ``key`` in ``tenant_id``'s workspace."""

    tenant_id: uuid.UUID
    key: Key


class TenantReads(Generic[Key]):
    """Reads of one kind: ``select`` builds the statement of a workspace's keys, and
    ``key_of`` says which key a row answers."""

    def __init__(
        self,
        opener: Opener[Connection],
        select: Select,
        key_of: Callable[[Row], Key],
        *,
        max_group: int = 256,
    ) -> None:
        """``opener`` yields an autocommit connection (``AutocommitConnection.use``)."""
        self._select = select
        self._key_of = key_of
        self._group: Grouped[Connection, Lookup[Key], list[Row]] = Grouped(
            opener, self._read, max_group=max_group
        )

    async def rows(self, tenant_id: uuid.UUID, key: Key) -> list[Row]:
        """The rows of ``key`` that ``tenant_id``'s workspace may see."""
        return await self._group.submit(Lookup(tenant_id, key))

    async def _read(
        self, connection: Connection, group: Sequence[Lookup[Key]]
    ) -> list[list[Row] | BaseException]:
        keys: dict[uuid.UUID, dict[Key, None]] = {}
        for lookup in group:
            keys.setdefault(lookup.tenant_id, {})[lookup.key] = None
        statements = [
            f"{_set_tenant(tenant_id)}; {self._select(list(wanted))}"
            for tenant_id, wanted in keys.items()
        ]
        found = await _run(connection, "; ".join(statements), len(keys))
        by_tenant: dict[uuid.UUID, dict[Key, list[Row]]] = {}
        for tenant_id, rows in zip(keys, found, strict=True):
            answers = by_tenant[tenant_id] = {}
            for row in rows:
                answers.setdefault(self._key_of(row), []).append(row)
        return [by_tenant[lookup.tenant_id].get(lookup.key, []) for lookup in group]


async def _run(connection: Connection, message: str, selects: int) -> list[list[Row]]:
    """The rows of each ``SELECT`` of ``message``, whose statements alternate a
    ``set_config`` and a ``SELECT``."""
    cursor = connection.cursor(row_factory=dict_row)
    await cursor.execute(message.encode())
    results: list[list[Row]] = []
    for _ in range(selects):
        cursor.nextset()  # past the set_config
        results.append(await cursor.fetchall())
        cursor.nextset()
    return results
