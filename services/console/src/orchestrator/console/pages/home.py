"""``/``: the operator's workspace; the workspace switcher."""

from __future__ import annotations

import uuid

from litestar import get
from litestar.response import Redirect

from orchestrator.console.context import Console
from orchestrator.console.failures import GUEST_PAGE
from orchestrator.console.security import GUEST_OK


@get("/", opt={GUEST_OK: True})
async def home(console: Console) -> Redirect:
    """The overview of the workspace the operator's token names (a guest's channel)."""
    if console.session.guest is not None:
        return Redirect(GUEST_PAGE, status_code=303)
    return Redirect(f"/w/{console.session.workspace_id}/overview", status_code=303)


@get("/w/{workspace:uuid}")
async def switch_workspace(console: Console, workspace: uuid.UUID) -> Redirect:
    """A workspace's overview (the switcher's target)."""
    return Redirect(f"/w/{workspace}/overview", status_code=303)
