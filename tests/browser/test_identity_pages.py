"""The Identity page in Chromium: operators and service identities created, disabled,
enabled and rotated through its forms; a secret shown once; what a role may not do is not
offered, and forged anyway it is refused."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from playwright.async_api import Browser, Dialog, Page, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.browser import page_csrf, screenshot
from tests.support.console import signed_in
from tests.support.control_api import Api, operator_api
from tests.support.factories import fetch_token, new_auditor
from tests.support.stack import Service, Stack

PAGE_SIZE = 50
"""The console's page size (``ORCH_CONSOLE_PAGE_SIZE``, not set by the tests)."""


def identity_url(console: Service, tenant: BootstrapResult) -> str:
    """The Identity page of the tenant's workspace."""
    return f"{console.url}/w/{tenant.tenant_id}/identity"


async def accept(dialog: Dialog) -> None:
    """Say yes to the page's confirmation."""
    await dialog.accept()


async def token_status(http: httpx.AsyncClient, stack: Stack, client_id: str, secret: str) -> int:
    """What the token endpoint answers for a client id and secret."""
    answer = await http.post(
        f"{stack.url('control-api')}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(client_id, secret),
    )
    return answer.status_code


async def new_service_identity(admin: Api, prefix: str) -> tuple[str, dict[str, Any]]:
    """A service identity made through the API: its name, and the API's answer (its
    ``client_id`` and the ``client_secret`` shown once)."""
    name = f"{prefix}-{uuid.uuid4().hex[:6]}"
    created = await admin.write(
        "POST", "/service-identities", {"name": name, "scopes": ["execute"]}
    )
    assert created.status_code == 201, created.text
    answer: dict[str, Any] = created.json()
    return name, answer


async def shown_secret(page: Page) -> tuple[str, str]:
    """The client id and secret the page shows once."""
    secret = await page.locator("[data-secret]").input_value()
    client_id = await page.locator("[data-client-id]").inner_text()
    assert secret.startswith("orcs_")
    return client_id, secret


async def test_a_new_service_identity_shows_its_secret_once(
    admin_page: Page,
    console: Service,
    tenant: BootstrapResult,
    stack: Stack,
    http: httpx.AsyncClient,
) -> None:
    page = admin_page
    await page.goto(identity_url(console, tenant))
    name = f"shop-backend-{uuid.uuid4().hex[:6]}"
    form = page.locator("form[data-create=service-identity]")
    await form.locator("input[name=name]").fill(name)
    await form.locator("input[name=scopes][value='jobs:read']").check()
    await form.locator("input[name=reason]").fill("the shop's backend submits jobs")
    async with page.expect_response(lambda r: r.request.method == "POST") as posted:
        await form.locator("button[type=submit]").click()
    answer = await posted.value
    assert answer.status == 201
    assert answer.headers["cache-control"] == "no-store"
    await page.wait_for_load_state()
    client_id, secret = await shown_secret(page)
    await expect(page.locator(".secret-once")).to_contain_text("it is not shown again")
    await screenshot(page, "identity-service-identity-secret")

    # The secret works, and it is nowhere but on this page.
    token = await fetch_token(http, stack.url("control-api"), client_id, secret)
    assert token.count(".") == 2
    assert secret not in page.url
    assert page.url == identity_url(console, tenant)  # the address is the list's already
    assert all(secret not in c["value"] for c in await page.context.cookies())
    assert secret not in await page.evaluate("JSON.stringify(localStorage)")

    # A reload asks for the list: the identity is there, its secret is not.
    await page.reload()
    await expect(page.locator(f"tr[data-identity='{name}']")).to_contain_text("jobs:read")
    assert secret not in await page.content()
    assert await page.locator("[data-secret]").count() == 0
    await screenshot(page, "identity-after-reload")


async def test_rotating_a_service_identity_secret_shows_the_new_one_and_ends_the_old(
    admin_page: Page,
    console: Service,
    tenant: BootstrapResult,
    stack: Stack,
    http: httpx.AsyncClient,
) -> None:
    admin = await operator_api(http, stack, tenant)
    name, created = await new_service_identity(admin, "billing")
    client_id, old = created["client_id"], created["client_secret"]

    page = admin_page
    page.on("dialog", accept)
    await page.goto(identity_url(console, tenant))
    row = page.locator(f"tr[data-identity='{name}']")
    await row.locator("input[name=reason]").fill("the old secret leaked")
    await row.get_by_role("button", name="Rotate secret").click()
    await expect(page.locator("h1")).to_contain_text(f"New secret for service identity {name}")
    shown_id, new = await shown_secret(page)
    await screenshot(page, "identity-rotated-secret")
    assert shown_id == client_id
    assert new != old
    assert await token_status(http, stack, client_id, old) == 401
    assert await token_status(http, stack, client_id, new) == 200


async def test_an_operator_is_created_disabled_and_enabled_through_the_forms(
    admin_page: Page,
    console: Service,
    tenant: BootstrapResult,
    stack: Stack,
    http: httpx.AsyncClient,
) -> None:
    page = admin_page
    page.on("dialog", accept)
    await page.goto(identity_url(console, tenant))
    name = f"op:helpdesk-{uuid.uuid4().hex[:6]}"
    form = page.locator("form[data-create=operator]")
    await form.locator("input[name=name]").fill(name)
    await form.locator("select[name=role]").select_option("Support")
    await form.locator("input[name=reason]").fill("a new colleague in support")
    await form.locator("button[type=submit]").click()
    client_id, secret = await shown_secret(page)
    assert await token_status(http, stack, client_id, secret) == 200

    await page.goto(identity_url(console, tenant))
    row = page.locator(f"tr[data-operator='{name}']")
    await expect(row.locator(".state")).to_have_text("enabled")
    await row.locator("input[name=reason]").fill("left the support team")
    await row.get_by_role("button", name="Disable").click()
    await expect(page.locator(".flash.ok")).to_contain_text(f"Operator {name} disabled")
    await expect(row.locator(".state")).to_contain_text("disabled")
    await screenshot(page, "identity-operator-disabled")
    assert await token_status(http, stack, client_id, secret) == 401

    await row.locator("input[name=reason]").fill("back in the support team")
    await row.get_by_role("button", name="Enable").click()
    await expect(page.locator(".flash.ok")).to_contain_text(f"Operator {name} enabled")
    await expect(row.locator(".state")).to_have_text("enabled")
    assert await token_status(http, stack, client_id, secret) == 200

    # Each change is audited with the reason typed on the form.
    admin = await operator_api(http, stack, tenant)
    records = await admin.every("/audit", action_prefix="operator.")
    reasons = {(r["action"], r["reason"]) for r in records}
    assert ("operator.disable", "left the support team") in reasons
    assert ("operator.enable", "back in the support team") in reasons


async def test_a_change_without_a_reason_is_not_sent(
    admin_page: Page, console: Service, tenant: BootstrapResult
) -> None:
    page = admin_page
    await page.goto(identity_url(console, tenant))
    csrf = await page_csrf(page)
    answer = await page.request.post(
        f"{identity_url(console, tenant)}/service-identities",
        form={"csrf": csrf, "name": "no-reason", "scopes": "execute", "reason": " "},
        max_redirects=0,
    )
    assert answer.status == 303
    await page.goto(identity_url(console, tenant))
    await expect(page.locator(".flash.error")).to_contain_text("Give a reason")
    assert await page.locator("tr[data-identity='no-reason']").count() == 0


async def test_an_auditor_is_offered_no_change_and_a_forged_one_is_refused(
    browser: Browser,
    console: Service,
    tenant: BootstrapResult,
    stack: Stack,
    http: httpx.AsyncClient,
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    admin = await operator_api(http, stack, tenant)
    name, created = await new_service_identity(admin, "reporting")
    identity_id = created["service_identity"]["id"]
    boss = next(op for op in await admin.every("/operators") if op["role"] == "OperatorAdmin")

    auditor = await new_auditor(app_sessions, tenant)
    page = await signed_in(browser, console, auditor.client_id, auditor.client_secret)
    try:
        await page.goto(identity_url(console, tenant))
        await expect(page.locator(f"tr[data-identity='{name}']")).to_be_visible()
        await expect(page.locator(f"tr[data-operator='{boss['name']}']")).to_be_visible()
        for label in ("Disable", "Enable", "Rotate secret"):
            assert await page.get_by_role("button", name=label).count() == 0, label
        assert await page.locator("form[data-create]").count() == 0
        assert await page.locator("form[action*='/identity/']").count() == 0
        await screenshot(page, "identity-auditor")

        # Its own page's CSRF token is valid, so what refuses these is its role.
        csrf = await page_csrf(page)
        base = identity_url(console, tenant)
        forged = {
            f"{base}/service-identities": {"name": "forged-one", "scopes": "execute"},
            f"{base}/operators": {"name": "op:forged", "role": "OperatorAdmin"},
            f"{base}/operators/{boss['id']}/disable": {},
            f"{base}/operators/{boss['id']}/rotate-secret": {},
            f"{base}/service-identities/{identity_id}/disable": {},
            f"{base}/service-identities/{identity_id}/rotate-secret": {},
        }
        for url, fields in forged.items():
            answer = await page.request.post(
                url, form={"csrf": csrf, "reason": "forged by a test", **fields}, max_redirects=0
            )
            assert answer.status == 403, url
            assert "ReadOnlyAuditor" in (await answer.json())["detail"]
    finally:
        await page.context.close()
    names = {si["name"]: si for si in await admin.every("/service-identities")}
    assert "forged-one" not in names
    assert names[name]["enabled"] is True
    assert (
        await token_status(http, stack, tenant.control_client_id, tenant.control_client_secret)
        == 200
    )


async def test_a_refusal_of_the_api_is_shown_on_the_page(
    admin_page: Page,
    console: Service,
    tenant: BootstrapResult,
    stack: Stack,
    http: httpx.AsyncClient,
) -> None:
    admin = await operator_api(http, stack, tenant)
    name, _ = await new_service_identity(admin, "taken")

    page = admin_page
    await page.goto(identity_url(console, tenant))
    form = page.locator("form[data-create=service-identity]")
    await form.locator("input[name=name]").fill(name)
    await form.locator("input[name=reason]").fill("a second one by mistake")
    await form.locator("button[type=submit]").click()
    await page.wait_for_url(identity_url(console, tenant))
    await expect(page.locator(".flash.error")).to_contain_text(f"called `{name}` exists")
    assert await page.locator("[data-secret]").count() == 0
    await screenshot(page, "identity-refused")

    # A workspace outside the organization: the API's refusal, as an error page.
    await page.goto(f"{console.url}/w/{uuid.uuid4()}/identity")
    await expect(page.locator(".problem-detail")).to_contain_text("No such workspace")


async def test_long_lists_page_with_the_apis_cursor(
    admin_page: Page,
    console: Service,
    tenant: BootstrapResult,
    stack: Stack,
    http: httpx.AsyncClient,
) -> None:
    admin = await operator_api(http, stack, tenant)
    made = await asyncio.gather(
        *(
            admin.write(
                "POST", "/service-identities", {"name": f"many-{n:03}", "scopes": ["execute"]}
            )
            for n in range(PAGE_SIZE)
        )
    )
    assert all(answer.status_code == 201 for answer in made)
    everyone = {si["name"] for si in await admin.every("/service-identities")}
    assert len(everyone) > PAGE_SIZE

    page = admin_page
    await page.goto(identity_url(console, tenant))
    rows = page.locator("tr[data-identity]")
    await expect(rows).to_have_count(PAGE_SIZE)
    first = set(await rows.evaluate_all("rows => rows.map(r => r.dataset.identity)"))
    await page.get_by_role("link", name="More service identities →").click()
    assert "identities_cursor=" in page.url
    await expect(rows).to_have_count(len(everyone) - PAGE_SIZE)
    rest = set(await rows.evaluate_all("rows => rows.map(r => r.dataset.identity)"))
    assert first | rest == everyone
    assert not first & rest
    await expect(page.locator("tr[data-operator]").first).to_be_visible()
    await screenshot(page, "identity-second-page")
