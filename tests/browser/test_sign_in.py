"""Credential sign-in, the session cookie and sign-out, in Chromium."""

from __future__ import annotations

import hashlib

import httpx
import msgspec
from playwright.async_api import Browser, Page
from redis.asyncio import Redis

from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.browser import screenshot
from tests.support.stack import Service, Stack


async def test_sign_in_with_client_credentials_shows_the_workspace(
    admin_page: Page, tenant: BootstrapResult
) -> None:
    await screenshot(admin_page, "overview")
    assert str(tenant.tenant_id) in admin_page.url
    assert await admin_page.locator("header .role").inner_text() == "OperatorAdmin"


async def test_a_wrong_secret_is_refused_on_the_form(
    browser: Browser, console: Service, tenant: BootstrapResult
) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"{console.url}/sign-in")
    await page.fill("input[name=client_id]", tenant.control_client_id)
    await page.fill("input[name=client_secret]", "orcs_wrong")
    await page.click("button[type=submit]")
    assert await page.locator(".flash.error").inner_text() == "Unknown client id or wrong secret."
    assert not any(c["name"] == "orch_console" for c in await context.cookies())
    await screenshot(page, "sign-in-refused")
    await context.close()


async def test_the_session_cookie_is_http_only_strict_and_holds_no_token(
    admin_page: Page,
) -> None:
    cookies = {c["name"]: c for c in await admin_page.context.cookies()}
    session = cookies["orch_console"]
    assert session["httpOnly"] is True
    assert session["sameSite"] == "Strict"
    assert session["value"].count(".") == 0  # not a JWT
    assert await admin_page.evaluate("document.cookie") == ""


async def held_token(page: Page, service_env: dict[str, str]) -> str:
    """The token the console keeps for this page's session (read from Redis, as an
    attacker with the cookie could not)."""
    cookie = next(c for c in await page.context.cookies() if c["name"] == "orch_console")
    digest = hashlib.sha256(cookie["value"].encode()).hexdigest()
    key = f"{service_env['ORCH_REDIS_NAMESPACE']}:console:session:{digest}"
    redis = Redis.from_url(service_env["REDIS_URL"])
    try:
        raw = await redis.get(key)
    finally:
        await redis.aclose()
    assert raw is not None
    return str(msgspec.json.decode(raw)["token"])


async def test_signing_out_revokes_the_token_the_session_held(
    admin_page: Page, stack: Stack, service_env: dict[str, str], http: httpx.AsyncClient
) -> None:
    token = await held_token(admin_page, service_env)
    me = f"{stack.url('control-api')}/api/v1/tokens/self"
    assert (await http.get(me, headers={"Authorization": f"Bearer {token}"})).status_code == 200
    await admin_page.click("text=Sign out")
    await admin_page.wait_for_url("**/sign-in?notice=signed-out")
    assert (await http.get(me, headers={"Authorization": f"Bearer {token}"})).status_code == 401
    await admin_page.goto(admin_page.url.split("/sign-in")[0] + "/")
    assert "/sign-in" in admin_page.url


async def test_a_revoked_token_signs_the_open_page_out_within_a_second(
    admin_page: Page, stack: Stack, service_env: dict[str, str], http: httpx.AsyncClient
) -> None:
    token = await held_token(admin_page, service_env)
    revoked = await http.delete(
        f"{stack.url('control-api')}/api/v1/tokens/self",
        params={"reason": "test revokes"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert revoked.status_code == 200, revoked.text
    # The page polls every second; allow one poll plus the navigation.
    await admin_page.wait_for_url("**/sign-in?notice=ended**", timeout=2500)
    assert "Your session has ended" in await admin_page.locator(".flash.ok").inner_text()
