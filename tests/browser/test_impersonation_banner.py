"""Impersonation from the console in Chromium: started with a reason and a lifetime, a
banner on every page while it runs, stopped from the banner; both audited; its exec token
never reaches the browser."""

from __future__ import annotations

import asyncio
import hashlib
import re
import uuid
from typing import Any

import httpx
import msgspec
from playwright.async_api import Browser, Page, Response, expect
from playwright.async_api import Error as PlaywrightError
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.browser import page_csrf, screenshot
from tests.support.console import signed_in
from tests.support.control_api import operator_api
from tests.support.factories import new_auditor
from tests.support.stack import Service, Stack

SECTIONS = ("overview", "audit", "identity", "impersonation")


def section_url(console: Service, tenant: BootstrapResult, section: str) -> str:
    """A page of the tenant's workspace."""
    return f"{console.url}/w/{tenant.tenant_id}/{section}"


async def held_session(page: Page, service_env: dict[str, str]) -> dict[str, Any]:
    """The session the console keeps for this page (read from Redis, as the browser cannot)."""
    cookie = next(c for c in await page.context.cookies() if c["name"] == "orch_console")
    digest = hashlib.sha256(cookie["value"].encode()).hexdigest()
    key = f"{service_env['ORCH_REDIS_NAMESPACE']}:console:session:{digest}"
    redis = Redis.from_url(service_env["REDIS_URL"])
    try:
        raw = await redis.get(key)
    finally:
        await redis.aclose()
    assert raw is not None
    held: dict[str, Any] = msgspec.json.decode(raw)
    return held


async def start(page: Page, console: Service, tenant: BootstrapResult, reason: str) -> None:
    """Start impersonating the tenant's workspace through the form, for ten minutes."""
    await page.goto(section_url(console, tenant, "impersonation"))
    form = page.locator("form[data-start-impersonation]")
    await form.locator("input[name=reason]").fill(reason)
    await form.locator("input[name=ttl_s]").fill("600")
    await form.get_by_role("button", name="Start impersonating").click()
    await expect(page.locator(".flash.ok")).to_contain_text("Impersonating")


async def exec_workspace_status(http: httpx.AsyncClient, stack: Stack, token: str) -> int:
    """What the exec-api answers the token."""
    answer = await http.get(
        f"{stack.url('exec-api')}/api/v1/workspace", headers={"Authorization": f"Bearer {token}"}
    )
    return answer.status_code


async def test_the_banner_shows_on_every_page_until_stopped(
    admin_page: Page,
    console: Service,
    tenant: BootstrapResult,
    stack: Stack,
    http: httpx.AsyncClient,
    service_env: dict[str, str],
) -> None:
    page = admin_page
    reason = f"ticket {uuid.uuid4().hex[:6]}: jobs missing"
    await start(page, console, tenant, reason)
    token = (await held_session(page, service_env))["impersonation"]["token"]
    assert await exec_workspace_status(http, stack, token) == 200

    banner = page.locator("[data-impersonating]")
    for section in SECTIONS:
        await page.goto(section_url(console, tenant, section))
        await expect(banner).to_contain_text(reason)
        await expect(banner).to_contain_text(re.compile(r"until \d\d:\d\d UTC"))
        await screenshot(page, f"impersonation-banner-{section}")

    # Audited with the reason typed, in the API and on the console's audit page.
    admin = await operator_api(http, stack, tenant)
    started = await admin.every("/audit", action="impersonation.start")
    assert any(r["reason"] == reason and r["after"]["ttl_s"] == 600 for r in started)
    await page.goto(section_url(console, tenant, "audit") + "?action=impersonation.")
    await expect(page.locator("table.audit")).to_contain_text(reason)

    await banner.locator("input[name=reason]").fill("ticket answered")
    await banner.get_by_role("button", name="Stop").click()
    await expect(page.locator(".flash.ok")).to_contain_text("Stopped impersonating")
    await screenshot(page, "impersonation-stopped")
    for section in SECTIONS:
        await page.goto(section_url(console, tenant, section))
        assert await banner.count() == 0, section
    assert (await held_session(page, service_env)).get("impersonation") is None
    stopped = await admin.every("/audit", action="impersonation.stop")
    assert any(r["reason"] == "ticket answered" for r in stopped)
    # Revoked on every service within a second.
    deadline = asyncio.get_running_loop().time() + 1.5
    while await exec_workspace_status(http, stack, token) != 401:
        assert asyncio.get_running_loop().time() < deadline, "still accepted after stop"
        await asyncio.sleep(0.05)


async def test_the_exec_token_never_reaches_the_browser(
    admin_page: Page,
    console: Service,
    tenant: BootstrapResult,
    service_env: dict[str, str],
) -> None:
    page = admin_page
    seen: list[asyncio.Task[str]] = []

    async def everything(response: Response) -> str:
        # Status line, headers (a Location, a Set-Cookie) and body of every answer.
        headers = await response.all_headers()
        if "event-stream" in headers.get("content-type", ""):
            return f"{response.url}\n{headers}\n"  # a live stream's body never ends
        try:
            body = (await response.body()).decode(errors="replace")
        except PlaywrightError:  # a redirect has no body to read
            body = ""
        return f"{response.url}\n{headers}\n{body}"

    page.on("response", lambda r: seen.append(asyncio.create_task(everything(r))))
    await start(page, console, tenant, "checking the token stays on the server")
    held = (await held_session(page, service_env))["impersonation"]
    token = held["token"]
    # A real JWT to look for.
    assert token.count(".") == 2
    assert len(token) > 100

    for section in SECTIONS:
        await page.goto(section_url(console, tenant, section))
        await expect(page.locator("[data-impersonating]")).to_be_visible()
        assert token not in await page.content(), section
        assert token not in page.url
    await screenshot(page, "impersonation-token-stays-on-server")
    assert all(token not in c["value"] for c in await page.context.cookies())
    for storage in ("localStorage", "sessionStorage"):
        assert token not in await page.evaluate(f"JSON.stringify({storage})")
    assert token not in await page.evaluate("document.cookie")
    answers = await asyncio.gather(*seen)
    assert len(answers) > len(SECTIONS)
    assert all(token not in answer for answer in answers)
    # Not even a part of it (its claims, its signature) went out.
    for part in token.split(".")[1:]:
        assert all(part not in answer for answer in answers)


async def test_an_auditor_is_offered_no_impersonation_and_a_forged_start_is_refused(
    browser: Browser,
    console: Service,
    tenant: BootstrapResult,
    stack: Stack,
    http: httpx.AsyncClient,
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    auditor = await new_auditor(app_sessions, tenant)
    page = await signed_in(browser, console, auditor.client_id, auditor.client_secret)
    try:
        await page.goto(section_url(console, tenant, "impersonation"))
        await expect(page.locator(".empty")).to_contain_text("may not impersonate")
        assert await page.locator("form[data-start-impersonation]").count() == 0
        assert await page.get_by_role("button", name="Start impersonating").count() == 0
        await screenshot(page, "impersonation-auditor")
        csrf = await page_csrf(page)
        reason = f"forged {uuid.uuid4().hex[:6]}"
        answer = await page.request.post(
            section_url(console, tenant, "impersonation"),
            form={"csrf": csrf, "reason": reason, "ttl_s": "600"},
            max_redirects=0,
        )
        assert answer.status == 403
        assert "ReadOnlyAuditor" in (await answer.json())["detail"]
        await page.goto(section_url(console, tenant, "overview"))
        assert await page.locator("[data-impersonating]").count() == 0
    finally:
        await page.context.close()
    admin = await operator_api(http, stack, tenant)
    started = await admin.every("/audit", action="impersonation.start")
    assert all(r["reason"] != reason for r in started)


async def test_signing_out_stops_a_running_impersonation(
    admin_page: Page,
    console: Service,
    tenant: BootstrapResult,
    stack: Stack,
    http: httpx.AsyncClient,
    service_env: dict[str, str],
) -> None:
    page = admin_page
    await start(page, console, tenant, "checking a stuck job")
    token = (await held_session(page, service_env))["impersonation"]["token"]
    assert await exec_workspace_status(http, stack, token) == 200
    await page.click("text=Sign out")
    await page.wait_for_url("**/sign-in?notice=signed-out")
    deadline = asyncio.get_running_loop().time() + 1.5
    while await exec_workspace_status(http, stack, token) != 401:
        assert asyncio.get_running_loop().time() < deadline, "still accepted after sign-out"
        await asyncio.sleep(0.05)
    admin = await operator_api(http, stack, tenant)
    stopped = await admin.every("/audit", action="impersonation.stop")
    assert any(r["reason"] == "signed out of the console" for r in stopped)
