"""``/w/{id}/overview``: a workspace's state at a glance."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from litestar import get
from litestar.response import Template

from orchestrator.console.context import Console, provide_console
from orchestrator.console.render import page


@get("/w/{workspace:uuid}/overview", dependencies={"console": provide_console})
async def overview(console: Console, workspace: uuid.UUID) -> Template:
    """Connectors, queue and DLQ depth, budget use and the latest changes."""
    details, workspaces, connectors, dead, usage = await asyncio.gather(
        console.control("GET", f"/workspaces/{workspace}"),
        console.control("GET", "/workspaces", params={"limit": 200}),
        console.control("GET", "/connectors", workspace=workspace, params={"limit": 200}),
        console.control("GET", "/dlq", workspace=workspace, params={"limit": 100}),
        console.control("GET", "/quotas/usage", workspace=workspace),
    )
    latest: list[dict[str, Any]] = []
    if console.session.can("audit:read"):
        latest = (
            await console.control("GET", "/audit", workspace=workspace, params={"limit": 10})
        )["items"]
    return await page(
        console,
        "overview.html",
        workspace=str(workspace),
        section="overview",
        details=details,
        workspaces=workspaces["items"],
        connectors=connectors["items"],
        dead=dead["items"],
        dead_more=dead["next_cursor"] is not None,
        usage=usage,
        latest=latest,
    )
