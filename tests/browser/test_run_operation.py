"""Running an operation from the console in Chromium: a payload form generated from the
operation's JSON Schema, the call made by the console with a one-shot impersonation token
(reason required, audited, stopped after the call), the answer shown; no token in the page."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.tenancy.service import BootstrapResult
from tests.browser.test_configuration_forms import field
from tests.browser.test_impersonation_banner import held_session, section_url
from tests.support.browser import page_csrf, screenshot
from tests.support.console import signed_in
from tests.support.control_api import Api, operator_api
from tests.support.factories import new_auditor
from tests.support.stack import Service, Stack
from tests.support.upstream import UpstreamServer

CHARGE_SCHEMA = {
    "type": "object",
    "required": ["amount"],
    "properties": {
        "amount": {"type": "integer", "minimum": 1, "default": 1},
        "currency": {"type": "string", "enum": ["EUR", "USD"], "default": "EUR"},
    },
}


async def billing_connector(admin: Api, upstream: UpstreamServer) -> None:
    """A connector whose ``charge`` posts its payload to the upstream."""
    answer = await admin.write(
        "POST",
        "/connectors",
        {
            "name": "billing",
            "type": "http",
            "config": {
                "base_url": upstream.url,
                "operations": {
                    "charge": {
                        "method": "POST",
                        "path": "/charges",
                        "payload_schema": CHARGE_SCHEMA,
                        "description": "Charge a card.",
                    }
                },
            },
        },
    )
    assert answer.status_code == 201, answer.text


@pytest.fixture
async def admin(
    http: httpx.AsyncClient, stack: Stack, tenant: BootstrapResult, upstream: UpstreamServer
) -> Api:
    """The tenant's admin on the control-api, once the tenant has the billing connector."""
    api = await operator_api(http, stack, tenant)
    await billing_connector(api, upstream)
    return api


async def open_form(page: Page, console: Service, tenant: BootstrapResult) -> None:
    """From the list of operations to the payload form of ``billing.charge``."""
    await page.goto(section_url(console, tenant, "run"))
    row = page.locator("table[data-operations] tbody tr", has_text="charge")
    assert "Charge a card." in await row.inner_text()
    await row.get_by_role("link", name="Run…").click()
    await page.wait_for_selector("[data-schemapath='root.amount']")


async def post_run(
    page: Page, console: Service, tenant: BootstrapResult, **fields: str
) -> tuple[int, dict[str, Any]]:
    """What a script (or a page without json-editor) could post to run ``billing.charge``
    now, with this page's CSRF token; the console's status and JSON answer."""
    form = {"connector": "billing", "operation": "charge", "how": "now", **fields}
    answer = await page.request.post(
        f"{console.url}/w/{tenant.tenant_id}/run",
        form={"csrf": await page_csrf(page), **form},
        headers={"Accept": "application/json"},
    )
    body: dict[str, Any] = await answer.json()
    return answer.status, body


async def test_an_operation_runs_now_with_a_one_shot_token_that_never_reaches_the_browser(
    admin_page: Page,
    console: Service,
    tenant: BootstrapResult,
    admin: Api,
    upstream: UpstreamServer,
    service_env: dict[str, str],
) -> None:
    page = admin_page
    await open_form(page, console, tenant)
    # The form comes from the operation's schema: its default, its enum as a choice.
    assert await page.input_value(field(page, "root.amount")) == "1"
    await page.select_option(field(page, "root.currency"), "USD")
    await page.fill(field(page, "root.amount"), "0")
    reason = f"refund check {uuid.uuid4().hex[:6]}"
    await page.fill("input[name=reason]", reason)
    await page.click("form[data-run-form] button[type=submit]")
    errors = page.locator("[data-form-errors]")
    await expect(errors).to_be_visible()  # json-editor applied the schema's minimum
    assert upstream.calls("/charges") == 0

    await page.fill(field(page, "root.amount"), "250")
    await page.press(field(page, "root.amount"), "Tab")  # json-editor reads it on change
    await page.click("form[data-run-form] button[type=submit]")
    notice = page.locator("[data-outcome-notice]")
    await expect(notice).to_contain_text("billing.charge succeeded after 1 attempt(s)")
    assert "upstream answered 200" in await notice.inner_text()
    # The upstream echoes what it got: the payload of the form, sent by the exec-api.
    output = await page.locator("[data-run-output]").inner_text()
    assert '"path": "/charges"' in output
    sent = upstream.requests("/charges")
    assert len(sent) == 1
    assert sent[0].json() == {"amount": 250, "currency": "USD"}
    await screenshot(page, "run-operation-now")

    # One impersonation, started with the reason and stopped after the call; the session
    # never held its token (nor any other workspace token).
    started = await admin.every("/audit", action="impersonation.start")
    mine = [r for r in started if r["reason"] == reason]
    assert len(mine) == 1
    assert mine[0]["after"]["scopes"] == ["execute"]
    jti = mine[0]["after"]["jti"]
    stopped = await admin.every("/audit", action="impersonation.stop")
    assert [r["reason"] for r in stopped if r["before"]["jti"] == jti] == [reason]
    held = await held_session(page, service_env)
    assert held.get("impersonation") is None
    assert "eyJ" not in await page.content()


async def test_an_operation_runs_as_a_job_and_leads_to_the_jobs_page(
    admin_page: Page,
    console: Service,
    tenant: BootstrapResult,
    admin: Api,
    upstream: UpstreamServer,
) -> None:
    page = admin_page
    await open_form(page, console, tenant)
    await page.check("input[name=how][value=job]")
    await page.fill("input[name=reason]", "replay a lost charge")
    await page.click("form[data-run-form] button[type=submit]")
    await page.wait_for_url("**/jobs/*")
    assert "billing.charge queued as job" in await page.locator(".flash.ok").inner_text()
    job_id = page.url.rsplit("/", 1)[1]
    job = await admin.call("GET", f"/jobs/{job_id}")
    assert job.status_code == 200
    assert job.json()["job"]["operation"] == "charge"
    # The worker runs it: the upstream gets the call here, not during a later test.
    assert await upstream.until_calls(1, "/charges") == 1


async def test_a_refused_run_is_shown_on_the_form_and_nothing_is_called(
    admin_page: Page,
    console: Service,
    tenant: BootstrapResult,
    admin: Api,
    upstream: UpstreamServer,
) -> None:
    page = admin_page
    # The exec-api checks the payload against the operation's schema, and says where.
    status, answer = await post_run(
        page, console, tenant, document='{"amount": "lots"}', reason="a bad payload"
    )
    assert status == 422
    assert "billing.charge refused (422)" in answer["notice"]
    assert "/payload/amount" in answer["notice"]
    status, answer = await post_run(page, console, tenant)
    assert status == 422
    assert "Not run: Give a reason" in answer["notice"]
    assert upstream.calls("/charges") == 0


async def test_an_auditor_is_offered_no_run_and_a_forged_one_is_refused(
    browser: Browser,
    console: Service,
    tenant: BootstrapResult,
    admin: Api,
    upstream: UpstreamServer,
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    auditor = await new_auditor(app_sessions, tenant)
    page = await signed_in(browser, console, auditor.client_id, auditor.client_secret)
    try:
        nav = page.locator("nav.side")
        assert await nav.get_by_role("link", name="Run an operation").count() == 0
        assert await nav.get_by_role("link", name="Guided first run").count() == 0
        await page.goto(section_url(console, tenant, "run"))
        assert await page.get_by_role("link", name="Run…").count() == 0
        status, answer = await post_run(page, console, tenant, reason="forged")
        assert status == 403
        assert "ReadOnlyAuditor" in answer["detail"]
    finally:
        await page.context.close()
    assert upstream.calls("/charges") == 0


HOSTILE = '</script><img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


async def test_tenant_controlled_operation_texts_render_inert(
    admin_page: Page, console: Service, tenant: BootstrapResult, admin: Api
) -> None:
    schema = {
        "type": "object",
        "title": HOSTILE,
        "properties": {"note": {"description": HOSTILE, "type": "string"}},
    }
    made = await admin.write(
        "POST",
        "/connectors",
        {
            "name": "hostile",
            "type": "http",
            "config": {
                "base_url": "http://127.0.0.1:9",
                "operations": {
                    "probe": {"method": "GET", "description": HOSTILE, "payload_schema": schema}
                },
            },
        },
    )
    assert made.status_code == 201, made.text
    page = admin_page
    await page.goto(section_url(console, tenant, "run"))
    assert HOSTILE in await page.locator("table[data-operations]").inner_text()
    await page.goto(f"{section_url(console, tenant, 'run')}/hostile/probe")
    await page.wait_for_selector("[data-schemapath='root.note']")
    assert HOSTILE in await page.locator("main").inner_text()
    assert await page.evaluate("window.__xss") is None
