"""``/w/{id}/audit``: who changed what, when and why, filterable, newest first."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, get
from litestar.response import Template

from orchestrator.console.context import Console
from orchestrator.console.diff import changes
from orchestrator.console.listing import Listing, Row, list_page


def with_changes(record: Row) -> Row:
    """An audit record with its before/after as a list of changes."""
    return {**record, "changes": changes(record.get("before"), record.get("after"))}


AUDIT = Listing(
    "audit.html",
    "/audit",
    filters=dict.fromkeys(("actor", "action", "target", "since", "until"), ""),
    renamed={"action": "action_prefix"},
    max_length=200,
    show=with_changes,
)


@get("/w/{workspace:uuid}/audit")
async def audit_log(
    request: Request[Any, Any, Any], console: Console, workspace: uuid.UUID
) -> Template:
    """A page of audit records, each with its before/after as a diff."""
    console.may("audit:read")
    return await list_page(console, AUDIT, request.query_params, workspace)
