"""The console's browser-facing defences: CSRF, the Content-Security-Policy, no token
within the browser's reach, and tenant-controlled text rendered inert."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
from playwright.async_api import Page, Response, expect

from orchestrator.core.tenancy.service import BootstrapResult
from tests.browser.test_sign_in import held_token
from tests.support.browser import screenshot
from tests.support.control_api import operator_api
from tests.support.stack import Service, Stack

HOSTILE_REASON = "<script>window.__xss = 1</script><img src=x onerror=window.__xss=2>"


async def test_a_mutation_without_the_csrf_token_is_refused(
    admin_page: Page, console: Service, service_env: dict[str, str], stack: Stack
) -> None:
    workspace = admin_page.url.split("/w/")[1].split("/")[0]
    request = admin_page.context.request
    target = f"{console.url}/w/{workspace}/jobs/purge"
    refused = await request.post(target, form={"reason": "no token", "connector": "x"})
    assert refused.status == 403
    forged = await request.post(target, form={"reason": "bad", "csrf": "guess", "connector": "x"})
    assert forged.status == 403
    # Signing out is a mutation too: without the token the session survives.
    assert (await request.post(f"{console.url}/sign-out")).status == 403
    token = await held_token(admin_page, service_env)
    async with httpx.AsyncClient() as http:
        me = await http.get(
            f"{stack.url('control-api')}/api/v1/tokens/self",
            headers={"Authorization": f"Bearer {token}"},
        )
    assert me.status_code == 200


async def test_every_page_carries_a_strict_content_security_policy(
    admin_page: Page, console: Service
) -> None:
    answer = await admin_page.goto(admin_page.url)
    assert answer is not None
    policy = await answer.header_value("content-security-policy")
    assert policy is not None
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert await answer.header_value("x-content-type-options") == "nosniff"
    assert await answer.header_value("cache-control") == "no-store"
    sign_in = await admin_page.context.request.get(f"{console.url}/sign-in")
    assert "script-src 'self'" in sign_in.headers["content-security-policy"]


async def test_the_operator_token_is_never_within_the_browsers_reach(
    admin_page: Page, service_env: dict[str, str]
) -> None:
    token = await held_token(admin_page, service_env)
    # The landing page's channel panel has made its calls (none is left to arrive later).
    await expect(admin_page.locator("[data-channel-state]")).to_have_text("live")
    seen: list[Response] = []
    admin_page.on("response", lambda response: seen.append(response))
    base = admin_page.url.removesuffix("/overview")
    for path in (
        "/overview",
        "/first-run",
        "/configuration",
        "/run",
        "/audit",
        "/inbox",
        "/identity",
    ):
        await admin_page.goto(base + path)
        # The channel panel's calls are answered (read below, before the next page).
        await expect(admin_page.locator("[data-channel-state]")).to_have_text("live")
        assert token not in await admin_page.content()
        assert token not in admin_page.url
        # Each answer's body is read before the next navigation discards it.
        for response in seen:
            assert token not in str(await response.all_headers())
            # A live stream's body never ends (the channel's relay, on every page): its
            # events are the channel's, and its headers are checked above.
            streaming = "event-stream" in response.headers.get("content-type", "")
            if response.status < 300 and not streaming:
                assert token.encode() not in await response.body()
        seen.clear()
    local, tab = await admin_page.evaluate(
        "() => [Object.entries(localStorage), Object.entries(sessionStorage)]"
    )
    assert local == []
    # The tab's channel session id, and nothing else: an id, no credential.
    assert [key for key, _ in tab] == [f"orch-channel-session:{urlsplit(base).path}/channel"]
    assert all(token not in value for _, value in tab)
    assert all(token not in c["value"] for c in await admin_page.context.cookies())


async def test_tenant_controlled_reasons_render_as_text(
    admin_page: Page, http: httpx.AsyncClient, stack: Stack, tenant: BootstrapResult
) -> None:
    api = await operator_api(http, stack, tenant)
    made = await api.call(
        "POST",
        "/policies",
        json={"name": "hostile", "spec": {}},
        params={"reason": HOSTILE_REASON},
    )
    assert made.status_code == 201, made.text
    base = admin_page.url.removesuffix("/overview")
    await admin_page.goto(f"{base}/audit?action=policy.")
    reason = admin_page.locator("table.audit td.reason").first
    assert await reason.inner_text() == HOSTILE_REASON
    await admin_page.goto(f"{base}/overview")
    assert HOSTILE_REASON in await admin_page.locator("ul.latest").inner_text()
    assert await admin_page.evaluate("window.__xss") is None
    await screenshot(admin_page, "hostile-reason-inert")
