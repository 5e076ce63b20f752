"""Configuration through forms generated from the control-api's JSON Schemas (json-editor),
in Chromium: a validation error shown, fixed, the change made and audited with its reason."""

from __future__ import annotations

import contextlib

import httpx
from playwright.async_api import Locator, Page, expect
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.browser import screenshot
from tests.support.control_api import operator_api
from tests.support.stack import Stack
from tests.support.upstream import UpstreamServer
from tests.support.webhooks import stripe_source


async def open_property_list(button: Locator, name_input: Locator) -> None:
    """Open json-editor's property list: its button toggles the list, and a click landing
    while the form re-renders (it validates the field just filled) may be undone."""
    for _ in range(3):
        if await name_input.is_visible():
            return
        await button.click()
        with contextlib.suppress(PlaywrightTimeoutError):
            await name_input.wait_for(state="visible", timeout=3000)
    await expect(name_input).to_be_visible()


def field(page: Page, path: str) -> str:
    """The selector of json-editor's input for the schema path ``root.…``."""
    return f"[data-schemapath='{path}'] :is(input, select, textarea):not(.je-switcher):visible"


async def test_a_connector_is_created_through_its_types_generated_form(
    admin_page: Page, tenant: BootstrapResult, upstream: UpstreamServer
) -> None:
    page = admin_page
    base = page.url.removesuffix("/overview")
    await page.goto(f"{base}/configuration/connectors")
    await page.click("text=New HTTP connector")
    await page.wait_for_selector("[data-schemapath='root.config.base_url']")
    await page.fill(field(page, "root.name"), "crm")
    await page.fill("input[name=reason]", "connect the CRM")
    await page.click("form[data-schema-form] button[type=submit]")

    # json-editor checks the type's schema before anything is sent: no base URL, no operation.
    errors = page.locator("[data-form-errors]")
    await expect(errors).to_be_visible()
    assert "required property 'base_url'" in await errors.inner_text()
    assert page.url.endswith("/_new?type=http")
    await screenshot(page, "connector-form-validation-error")

    await page.fill(field(page, "root.config.base_url"), upstream.url)
    operations = page.locator("[data-schemapath='root.config.operations']")
    properties = operations.locator("button", has_text="Object Properties").first
    await open_property_list(properties, operations.locator(".property-selector-input"))
    await operations.locator(".property-selector-input").fill("lookup")
    await operations.locator("button", has_text="Add").first.click()
    await properties.click()  # closing the property list enables the new member's fields
    await page.select_option(field(page, "root.config.operations.lookup.method"), "GET")
    await page.fill(field(page, "root.config.operations.lookup.path"), "/customers/{id}")
    await page.click("form[data-schema-form] button[type=submit]")

    await page.wait_for_url("**/configuration/connectors/crm")
    assert "Created connector crm." in await page.locator(".flash.ok").inner_text()
    resource = await page.locator("[data-resource]").inner_text()
    assert upstream.url in resource
    assert "/customers/{id}" in resource
    await screenshot(page, "connector-created")

    await page.goto(f"{base}/audit?action=connector.")
    row = page.locator("table.audit tbody tr").first
    assert "connector.create" in await row.inner_text()
    assert await row.locator(".reason").inner_text() == "connect the CRM"


async def test_the_apis_refusal_is_shown_on_the_form_with_what_was_typed(
    admin_page: Page, tenant: BootstrapResult
) -> None:
    page = admin_page
    base = page.url.removesuffix("/overview")
    await page.goto(f"{base}/configuration/secret-refs/_new")
    await page.wait_for_selector("[data-schemapath='root.ref']")
    await page.fill(field(page, "root.name"), "psp-key")
    # The schema admits env:// names the deployment then refuses (outside its prefix).
    await page.fill(field(page, "root.ref"), "env://ORCH_KEK")
    await page.fill("input[name=reason]", "psp credentials")
    await page.click("form[data-schema-form] button[type=submit]")
    problem = page.locator("[data-problem]")
    await expect(problem).to_be_visible()
    assert "ORCH_TENANT_SECRET_" in await problem.inner_text()
    assert await page.locator("input[name=reason]").input_value() == "psp credentials"
    await screenshot(page, "secret-ref-refused")


async def test_quotas_are_set_through_their_generated_form(
    admin_page: Page, tenant: BootstrapResult, http: httpx.AsyncClient, stack: Stack
) -> None:
    page = admin_page
    base = page.url.removesuffix("/overview")
    await page.goto(f"{base}/configuration")
    await page.get_by_role("link", name="Quotas").click()
    assert '"rps": null' in await page.locator("[data-quotas]").inner_text()
    await page.get_by_role("link", name="Edit").click()
    await page.wait_for_selector("[data-schemapath='root.rps']")
    await choose(page, "root.rps", "25")
    await choose(page, "root.monthly_calls", "100000")
    await page.fill("input[name=reason]", "cap the trial")
    await page.click("form[data-schema-form] button[type=submit]")
    await page.wait_for_url("**/configuration/quotas")
    assert "Saved the workspace's quotas." in await page.locator(".flash.ok").inner_text()
    shown = await page.locator("[data-quotas]").inner_text()
    assert '"rps": 25' in shown
    assert '"monthly_calls": 100000' in shown
    assert '"concurrency": null' in shown  # what the form left alone stays unlimited
    await screenshot(page, "quotas-set")
    admin = await operator_api(http, stack, tenant)
    changes = await admin.every("/audit", action_prefix="quota.")
    assert [c["reason"] for c in changes] == ["cap the trial"]


async def choose(page: Page, path: str, value: str) -> None:
    """Fill a nullable member of a json-editor form: pick its other type, then the value."""
    holder = page.locator(f"[data-schemapath='{path}']")
    switcher = holder.locator("select.je-switcher").first
    if await switcher.count():
        options = await switcher.locator("option").all_inner_texts()
        await switcher.select_option(label=next(o for o in options if "null" not in o.lower()))
    await page.fill(field(page, path), value)
    await page.press(field(page, path), "Tab")


async def test_a_webhook_source_s_binding_is_created_and_deleted_on_its_page(
    admin_page: Page, tenant: BootstrapResult, http: httpx.AsyncClient, stack: Stack
) -> None:
    admin = await operator_api(http, stack, tenant)
    source_id = await stripe_source(admin)
    page = admin_page
    base = page.url.removesuffix("/overview")
    await page.goto(f"{base}/configuration/webhook-sources/{source_id}")
    bindings = page.locator("[data-bindings]")
    assert "No binding yet" in await bindings.inner_text()
    await bindings.get_by_role("link", name="New binding").click()
    await page.wait_for_selector("[data-schemapath='root.action']")
    await page.select_option(field(page, "root.action"), "forward")
    await page.fill("input[name=reason]", "forward payments")
    await page.click("form[data-schema-form] button[type=submit]")
    # The API checks what the schema cannot: a forward needs a URL.
    problem = page.locator("[data-problem]")
    await expect(problem).to_be_visible()
    assert "forward_url" in await problem.inner_text()

    await choose(page, "root.forward_url", "https://billing.example.com/hooks")
    await page.click("form[data-schema-form] button[type=submit]")
    await page.wait_for_url(f"**/webhook-sources/{source_id}")
    assert "Created binding" in await page.locator(".flash.ok").inner_text()
    row = bindings.locator("tbody tr")
    await expect(row).to_have_count(1)
    assert "https://billing.example.com/hooks" in await row.inner_text()
    await screenshot(page, "webhook-binding-created")

    page.once("dialog", lambda dialog: dialog.accept())
    await row.locator("input[name=reason]").fill("payments move to the queue")
    await row.get_by_role("button", name="Delete").click()
    await expect(page.locator(".flash.ok")).to_contain_text("Deleted binding")
    await expect(bindings.locator("tbody tr")).to_have_count(0)
    reasons = [r["reason"] for r in await admin.every("/audit", action_prefix="webhook_binding.")]
    assert sorted(reasons) == ["forward payments", "payments move to the queue"]
