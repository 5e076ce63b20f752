"""The webhook inbox in Chromium: a delivery's headers and raw body, shown inert; retried
with a reason."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.browser import screenshot
from tests.support.control_api import Api, operator_api
from tests.support.stack import Stack
from tests.support.webhooks import slack_event, slack_source, store_delivery

HOSTILE = "<script>window.__xss = 1</script><img src=x onerror=window.__xss=2>"


async def entry_when(
    api: Api, inbox_id: uuid.UUID, done: str, wait_s: float = 15.0
) -> dict[str, Any]:
    """The inbox entry once ``done`` (a Python expression over it) holds."""
    deadline = time.monotonic() + wait_s
    while True:
        found = (await api.call("GET", f"/webhooks/inbox/{inbox_id}")).json()
        if eval(done, {}, {"e": found}):  # noqa: S307 - a literal condition of this test
            return dict(found)
        assert time.monotonic() < deadline, f"{done} never held: {found}"
        await asyncio.sleep(0.1)


async def test_a_delivery_is_shown_inert_and_retried_with_a_reason(
    admin_page: Page,
    http: httpx.AsyncClient,
    stack: Stack,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    api = await operator_api(http, stack, tenant)
    made = await slack_source(api, f"slack-{uuid.uuid4().hex[:6]}", {})
    assert made.status_code == 201, made.text
    source_id = uuid.UUID(made.json()["id"])
    inbox_id = await store_delivery(
        app_sessions, tenant.tenant_id, source_id, "slack", slack_event("C1", text=HOSTILE)
    )
    await entry_when(api, inbox_id, "e['status'] == 'ignored'")  # no binding takes it

    page = admin_page
    base = page.url.removesuffix("/overview")
    await page.goto(f"{base}/inbox?status=ignored")
    await page.click(f"a[href$='/inbox/{inbox_id}']")
    body = page.locator("[data-body]")
    await expect(body).to_contain_text(HOSTILE)
    assert await page.evaluate("window.__xss") is None
    await screenshot(page, "inbox-delivery")

    await page.fill("form[data-retry-one] input[name=reason]", "replay after the fix")
    await page.click("form[data-retry-one] button[type=submit]")
    await expect(page.locator(".flash.ok")).to_have_text("Sent the delivery back to routing.")
    retried = await entry_when(api, inbox_id, "e['attempts'] == 2 and e['status'] == 'ignored'")
    assert retried["status"] == "ignored"
    audit = await api.call("GET", "/audit", params={"target": f"webhook_inbox:{inbox_id}"})
    assert [r["reason"] for r in audit.json()["items"]] == ["replay after the fix"]
    await screenshot(page, "inbox-retried")
