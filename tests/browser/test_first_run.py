"""The guided first run in Chromium: a new workspace gets a policy and a connector from a
few fields, starts watching its events, runs an operation as a job and sees the job's
events arrive live on the same page; every step audited with its reason."""

from __future__ import annotations

import time

import httpx
from playwright.async_api import Page, expect

from orchestrator.core.tenancy.service import BootstrapResult
from tests.browser.test_impersonation_banner import section_url
from tests.support.browser import screenshot
from tests.support.control_api import operator_api
from tests.support.stack import Service, Stack
from tests.support.upstream import UpstreamServer


async def take(page: Page, step: str, reason: str) -> None:
    """Submit a step's form with a reason; its notice shows."""
    form = page.locator(f"[data-step-form={step}] form")
    await form.locator("input[name=reason]").fill(reason)
    await form.locator("button[type=submit]").click()
    await expect(page.locator(".flash.ok")).to_be_visible()


async def test_a_new_workspace_goes_from_nothing_to_a_job_watched_live(
    admin_page: Page,
    console: Service,
    tenant: BootstrapResult,
    stack: Stack,
    http: httpx.AsyncClient,
    upstream: UpstreamServer,
) -> None:
    page = admin_page
    time.monotonic()
    await page.locator("nav.side").get_by_role("link", name="Guided first run").click()
    assert page.url == section_url(console, tenant, "first-run")
    steps = page.locator("[data-steps] li.done")
    await expect(steps).to_have_count(0)

    await take(page, "policy", "first policy")
    assert "Created policy standard." in await page.locator(".flash.ok").inner_text()
    await expect(steps).to_have_count(1)

    connector = page.locator("[data-step-form=connector] form")
    # The default base URL reaches the control-api; this test's upstream records the call.
    assert await connector.locator("input[name=base_url]").input_value() == stack.url("control-api")
    await connector.locator("input[name=base_url]").fill(upstream.url)
    await connector.locator("input[name=path]").fill("/first-run")
    assert await connector.locator("select[name=policy]").input_value() == "standard"
    await take(page, "connector", "first connector")
    assert "Created connector hello." in await page.locator(".flash.ok").inner_text()
    await expect(steps).to_have_count(2)

    await take(page, "watch", "watch the first run")
    await expect(page.locator("[data-impersonating]")).to_be_visible()
    await expect(page.locator("[data-live-status]")).to_have_text("live")

    run = page.locator("[data-step-form=run] form[data-inline]")
    await run.locator("input[name=reason]").fill("first job")
    await run.get_by_role("button", name="Run hello.health").click()
    result = run.locator("[data-inline-result]")
    await expect(result).to_contain_text("hello.health queued as job")
    rows = page.locator("table[data-live-events] tbody tr")
    # The page never reloaded: the job's events arrive on the stream opened before it ran.
    await expect(rows.filter(has_text="job.queued")).to_have_count(1)
    await expect(rows.filter(has_text="job.succeeded")).to_have_count(1, timeout=15_000)
    job_id = (await result.inner_text()).rsplit(" ", 1)[1].rstrip(".")
    assert job_id in await rows.filter(has_text="job.succeeded").inner_text()
    assert upstream.calls("/first-run") == 1
    await screenshot(page, "first-run")

    admin = await operator_api(http, stack, tenant)
    reasons = {r["action"]: r["reason"] for r in await admin.every("/audit")}
    assert reasons["policy.create"] == "first policy"
    assert reasons["connector.create"] == "first connector"
    starts = [r["reason"] for r in await admin.every("/audit", action="impersonation.start")]
    assert sorted(starts) == ["first job", "watch the first run"]
    policy = (await admin.call("GET", "/policies/standard")).json()
    assert policy["spec"]["retry"]["max_attempts"] == 3
    assert policy["spec"]["rate_limit"]["limit"] == 10


async def test_a_refused_step_says_why_and_creates_nothing(
    admin_page: Page,
    console: Service,
    tenant: BootstrapResult,
    stack: Stack,
    http: httpx.AsyncClient,
) -> None:
    page = admin_page
    await page.goto(section_url(console, tenant, "first-run"))
    form = page.locator("[data-step-form=policy] form")
    # What the browser's own checks would stop: the console and the API check again.
    await form.locator("input[name=attempts]").evaluate("e => e.removeAttribute('max')")
    await form.locator("input[name=attempts]").fill("99")
    await form.locator("input[name=reason]").fill("too many attempts")
    await form.locator("button[type=submit]").click()
    await expect(page.locator(".flash.error")).to_contain_text("Attempts is a whole number")
    admin = await operator_api(http, stack, tenant)
    assert (await admin.call("GET", "/policies")).json()["items"] == []
