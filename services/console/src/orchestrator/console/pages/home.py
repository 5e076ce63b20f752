"""``/``: the operator's workspace; the workspace switcher."""

from __future__ import annotations

import uuid

from litestar import get
from litestar.response import Redirect

from orchestrator.console.context import Console


@get("/")
async def home(console: Console) -> Redirect:
    """The overview of the workspace the operator's token names."""
    return Redirect(f"/w/{console.session.workspace_id}/overview", status_code=303)


@get("/w/{workspace:uuid}")
async def switch_workspace(console: Console, workspace: uuid.UUID) -> Redirect:
    """A workspace's overview (the switcher's target)."""
    return Redirect(f"/w/{workspace}/overview", status_code=303)
