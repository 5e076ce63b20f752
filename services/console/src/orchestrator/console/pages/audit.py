"""``/w/{id}/audit``: who changed what, when and why, filterable, newest first."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import get
from litestar.params import Parameter
from litestar.response import Template

from orchestrator.console.context import Console, provide_console
from orchestrator.console.diff import changes
from orchestrator.console.render import list_page

Filter = Annotated[str, Parameter(max_length=200)]


def ui_filters(filters: dict[str, str], action: str) -> dict[str, str]:
    """The page's own query (``action`` rather than the API's ``action_prefix``)."""
    return {**{k: v for k, v in filters.items() if k != "action_prefix"}, "action": action}


@get("/w/{workspace:uuid}/audit", dependencies={"console": provide_console})
async def audit_log(
    console: Console,
    workspace: uuid.UUID,
    actor: Filter = "",
    action: Filter = "",
    target: Filter = "",
    since: Filter = "",
    until: Filter = "",
    cursor: Filter = "",
) -> Template:
    """A page of audit records, each with its before/after as a diff."""
    console.may("audit:read")
    filters = {
        "actor": actor,
        "action_prefix": action,
        "target": target,
        "since": since,
        "until": until,
    }
    return await list_page(
        console,
        "audit.html",
        "/audit",
        workspace=workspace,
        section="audit",
        rows="records",
        filters=filters,
        cursor=cursor,
        page_filters=ui_filters(filters, action),
        show=lambda record: {
            **record,
            "changes": changes(record.get("before"), record.get("after")),
        },
    )
