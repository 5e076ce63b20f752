"""Jobs and the DLQ in Chromium: a dead job's attempts with their errors, replayed alone;
the rest purged after a confirmation; both audited with their reasons."""

from __future__ import annotations

import httpx
from playwright.async_api import Dialog, Page, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.tenancy.service import BootstrapResult
from tests.integration.test_control_jobs import failing_plane
from tests.support.browser import screenshot
from tests.support.control_api import operator_api
from tests.support.stack import Stack
from tests.support.upstream import UpstreamServer


async def test_a_dead_job_is_replayed_and_the_rest_purged_with_reasons(
    admin_page: Page,
    http: httpx.AsyncClient,
    stack: Stack,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    upstream: UpstreamServer,
) -> None:
    upstream.fail("*", status=503, times=None)
    plane = await failing_plane(stack, http, tenant, app_sessions, upstream)
    replayed = await plane.dead("flaky")
    purged = [await plane.dead("other"), await plane.dead("other")]

    page = admin_page
    base = page.url.removesuffix("/overview")
    await page.goto(f"{base}/jobs")  # the DLQ is the default view
    rows = page.locator("table.jobs tbody tr")
    await expect(rows).to_have_count(3)
    await screenshot(page, "dlq")

    await page.click(f"a[href$='/jobs/{replayed['id']}']")
    attempts = page.locator("table.attempts tbody tr")
    await expect(attempts).to_have_count(2)
    assert "503" in await attempts.first.inner_text()
    await screenshot(page, "dead-job-attempts")
    dead_at = (await plane.job(replayed["id"]))["finished_at"]
    await page.fill("form[data-replay-one] input[name=reason]", "upstream fixed")
    await page.click("form[data-replay-one] button[type=submit]")
    await expect(page.locator(".flash.ok")).to_have_text("Replayed 1 dead job(s).")
    # Queued again; the upstream still fails, so the worker may already have run it to its
    # end again: then it died later than before.
    again = await plane.job(replayed["id"])
    assert again["status"] != "dead" or again["finished_at"] > dead_at, again

    await page.goto(f"{base}/jobs?status=dead&connector=other")
    await expect(rows).to_have_count(2)
    questions: list[str] = []

    async def confirm(dialog: Dialog) -> None:
        questions.append(dialog.message)
        await dialog.accept()

    page.on("dialog", confirm)
    await page.fill("form[data-purge] input[name=reason]", "obsolete requests")
    await page.click("form[data-purge] button[type=submit]")
    await expect(page.locator(".flash.ok")).to_have_text("Purged 2 dead job(s).")
    assert questions == ["Delete the matching dead jobs and their attempts for good?"]
    for job in purged:
        gone = await plane.http.get(f"{plane.url}/{job['id']}", headers=plane.auth)
        assert gone.status_code == 404
    await screenshot(page, "dlq-purged")

    # The overview shows both connectors with their recent attempts, all failed.
    await page.goto(f"{base}/overview")
    connectors = page.locator("table.connectors tbody tr")
    await expect(connectors).to_have_count(2)
    assert "100 %" in await connectors.first.inner_text()
    await screenshot(page, "overview-after-failures")

    api = await operator_api(http, stack, tenant)
    reasons = {r["action"]: r["reason"] for r in await api.every("/audit", action_prefix="dlq.")}
    assert reasons == {"dlq.replay": "upstream fixed", "dlq.purge": "obsolete requests"}
