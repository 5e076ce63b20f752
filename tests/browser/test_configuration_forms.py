"""Configuration through forms generated from the control-api's JSON Schemas (json-editor),
in Chromium: a validation error shown, fixed, the change made and audited with its reason."""

from __future__ import annotations

from playwright.async_api import Page, expect

from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.browser import screenshot
from tests.support.upstream import UpstreamServer


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
    await properties.click()
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
