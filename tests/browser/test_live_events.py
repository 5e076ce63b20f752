"""Live events in Chromium: the workspace's stream, relayed by the console through the
operator's impersonation, rows appearing as jobs change state."""

from __future__ import annotations

import httpx
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.tenancy.service import BootstrapResult
from tests.browser.test_impersonation_banner import held_session, section_url, start
from tests.integration.test_control_jobs import failing_plane
from tests.support.browser import screenshot
from tests.support.stack import Service, Stack
from tests.support.upstream import UpstreamServer


async def test_events_appear_live_while_impersonating_and_no_token_reaches_the_page(
    admin_page: Page,
    console: Service,
    http: httpx.AsyncClient,
    stack: Stack,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    upstream: UpstreamServer,
    service_env: dict[str, str],
) -> None:
    page = admin_page
    await page.goto(section_url(console, tenant, "events"))
    assert "Start impersonating this workspace" in await page.locator("main").inner_text()

    await start(page, console, tenant, "watching a failing connector")
    await page.goto(section_url(console, tenant, "events"))
    await expect(page.locator("[data-live-status]")).to_have_text("live")

    upstream.fail("*", status=503, times=None)
    plane = await failing_plane(stack, http, tenant, app_sessions, upstream)
    dead = await plane.dead("flaky")
    rows = page.locator("table[data-live-events] tbody tr")
    await expect(rows.filter(has_text="job.dead")).to_have_count(1)
    assert dead["id"] in await rows.filter(has_text="job.dead").inner_text()
    await expect(rows.filter(has_text="job.queued")).to_have_count(1)
    await screenshot(page, "live-events")

    token = (await held_session(page, service_env))["impersonation"]["token"]
    assert token not in await page.content()
