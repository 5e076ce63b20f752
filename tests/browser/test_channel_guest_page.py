"""A guest in the console (ADR 0108), in Chromium: an admin invites one from the console and
reads the one-time link; a second browser opens it and sees the workspace's channel panel;
the guest's action shows live on the operator's page and the operator's on the guest's; the
guest is refused every other page; a used link says so; revoking the invite ends the
guest's page within seconds. A non-admin is not offered the form, and the API refuses a
forged post. The console refreshes a guest's token when due, and ends the guest's session
when the refresh is refused."""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import Any

import httpx
import msgspec
from playwright.async_api import Browser, Page, expect
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.tenancy.service import BootstrapResult
from tests.browser.test_channel_panel import LIVE_S, live
from tests.browser.test_identity_pages import accept
from tests.browser.test_impersonation_banner import held_session, section_url
from tests.integration.test_channel_guests import admin_of
from tests.support.browser import screenshot
from tests.support.channels import REASON
from tests.support.console import signed_in
from tests.support.factories import decode_unverified, new_auditor
from tests.support.stack import Service, Stack

CSRF = "x-csrf-token"
INVITE_LINK = re.compile(r"/guest#chi_[0-9a-f]{32}_[0-9a-f]{32}_[A-Za-z0-9_-]{32,64}$")


async def invite_from_console(admin: Page, console: Service, tenant: BootstrapResult) -> str:
    """Invite a guest through the panel's link and the guests page; the link shown once."""
    await admin.goto(section_url(console, tenant, "overview"))
    await admin.locator("aside[data-channel] a[data-channel-invite]").click()
    await admin.wait_for_url("**/guests")
    form = admin.locator("form[data-invite-guest]")
    await form.locator("input[name=reason]").fill("pairing with the vendor")
    await form.locator("button[type=submit]").click()
    return await admin.locator("input[data-guest-link]").input_value()


async def test_an_invited_guest_shares_the_channel_live_and_nothing_else(
    admin_page: Page,
    browser: Browser,
    console: Service,
    tenant: BootstrapResult,
    service_env: dict[str, str],
) -> None:
    admin = admin_page
    link = await invite_from_console(admin, console, tenant)
    assert link.startswith(f"{console.url}/guest#chi_")
    assert INVITE_LINK.search(link), link
    invite = link.split("#", 1)[1]

    context = await browser.new_context(viewport={"width": 1280, "height": 860})
    guest = await context.new_page()
    sent_urls: list[str] = []
    guest.on("request", lambda request: sent_urls.append(request.url))
    try:
        await guest.goto(link)
        await guest.wait_for_url(f"{console.url}/guest/channel")
        await live(guest)
        assert "#" not in guest.url
        # The invite went in a same-origin post's body only: in no URL the browser asked for.
        assert not [url for url in sent_urls if invite in url or "chi_" in url]
        cookies = await context.cookies()
        assert all(invite not in c["value"] for c in cookies)
        assert invite not in await guest.content()
        # The guest's token is the console's: not in the page, its cookies or its storage.
        kept = await held_session(guest, service_env)
        assert kept["guest"] is not None
        token = kept["token"]
        assert decode_unverified(token)["aud"] == "orchestrator-channel"
        storage = await guest.evaluate("JSON.stringify([{...sessionStorage}, {...localStorage}])")
        assert token not in await guest.content()
        assert token not in storage
        assert all(token not in c["value"] for c in cookies)
        who = await guest.locator("header .who").inner_text()
        name = who.split(" ")[0]
        assert re.fullmatch(r"guest-\d{4,6}", name), who

        # Each sees the other's action live.
        await admin.goto(section_url(console, tenant, "overview"))
        await live(admin)
        await guest.locator("aside[data-channel] button[data-action=thumbs_up]").click()
        from_guest = admin.locator(f'aside [data-channel-feed] li[data-actor="{name}"]')
        await expect(from_guest.filter(has_text="👍")).to_have_count(1, timeout=LIVE_S)
        await admin.locator("aside[data-channel] button[data-action=ready]").click()
        from_admin = guest.locator("aside [data-channel-feed] li[data-action=ready]")
        await expect(from_admin).to_have_count(1, timeout=LIVE_S)
        assert (await from_admin.get_attribute("data-actor") or "").startswith("op:")
        await screenshot(guest, "channel-guest-page")

        # Every other page refuses the guest (a page saying so, never a 500).
        other = await context.new_page()
        for section in ("overview", "audit", "guests", "identity"):
            answer = await other.goto(section_url(console, tenant, section))
            assert answer is not None
            assert answer.status == 403, section
            await expect(other.locator(".problem-detail")).to_contain_text("guest")
        async with httpx.AsyncClient(
            cookies={c["name"]: c["value"] for c in cookies}, timeout=10
        ) as client:
            elsewhere = await client.get(f"{console.url}/w/{uuid.uuid4()}/channel")
            assert elsewhere.status_code == 403
            assert (await client.get(f"{console.url}/session")).status_code == 403
        await other.close()

        # The link worked once: opened again, it says it is spent.
        spent = await browser.new_context()
        try:
            again = await spent.new_page()
            await again.goto(link)
            message = again.locator("[data-guest-message]")
            await expect(message).to_contain_text("already used", timeout=LIVE_S)
        finally:
            await spent.close()

        # Revoked from the console: the guest's page says its access ended.
        await admin.goto(section_url(console, tenant, "guests"))
        admin.on("dialog", accept)
        row = admin.locator(f'tr[data-guest="{name}"]')
        await row.locator("input[name=reason]").fill("pairing done")
        await row.locator("button", has_text="Revoke").click()
        await expect(admin.locator(".flash.ok")).to_contain_text(f"Revoked {name}")
        await expect(admin.locator(f'tr[data-guest="{name}"] td.state')).to_have_text("revoked")
        await expect(guest.locator("[data-guest-ended]")).to_be_visible(timeout=LIVE_S)
        await expect(guest.locator("aside [data-channel-state]")).to_have_text("ended")
        assert await guest.locator("button[data-action=ready]").is_disabled()
        await guest.reload()
        await guest.wait_for_url("**/guest?notice=ended")
        await expect(guest.locator(".flash")).to_contain_text("has ended")
    finally:
        await context.close()


async def test_a_non_admin_is_not_offered_an_invite_and_a_forged_one_is_refused(
    browser: Browser,
    console: Service,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    auditor = await new_auditor(app_sessions, tenant)
    page = await signed_in(browser, console, auditor.client_id, auditor.client_secret)
    try:
        await expect(page.locator("aside[data-channel] a[data-channel-invite]")).to_have_count(0)
        await page.goto(section_url(console, tenant, "guests"))
        await expect(page.locator("h1")).to_have_text("Channel guests")
        await expect(page.locator("form[data-invite-guest]")).to_have_count(0)
        invites = await page.locator("tr[data-guest]").count()
        csrf = await page.locator("aside[data-channel]").get_attribute("data-csrf") or ""
        cookies = {c["name"]: c["value"] for c in await page.context.cookies()}
        async with httpx.AsyncClient(cookies=cookies, timeout=10) as client:
            forged = await client.post(
                section_url(console, tenant, "guests"),
                data={"csrf": csrf, "reason": "let me in"},
            )
        # The console sends it on: the control-api's own role check refuses it.
        assert forged.status_code == 303
        assert "chi_" not in forged.text
        await page.goto(section_url(console, tenant, "guests"))
        # The API's words (an auditor's token lacks the write scope an admin's role gives).
        refused = re.compile(r"lacks the `control:write` scope|needs one of the roles")
        await expect(page.locator(".flash.error")).to_contain_text(refused)
        await expect(page.locator("tr[data-guest]")).to_have_count(invites)
    finally:
        await page.context.close()


async def held(redis: Redis, key: str) -> dict[str, Any]:
    """The console session stored under ``key``."""
    raw = await redis.get(key)
    assert raw is not None
    session: dict[str, Any] = msgspec.json.decode(raw)
    return session


async def make_due(redis: Redis, key: str) -> dict[str, Any]:
    """Make the guest's token due for a refresh (as if most of a long life had gone)."""
    session = await held(redis, key)
    session["guest"]["lifetime_s"] = 10**6
    await redis.set(key, msgspec.json.encode(session), keepttl=True)
    return session


async def test_the_console_refreshes_a_guests_token_and_ends_the_session_when_refused(
    http: httpx.AsyncClient,
    stack: Stack,
    console: Service,
    tenant: BootstrapResult,
    service_env: dict[str, str],
) -> None:
    admin = await admin_of(http, stack, tenant)
    made = await admin.call("POST", "/invites", params=REASON)
    assert made.status_code == 201, made.text
    invite = made.json()
    async with httpx.AsyncClient(base_url=console.url, timeout=10) as browser_like:
        landing = await browser_like.get("/guest")
        csrf = re.search(r'data-csrf="([^"]+)"', landing.text)
        assert csrf is not None
        body = {"invite": invite["invite"]}
        assert (await browser_like.post("/guest", json=body)).status_code == 403  # no CSRF
        signed = await browser_like.post("/guest", json=body, headers={CSRF: csrf[1]})
        assert signed.status_code == 201, signed.text
        assert signed.json() == {"next": "/guest/channel"}
        assert invite["invite"] not in signed.text
        cookie = browser_like.cookies["orch_console"]
        digest = hashlib.sha256(cookie.encode()).hexdigest()
        key = f"{service_env['ORCH_REDIS_NAMESPACE']}:console:session:{digest}"
        redis = Redis.from_url(service_env["REDIS_URL"])
        try:
            before = await make_due(redis, key)
            assert before["guest"]["ends_at"] > before["token_expires_at"]
            checked = await browser_like.get("/guest/channel/session")
            assert checked.status_code == 200, checked.text
            after = await held(redis, key)
            assert after["token"] != before["token"]
            jti = decode_unverified(after["token"])["jti"]
            assert jti == decode_unverified(before["token"])["jti"]
            assert after["guest"]["lifetime_s"] <= 900

            # Revoked: the next refresh is refused, and the session ends with it.
            revoked = await admin.call("POST", f"/invites/{invite['id']}/revoke", params=REASON)
            assert revoked.status_code == 200, revoked.text
            await make_due(redis, key)
            await redis.delete(key + ":refresh")  # the last refresh's claim (5 s)
            ended = await browser_like.get("/guest/channel/session")
            assert ended.status_code == 401
            assert await redis.get(key) is None
            page = await browser_like.get("/guest/channel", headers={"accept": "text/html"})
            assert page.status_code == 303
            assert page.headers["location"] == "/guest?notice=ended"
        finally:
            await redis.aclose()
