"""Single sign-on in Chromium, against a real OpenID provider (panva's oidc-provider) started
here on loopback: its own login and consent pages, the console's callback, the control-api's
token exchange, and the operator it makes.

The provider's issuer is ``http://127.0.0.1:…`` and the console is reached at
``http://localhost:…``: two sites, as in production, so the browser treats the provider's
redirect back as the cross-site navigation it is (cookie ``SameSite`` rules included).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest
from playwright.async_api import Browser, Page
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.browser import screenshot
from tests.support.console import start_console
from tests.support.control_api import Api, operator_api
from tests.support.factories import new_tenant
from tests.support.oidc_provider import Client, running_provider
from tests.support.stack import Service, Stack, free_port, start_service, wait_ready

ORGANIZATION = f"sso-{uuid.uuid4().hex[:8]}"
CLIENT_ID = "orchestrator-console"
CLIENT_SECRET = secrets.token_urlsafe(24)
# A login at the provider's development pages is the `sub`; these carry groups.
ACCOUNTS = {
    "ada": {"groups": ["staff", f"orchestrator:{ORGANIZATION}:OperatorAdmin"]},
    "grace": {"groups": [f"orchestrator:{ORGANIZATION}:Support"]},
    "eve": {"groups": ["orchestrator:no-such-organization:OperatorAdmin"]},
}


@dataclass
class SsoDeployment:
    """A console offering single sign-on, and the control-api that trusts the provider."""

    console: Service
    control_api: Service
    issuer: str


@pytest.fixture(scope="module")
async def sso_tenant(
    app_sessions: async_sessionmaker[AsyncSession], kek: KeyEncryptionKey
) -> BootstrapResult:
    """The organization the provider's groups name."""
    return await new_tenant(app_sessions, kek, org=ORGANIZATION)


@pytest.fixture(scope="module")
def sso(
    stack: Stack, service_env: dict[str, str], sso_tenant: BootstrapResult
) -> Iterator[SsoDeployment]:
    """The provider, a control-api trusting it (the session's does not) and a console using
    both, each on its own port."""
    console_url = f"http://localhost:{free_port()}"
    console_port = int(console_url.rsplit(":", 1)[1])
    client = Client(CLIENT_ID, CLIENT_SECRET, [f"{console_url}/sign-in/oidc/callback"])
    with running_provider(port=free_port(), clients=[client], accounts=ACCOUNTS) as provider:
        control_api = start_service(
            "control-api-sso",
            "orchestrator.control_api",
            {**service_env, "ORCH_OIDC_ISSUER": provider.issuer, "ORCH_OIDC_AUDIENCE": CLIENT_ID},
        )
        try:
            wait_ready(control_api)
            console = start_console(
                stack,
                service_env,
                port=console_port,
                ORCH_CONSOLE_CONTROL_API_URL=control_api.url,
                ORCH_CONSOLE_OIDC_ISSUER=provider.issuer,
                ORCH_CONSOLE_OIDC_CLIENT_ID=CLIENT_ID,
                ORCH_CONSOLE_OIDC_CLIENT_SECRET=CLIENT_SECRET,
                ORCH_CONSOLE_PUBLIC_URL=console_url,
            )
            try:
                yield SsoDeployment(console, control_api, provider.issuer)
            finally:
                console.stop()
        finally:
            control_api.stop()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    """A fresh browser context: no console session, no provider session."""
    context = await browser.new_context(viewport={"width": 1280, "height": 860})
    yield await context.new_page()
    await context.close()


@pytest.fixture
async def admin(http: httpx.AsyncClient, stack: Stack, sso_tenant: BootstrapResult) -> Api:
    """The organization's bootstrap admin (a client secret), through the session's control-api."""
    return await operator_api(http, stack, sso_tenant)


async def sign_in_at_provider(page: Page, sso: SsoDeployment, login: str) -> None:
    """From the console's sign-in page through the provider's login and consent pages."""
    await page.goto(f"http://localhost:{sso.console.port}/sign-in")
    await page.click("text=Sign in with single sign-on")
    await page.wait_for_url(f"{sso.issuer}/**")
    await page.fill("input[name=login]", login)
    await page.fill("input[name=password]", "any password: development pages")
    await page.click("button[type=submit]")
    await page.click("button:has-text('Continue')")  # consent


async def operator_named(admin: Api, name: str) -> dict[str, object]:
    """The organization's operator called ``name``."""
    return next(op for op in await admin.every("/operators") if op["name"] == name)


async def test_single_sign_on_lands_on_the_overview_as_the_mapped_operator(
    page: Page, sso: SsoDeployment, sso_tenant: BootstrapResult, admin: Api
) -> None:
    await sign_in_at_provider(page, sso, "ada")
    await page.wait_for_url("**/overview")
    assert str(sso_tenant.tenant_id) in page.url
    assert await page.locator("header .role").inner_text() == "OperatorAdmin"
    assert "sso:ada" in await page.locator("header .who").inner_text()
    await screenshot(page, "sso-overview")

    operator = await operator_named(admin, "sso:ada")
    assert operator["role"] == "OperatorAdmin"
    assert operator["home_workspace_id"] == str(sso_tenant.tenant_id)
    created = await admin.every("/audit", action="operator.create", actor="sso:ada")
    assert [record["reason"] for record in created] == ["single sign-on"]
    assert created[0]["after"]["identity_provider"] == sso.issuer

    # The session cookie is the console's usual one; the flow cookie is gone.
    cookies = {cookie["name"]: cookie for cookie in await page.context.cookies()}
    assert cookies["orch_console"]["sameSite"] == "Strict"
    assert cookies["orch_console"]["httpOnly"] is True
    assert "orch_console_oidc" not in cookies
    # The console's secret at the provider is in no log line.
    assert CLIENT_SECRET not in sso.console.log()


async def test_groups_naming_no_organization_here_are_refused_on_the_sign_in_page(
    page: Page, sso: SsoDeployment
) -> None:
    await sign_in_at_provider(page, sso, "eve")
    await page.wait_for_url("**/sign-in/oidc/callback**")
    error = await page.locator(".flash.error").inner_text()
    assert "no-such-organization" in error
    assert "does not exist here" in error
    assert not any(c["name"] == "orch_console" for c in await page.context.cookies())
    await screenshot(page, "sso-refused-unknown-organization")


async def test_cancelling_at_the_provider_is_shown_on_the_sign_in_page(
    page: Page, sso: SsoDeployment
) -> None:
    await page.goto(f"http://localhost:{sso.console.port}/sign-in")
    await page.click("text=Sign in with single sign-on")
    await page.fill("input[name=login]", "ada")
    await page.fill("input[name=password]", "any")
    await page.click("button[type=submit]")
    await page.click("text=[ Cancel ]")  # the provider answers error=access_denied
    await page.wait_for_url("**/sign-in/oidc/callback?error=access_denied**")
    error = await page.locator(".flash.error").inner_text()
    assert error == "The sign-in was cancelled or refused at your identity provider."
    await screenshot(page, "sso-cancelled")


async def test_disabling_the_sso_operator_signs_the_open_page_out(
    page: Page, sso: SsoDeployment, admin: Api
) -> None:
    await sign_in_at_provider(page, sso, "grace")
    await page.wait_for_url("**/overview")
    assert await page.locator("header .role").inner_text() == "Support"
    operator = await operator_named(admin, "sso:grace")
    disabled = await admin.write("POST", f"/operators/{operator['id']}/disable")
    assert disabled.status_code == 200, disabled.text
    # The page asks every second; one poll and the navigation.
    await page.wait_for_url("**/sign-in?notice=ended**", timeout=2500)
    await screenshot(page, "sso-disabled-signed-out")

    # And the provider's session cannot bring it back.
    await page.click("text=Sign in with single sign-on")
    await page.wait_for_url("**/sign-in/oidc/callback**")
    assert "is disabled" in await page.locator(".flash.error").inner_text()


async def test_the_callback_without_its_flow_is_refused_not_a_500(
    page: Page, sso: SsoDeployment
) -> None:
    response = await page.goto(
        f"http://localhost:{sso.console.port}/sign-in/oidc/callback?code=forged&state=forged"
    )
    assert response is not None
    assert response.status == 400
    assert "expired or was started in another" in await page.locator(".flash.error").inner_text()
