"""``/w/{id}/drafts``: configuration changes staged together (ADR 0078): open a draft, put
or remove its items, read what activating it would change, then activate or discard it."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template

from orchestrator.console.context import Console
from orchestrator.console.diff import of_resources
from orchestrator.console.errors import BadForm
from orchestrator.console.pages.submitted import Made, field, parse_document, send_form
from orchestrator.console.pages.versions import WRITE, move
from orchestrator.console.render import page

MEMBERS = (
    *("policies", "secret_refs", "connectors", "configs", "workflows", "schedules"),
    "webhook_sources",
)
"""The bundle lists whose items a draft edits by name (the control-api's ``member``)."""


@get("/w/{workspace:uuid}/drafts")
async def drafts(console: Console, workspace: uuid.UUID) -> Template:
    """The workspace's drafts, newest first, and a form opening one."""
    listed: dict[str, Any] = await console.control("GET", "/drafts", workspace=workspace)
    return await page(console, "drafts.html", rows=listed["items"])


@post("/w/{workspace:uuid}/drafts", status_code=303)
async def open_draft(
    request: Request[Any, Any, Any], console: Console, workspace: uuid.UUID
) -> Redirect:
    """Open a draft with the form's title, from the configuration as it is or a version."""

    def made(form: FormMultiDict) -> Made:
        body: dict[str, Any] = {"title": field(form, "title")}
        if source := field(form, "from_version"):
            body["from_version"] = int(source) if source.isdigit() else source
        return ("POST", "/drafts"), {"workspace": workspace, "json": body}

    to = f"/w/{workspace}/drafts"
    return await send_form(request, console, WRITE, to, made, done=opened)


def opened(draft: dict[str, Any]) -> str:
    """The notice after opening a draft."""
    return f"Draft “{draft['title']}” opened."


@get("/w/{workspace:uuid}/drafts/{draft:uuid}")
async def draft_page(console: Console, workspace: uuid.UUID, draft: uuid.UUID) -> Template:
    """One draft: what activating it would change now, whether it would be refused, and
    forms editing, activating and discarding it."""
    one: dict[str, Any] = await console.control("GET", f"/drafts/{draft}", workspace=workspace)
    diff: dict[str, Any] = await console.control(
        "GET", f"/drafts/{draft}/diff", workspace=workspace
    )
    diff["changes"] = of_resources(diff["changes"])
    return await page(console, "draft.html", draft=one, diff=diff, members=MEMBERS)


def item_path(draft: uuid.UUID, form: FormMultiDict) -> str:
    """The control-api path of the item the form names; 400 when it names none."""
    member, name = field(form, "member"), field(form, "name")
    if member not in MEMBERS or not name:
        raise BadForm("Choose the kind of item and give its name.")
    return f"/drafts/{draft}/items/{member}/{name}"


@post("/w/{workspace:uuid}/drafts/{draft:uuid}/items", status_code=303)
async def put_item(
    request: Request[Any, Any, Any], console: Console, workspace: uuid.UUID, draft: uuid.UUID
) -> Redirect:
    """Put the item the form names, as the form's JSON document has it (``remove``: take
    it out of the draft instead)."""

    def made(form: FormMultiDict) -> Made:
        path = item_path(draft, form)
        if field(form, "remove") == "yes":
            return ("DELETE", path), {"workspace": workspace}
        return ("PUT", path), {
            "workspace": workspace,
            "json": parse_document(field(form, "document")),
        }

    to = f"/w/{workspace}/drafts/{draft}"
    return await send_form(request, console, WRITE, to, made, done="Saved in the draft.")


@post("/w/{workspace:uuid}/drafts/{draft:uuid}/activate", status_code=303)
async def activate_draft(
    request: Request[Any, Any, Any], console: Console, workspace: uuid.UUID, draft: uuid.UUID
) -> Redirect:
    """Activate the draft as one version, expecting the active version the page showed
    (its diff is against that one; none before the first version); to the versions list
    with a notice, the API's refusal included."""
    return await move(
        request, console, workspace, lambda _: f"/drafts/{draft}/activate", none_shown=True
    )


@post("/w/{workspace:uuid}/drafts/{draft:uuid}/discard", status_code=303)
async def discard_draft(
    request: Request[Any, Any, Any], console: Console, workspace: uuid.UUID, draft: uuid.UUID
) -> Redirect:
    """Discard the draft, with the form's reason."""

    def made(_: FormMultiDict) -> Made:
        return ("DELETE", f"/drafts/{draft}"), {"workspace": workspace}

    to = f"/w/{workspace}/drafts"
    return await send_form(request, console, WRITE, to, made, done="Draft discarded.")


DRAFT_PAGES = [drafts, open_draft, draft_page, put_item, activate_draft, discard_draft]
