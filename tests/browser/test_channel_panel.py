"""The status channel's panel in Chromium: two operators, each on a workspace page, see each
other's actions and votes live, and both see the orchestrator's ``breaker_open`` when calls
open a breaker; a fourth tab of one operator closes its oldest, which says so and reopens."""

from __future__ import annotations

import httpx
from playwright.async_api import Browser, Page, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.tenancy.service import BootstrapResult
from tests.browser.test_impersonation_banner import section_url
from tests.integration.test_channel_statuses import BREAKER
from tests.support.browser import screenshot
from tests.support.console import signed_in
from tests.support.control_api import Api
from tests.support.execution import caller, problem
from tests.support.factories import new_auditor
from tests.support.stack import Service, Stack
from tests.support.upstream import UpstreamServer

LIVE_S = 10_000  # ms: what "live" allows here, on a loaded machine


async def live(page: Page) -> None:
    """Wait for the panel's stream (the page just signed in to opens one: waiting for it
    before moving on keeps its opening from landing after the next page's)."""
    await expect(page.locator("aside[data-channel] [data-channel-state]")).to_have_text(
        "live", timeout=LIVE_S
    )


async def test_two_operators_see_each_others_actions_and_the_breaker_live(
    admin_page: Page,
    browser: Browser,
    console: Service,
    http: httpx.AsyncClient,
    stack: Stack,
    tenant: BootstrapResult,
    api: Api,
    app_sessions: async_sessionmaker[AsyncSession],
    upstream: UpstreamServer,
) -> None:
    made = await api.write(
        "POST", "/channel/polls", {"name": "ship", "choices": ["today", "monday"]}
    )
    assert made.status_code == 201, made.text
    auditor = await new_auditor(app_sessions, tenant)
    other = await signed_in(browser, console, auditor.client_id, auditor.client_secret)
    try:
        admin = admin_page
        await live(admin)
        await live(other)
        session = await other.locator("aside[data-channel]").get_attribute("data-session")
        await other.goto(section_url(console, tenant, "audit"))  # the tab keeps its session
        await live(other)
        assert await other.locator("aside[data-channel]").get_attribute("data-session") == session
        await expect(admin.locator("[data-channel-sessions]")).to_have_text("2", timeout=LIVE_S)

        await admin.locator("aside[data-channel] button[data-action=tests_green]").click()
        seen = other.locator("aside [data-channel-feed] li[data-type=action]")
        await expect(seen.filter(has_text="Tests green")).to_have_count(1, timeout=LIVE_S)
        assert (await seen.first.get_attribute("data-actor") or "").startswith("op:")
        await expect(
            other.locator("[data-channel-counters] li[data-key=tests_green]")
        ).to_have_attribute("data-count", "1", timeout=LIVE_S)

        await other.locator("aside [data-poll=ship] button[data-choice=monday]").click()
        voted = admin.locator("aside [data-channel-feed] li[data-action=vote]")
        await expect(voted.filter(has_text="voted monday in ship")).to_have_count(1, timeout=LIVE_S)
        await expect(
            admin.locator('[data-channel-counters] li[data-key="vote:ship:monday"]')
        ).to_have_attribute("data-count", "1", timeout=LIVE_S)

        # The breaker: calls that fail open it, and the system's status reaches both panels.
        client = await caller(http, stack, tenant)
        connector = await client.connector(
            upstream, {"retry": {"max_attempts": 1}, "breaker": BREAKER}
        )
        upstream.fail(status=500, times=None)
        for _ in range(4):
            problem(await client.execute(connector), 502, "upstream-failed")
        for page in (admin, other):
            status = page.locator("aside [data-channel-feed] li[data-status=breaker_open]")
            await expect(status).to_have_count(1, timeout=LIVE_S)
            assert f"{connector}/charge" in await status.inner_text()
        await screenshot(admin, "channel-panel")
    finally:
        await other.context.close()


async def test_a_fourth_tab_closes_the_oldest_which_says_so_and_reopens(
    admin_page: Page, console: Service, tenant: BootstrapResult
) -> None:
    first = admin_page
    url = section_url(console, tenant, "overview")
    await live(first)
    tabs = [await first.context.new_page() for _ in range(3)]
    for tab in tabs:
        await tab.goto(url)
        await live(tab)
    state = first.locator("aside[data-channel] [data-channel-state]")
    await expect(state).to_contain_text("closed", timeout=LIVE_S)
    assert await first.locator("button[data-action=ready]").is_disabled()
    for tab in tabs:  # the three newest stay open
        await expect(tab.locator("[data-channel-state]")).to_have_text("live")

    # Reopening is a new session, which closes the oldest again: the one of a tab closed
    # before its session sat idle long enough to end.
    await tabs[0].close()
    await first.locator("[data-channel-reopen]").click()
    await expect(state).to_have_text("live", timeout=LIVE_S)
    for tab in tabs[1:]:
        await expect(tab.locator("[data-channel-state]")).to_have_text("live")


async def test_the_panels_routes_take_the_console_session_and_its_csrf_token(
    admin_page: Page, console: Service, tenant: BootstrapResult
) -> None:
    await live(admin_page)
    panel = admin_page.locator("aside[data-channel]")
    body = {"session": await panel.get_attribute("data-session"), "action": "ready"}
    csrf = {"x-csrf-token": await panel.get_attribute("data-csrf") or ""}
    cookies = {c["name"]: c["value"] for c in await admin_page.context.cookies()}
    actions = f"{console.url}/w/{tenant.tenant_id}/channel/actions"
    async with httpx.AsyncClient(cookies=cookies, timeout=10) as client:
        assert (await client.post(actions, json=body)).status_code == 403  # no CSRF token
        free = await client.post(actions, json={**body, "text": "ship it"}, headers=csrf)
        assert free.status_code == 422  # no free text, not even through the console
        sent = await client.post(actions, json=body, headers=csrf)
        assert sent.status_code == 202, sent.text
        assert (sent.json()["action"], sent.json()["count"]) == ("ready", 1)
    async with httpx.AsyncClient(timeout=10) as stranger:  # no console session
        refused = await stranger.post(actions, json=body, headers=csrf)
        assert refused.status_code in {302, 303, 401}
    feed = admin_page.locator("aside [data-channel-feed] li[data-action=ready]")
    await expect(feed).to_have_count(1, timeout=LIVE_S)
