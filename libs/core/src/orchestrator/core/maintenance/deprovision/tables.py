"""Which tables hold a workspace's rows, in the order they can be emptied.

Read from the catalog, not listed by hand, so a table added later is deleted too: every
table of the schema with a ``tenant_id`` column (but the audit log, which outlives the
workspace), each after the tables whose foreign keys name it, so that no batch cascades
into another table's rows.
"""

from __future__ import annotations

from graphlib import TopologicalSorter

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

KEPT = frozenset({"audit_log"})
"""Tenant tables whose rows outlive the workspace: its audit trail (ADR 0100)."""

_TENANT_TABLES = text(
    """
    SELECT c.relname FROM pg_class c
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
    """
)
_REFERENCES = text(
    """
    SELECT child.relname AS child, parent.relname AS parent FROM pg_constraint k
    JOIN pg_class child ON child.oid = k.conrelid
    JOIN pg_class parent ON parent.oid = k.confrelid
    WHERE k.contype = 'f' AND child.relnamespace = 'public'::regnamespace
    """
)


async def tenant_tables(session: AsyncSession) -> list[str]:
    """Every table with a ``tenant_id`` column, kept ones excluded, children first."""
    tables = set((await session.scalars(_TENANT_TABLES)).all()) - KEPT
    parents_of: dict[str, set[str]] = {table: set() for table in tables}
    for child, parent in (await session.execute(_REFERENCES)).all():
        if child in tables and parent in tables and child != parent:
            # ``child`` must be emptied before ``parent``: the parent depends on the child.
            parents_of[parent].add(child)
    return list(TopologicalSorter(parents_of).static_order())
