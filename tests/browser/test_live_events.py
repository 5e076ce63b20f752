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

    # A reconnect through the relay: what the browser's EventSource sends after a lost
    # connection (its session cookie, Last-Event-ID) resumes right after that event.
    ids = await rows.evaluate_all("rows => rows.map(r => r.dataset.eventId).reverse()")
    assert len(ids) >= 3
    cookies = {c["name"]: c["value"] for c in await page.context.cookies()}
    resumed = await first_event_after(console, tenant, cookies, ids[0])
    assert resumed == ids[1]


async def first_event_after(
    console: Service, tenant: BootstrapResult, cookies: dict[str, str], last_id: str
) -> str:
    """The id of the first event the console's relay sends to a reconnect after ``last_id``."""
    async with (
        httpx.AsyncClient(cookies=cookies, timeout=10) as client,
        client.stream(
            "GET",
            f"{console.url}/w/{tenant.tenant_id}/events/stream",
            headers={"Last-Event-ID": last_id, "Accept": "text/event-stream"},
        ) as stream,
    ):
        assert stream.status_code == 200
        async for line in stream.aiter_lines():
            if line.startswith("id:"):
                return line.removeprefix("id:").strip()
    raise AssertionError("the relay ended before any event")
