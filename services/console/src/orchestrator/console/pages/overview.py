"""``/w/{id}/overview``: a workspace's state at a glance, from one control-api read."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from litestar import get
from litestar.response import Template

from orchestrator.console.context import Console
from orchestrator.console.render import page

LATEST_EVENTS = 15


@get("/w/{workspace:uuid}/overview")
async def overview(console: Console, workspace: uuid.UUID) -> Template:
    """Per connector its breaker, rate limit, error rate and latency; queue, DLQ and inbox
    depths; the month's budget; the latest events; the latest changes for auditors."""
    reads: list[Any] = [
        console.control("GET", "/overview", workspace=workspace, params={"events": LATEST_EVENTS}),
        console.control("GET", "/workspaces", params={"limit": 200}),
    ]
    if console.session.can("audit:read"):
        reads.append(console.control("GET", "/audit", workspace=workspace, params={"limit": 8}))
    found = await asyncio.gather(*reads)
    return await page(
        console,
        "overview.html",
        state=found[0],
        workspaces=found[1]["items"],
        latest=found[2]["items"] if len(found) > 2 else [],
    )
