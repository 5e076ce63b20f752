"""``/w/{id}/configuration/quotas``: the workspace's limits, one document shown and set whole
through a form generated from the control-api's ``QuotaPut`` schema."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template

from orchestrator.console.context import Console
from orchestrator.console.kinds import QUOTAS
from orchestrator.console.pages.configuration import form_page, submit
from orchestrator.console.render import page

HERE = "/w/{workspace:uuid}/configuration/quotas"


@get(HERE)
async def quotas(console: Console, workspace: uuid.UUID) -> Template:
    """The limits as the API holds them (null: unlimited)."""
    found = await console.control("GET", QUOTAS.api, workspace=workspace)
    return await page(console, "quotas.html", quotas=found)


@get(HERE + "/edit")
async def edit_quotas(console: Console, workspace: uuid.UUID) -> Template:
    """The form, filled with the limits set now."""
    console.may("configuration:write")
    found = await console.control("GET", QUOTAS.api, workspace=workspace)
    return await form_page(console, QUOTAS, key="", type_name="", value=found)


@post(HERE + "/edit", status_code=303)
async def set_quotas(
    request: Request[Any, Any, Any], console: Console, workspace: uuid.UUID
) -> Redirect | Template:
    """Set them; the form again, with the API's refusal, when it says no."""
    console.may("configuration:write")
    saved = "Saved the workspace's quotas.", f"/w/{workspace}/configuration/quotas"
    return await submit(
        request, console, workspace, QUOTAS, "", "", ("PUT", QUOTAS.api), lambda _: saved
    )


QUOTA_PAGES = [quotas, edit_quotas, set_quotas]
