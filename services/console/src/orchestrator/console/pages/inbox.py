"""``/w/{id}/inbox``: the webhook inbox by source, status, event type and time; one
delivery's headers and raw body; retry one or a filtered set, each with a reason."""

from __future__ import annotations

import base64
import uuid
from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template

from orchestrator.console.context import Console
from orchestrator.console.listing import Listing, list_page
from orchestrator.console.pages.submitted import call_with_reason, chosen, field, posted
from orchestrator.console.render import page

STATUSES = ("received", "routed", "unrouted", "ignored", "failed")
RETRYABLE = ("unrouted", "ignored", "failed")
RETRY_FILTERS = ("source_id", "event_type", "received_after", "received_before")
INBOX = Listing(
    "inbox.html",
    "/webhooks/inbox",
    filters=dict.fromkeys(("status", *RETRY_FILTERS), ""),
)


@get("/w/{workspace:uuid}/inbox")
async def inbox(
    request: Request[Any, Any, Any], console: Console, workspace: uuid.UUID
) -> Template:
    """A page of stored deliveries, newest first."""
    sources = await console.control(
        "GET", "/webhooks/sources", workspace=workspace, params={"limit": 200}
    )
    return await list_page(
        console,
        INBOX,
        request.query_params,
        workspace,
        statuses=STATUSES,
        sources={source["id"]: source["name"] for source in sources["items"]},
    )


def readable_body(encoded: str) -> tuple[str, bool]:
    """The raw body as text when it is UTF-8, else as base64 (and which it is)."""
    raw = base64.b64decode(encoded)
    try:
        return raw.decode("utf-8"), True
    except UnicodeDecodeError:
        return encoded, False


@get("/w/{workspace:uuid}/inbox/{inbox_id:uuid}")
async def delivery(console: Console, workspace: uuid.UUID, inbox_id: uuid.UUID) -> Template:
    """One delivery: what routing made of it, its headers and the bytes the provider signed."""
    found: dict[str, Any] = await console.control(
        "GET", f"/webhooks/inbox/{inbox_id}", workspace=workspace
    )
    body, is_text = readable_body(found["body_base64"])
    return await page(
        console,
        "delivery.html",
        event=found,
        body=body,
        body_is_text=is_text,
        retryable=found["status"] in RETRYABLE,
    )


@post("/w/{workspace:uuid}/inbox/{inbox_id:uuid}/retry", status_code=303)
async def retry_one(
    request: Request[Any, Any, Any], console: Console, workspace: uuid.UUID, inbox_id: uuid.UUID
) -> Redirect:
    """Route one delivery again."""
    console.may("jobs:write")
    return await call_with_reason(
        console,
        await posted(request),
        f"/w/{workspace}/inbox/{inbox_id}",
        ("POST", f"/webhooks/inbox/{inbox_id}/retry"),
        workspace=workspace,
        done="Sent the delivery back to routing.",
    )


@post("/w/{workspace:uuid}/inbox/retry", status_code=303)
async def retry_many(
    request: Request[Any, Any, Any], console: Console, workspace: uuid.UUID
) -> Redirect:
    """Route again the unrouted, ignored or failed deliveries matching the filter."""
    console.may("jobs:write")
    form = await posted(request)
    body: dict[str, Any] = chosen(form, *RETRY_FILTERS)
    if field(form, "status") in RETRYABLE:
        body["status"] = [field(form, "status")]
    return await call_with_reason(
        console,
        form,
        f"/w/{workspace}/inbox",
        ("POST", "/webhooks/inbox/retry"),
        workspace=workspace,
        json=body,
        done=lambda answer: f"Sent {answer['retried']} delivery(ies) back to routing.",
    )


INBOX_PAGES = [inbox, delivery, retry_one, retry_many]
