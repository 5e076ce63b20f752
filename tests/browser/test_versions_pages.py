"""The Versions pages in Chromium (ADR 0077): the workspace's history newest first, the
diff of two versions field by field, a rollback with a reason that moves the active
version (and the configuration with it); a stale page's move refused with the API's 409;
an auditor offered no move, and a forged one refused."""

from __future__ import annotations

from playwright.async_api import Browser, Page, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.browser import page_csrf, screenshot
from tests.support.console import signed_in
from tests.support.control_api import Api
from tests.support.factories import new_auditor
from tests.support.stack import Service
from tests.support.versions import limit, two_policy_versions, versions_url


async def test_the_history_and_a_diff_are_shown_and_a_rollback_moves_the_active_version(
    admin_page: Page,
    console: Service,
    tenant: BootstrapResult,
    versioned: Api,
) -> None:
    page = admin_page
    await page.locator("nav.side").get_by_role("link", name="Versions").click()
    await page.wait_for_url("**/versions")

    rows = page.locator("table.versions tbody tr")
    await expect(rows).to_have_count(2)
    assert [await row.get_attribute("data-version") for row in await rows.all()] == ["2", "1"]
    newest = page.locator("tr[data-version='2']")
    assert "policies ~shared" in await newest.inner_text()
    assert await newest.locator("[data-marked=active]").count() == 1
    assert await page.locator("tr[data-version='1'] [data-marked=previous]").count() == 1
    assert await page.locator("[data-active]").inner_text() == "2"
    await screenshot(page, "versions-history")

    await newest.locator("a[data-diff]").click()
    await page.wait_for_url("**/versions/diff?from=1&to=2")
    change = page.locator("tr[data-change='policies/shared']")
    await expect(change).to_be_visible()
    assert "changed" in await change.inner_text()
    field = change.locator("li[data-pointer='/spec/rate_limit/limit']")
    assert await field.locator("code").inner_text() == "/spec/rate_limit/limit"
    assert await field.locator("del").inner_text() == "1"
    assert await field.locator("ins").inner_text() == "2"
    await screenshot(page, "versions-diff")

    await page.goto(versions_url(console, tenant))
    rollback = page.locator("form[data-rollback]")
    await rollback.locator("input[name=reason]").fill("the raise overloads them")
    await rollback.locator("button[type=submit]").click()
    await page.wait_for_url("**/versions")
    assert "Version 1 is active." in await page.locator(".flash.ok").inner_text()
    assert await page.locator("[data-active]").inner_text() == "1"
    assert await page.locator("tr[data-version='1'] [data-marked=active]").count() == 1
    assert await page.locator("tr[data-version='2'] [data-marked=previous]").count() == 1
    await screenshot(page, "versions-rolled-back")

    spec = (await versioned.call("GET", "/policies/shared")).json()["spec"]
    assert spec["rate_limit"]["limit"] == 1
    moves = await versioned.every("/audit", action="version.activate")
    assert [(m["target"], m["reason"]) for m in moves] == [
        ("version:1", "the raise overloads them")
    ]


async def test_a_move_from_a_stale_page_shows_the_apis_conflict(
    admin_page: Page,
    console: Service,
    tenant: BootstrapResult,
    versioned: Api,
) -> None:
    page = admin_page
    await page.goto(versions_url(console, tenant))
    # Someone else rolls back after this page showed version 2 active.
    moved = await versioned.write("POST", "/versions/rollback", expected_active_version=2)
    assert moved.status_code == 200, moved.text

    activate = page.locator("section form[data-activate]")
    await activate.locator("input[name=number]").fill("2")
    await activate.locator("input[name=reason]").fill("back to the raise")
    await activate.locator("button[type=submit]").click()
    await page.wait_for_url("**/versions")
    await expect(page.locator(".flash.error")).to_contain_text("active version is 1")
    assert await page.locator("[data-active]").inner_text() == "1"
    assert (await versioned.call("GET", "/versions/head")).json()["active"] == 1


async def test_an_auditor_is_offered_no_move_and_a_forged_one_is_refused(
    browser: Browser,
    console: Service,
    tenant: BootstrapResult,
    versioned: Api,
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    auditor = await new_auditor(app_sessions, tenant)
    page = await signed_in(browser, console, auditor.client_id, auditor.client_secret)
    try:
        await page.goto(versions_url(console, tenant))
        await expect(page.locator("table.versions tbody tr")).to_have_count(2)
        assert await page.locator("form[data-rollback], form[data-activate]").count() == 0
        await page.goto(f"{versions_url(console, tenant)}/diff?from=2&to=1")
        await expect(page.locator("tr[data-change='policies/shared']")).to_be_visible()
        assert await page.locator("form[data-activate]").count() == 0

        # Its own page's CSRF token is valid, so what refuses these is its role.
        csrf = await page_csrf(page)
        for action, fields in (("rollback", {}), ("activate", {"number": "1"})):
            answer = await page.request.post(
                f"{versions_url(console, tenant)}/{action}",
                form={"csrf": csrf, "reason": "forged", "expected_active_version": "2", **fields},
                max_redirects=0,
            )
            assert answer.status == 403, action
            assert "ReadOnlyAuditor" in (await answer.json())["detail"]
    finally:
        await page.context.close()
    assert (await versioned.call("GET", "/versions/head")).json()["active"] == 2


async def test_before_the_first_version_nothing_is_offered_and_a_move_needs_a_reason(
    admin_page: Page,
    console: Service,
    tenant: BootstrapResult,
    api: Api,
) -> None:
    page = admin_page
    await page.goto(versions_url(console, tenant))
    await expect(page.locator("p.empty")).to_contain_text("No version yet")
    assert await page.locator("form[data-rollback], form[data-activate]").count() == 0

    await two_policy_versions(api)
    await page.goto(versions_url(console, tenant))
    csrf = await page_csrf(page)
    answer = await page.request.post(
        f"{versions_url(console, tenant)}/rollback",
        form={"csrf": csrf, "reason": " ", "expected_active_version": "2"},
        max_redirects=0,
    )
    assert answer.status == 303
    await page.goto(versions_url(console, tenant))
    await expect(page.locator(".flash.error")).to_contain_text("Give a reason")
    assert (await api.call("GET", "/versions/head")).json()["active"] == 2

    missing = await page.goto(f"{versions_url(console, tenant)}/diff?from=1&to=9")
    assert missing is not None
    assert missing.status == 404


PAGE_SIZE = 50
"""The console's page size (``ORCH_CONSOLE_PAGE_SIZE``, not set by the tests)."""


async def test_a_long_history_pages_with_the_apis_cursor(
    admin_page: Page,
    console: Service,
    tenant: BootstrapResult,
    versioned: Api,
) -> None:
    for n in range(3, PAGE_SIZE + 2):
        raised = await versioned.write("PUT", "/policies/shared", {"spec": limit(n)})
        assert raised.status_code == 200, raised.text
    page = admin_page
    await page.goto(versions_url(console, tenant))
    rows = page.locator("table.versions tbody tr")
    await expect(rows).to_have_count(PAGE_SIZE)
    assert await rows.first.get_attribute("data-version") == str(PAGE_SIZE + 1)
    await page.get_by_role("link", name="Older versions →").click()
    await expect(rows).to_have_count(1)
    assert await rows.first.get_attribute("data-version") == "1"
    # The marks come from the head, not from the page: the rollback's target is on page 1.
    assert await page.locator("[data-marked]").count() == 0
    assert await page.locator("[data-active]").inner_text() == str(PAGE_SIZE + 1)
