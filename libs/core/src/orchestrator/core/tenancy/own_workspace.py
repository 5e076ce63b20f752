"""The caller's own workspace, read through row-level security alone (ADR 0070).

The statement has no ``WHERE``: the workspace set for the transaction is the only one RLS
lets it see, which is what the exec-api's ``GET /api/v1/workspace`` proves to a caller.
Concurrent reads share one round trip (``core/db/tenant_reads.py``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from orchestrator.core.db.autocommit import Connection
from orchestrator.core.db.group_commit import Opener
from orchestrator.core.db.tenant_reads import Row, TenantReads
from orchestrator.core.errors import NotFound

WorkspaceReads = TenantReads[None]


def select_visible(_: Sequence[None]) -> str:
    """Every workspace the transaction may see."""
    return "SELECT id, name, environment, status FROM workspaces"


def _any(_: Row) -> None:
    return None


def workspace_reads(opener: Opener[Connection]) -> WorkspaceReads:
    """Grouped reads of the visible workspace, through ``opener``'s autocommit connection."""
    return TenantReads(opener, select_visible, _any)


async def own_workspace(reads: WorkspaceReads, tenant_id: uuid.UUID) -> Row:
    """The one workspace ``tenant_id`` sees (its own), or 404."""
    rows = await reads.rows(tenant_id, None)
    if len(rows) != 1:
        raise NotFound("Your workspace is not visible.")
    return rows[0]
