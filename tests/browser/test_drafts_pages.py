"""The Drafts pages in Chromium (ADR 0078): open a draft, stage items in it (a bad one
refused on the page), read what activating would change, and activate it as one version;
discard another; and one version's page shows the whole configuration it holds."""

from __future__ import annotations

import json

from playwright.async_api import Page, expect

from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.browser import screenshot
from tests.support.control_api import Api
from tests.support.stack import Service
from tests.support.versions import limit, versions_url


async def stage(page: Page, member: str, name: str, document: str, reason: str) -> None:
    """Submit the draft page's staging form."""
    form = page.locator("form[data-stage]")
    await form.locator("select[name=member]").select_option(member)
    await form.locator("input[name=name]").fill(name)
    await form.locator("textarea[name=document]").fill(document)
    await form.locator("input[name=reason]").fill(reason)
    await form.locator("button[type=submit]").click()


async def test_changes_staged_in_a_draft_are_activated_together_as_one_version(
    admin_page: Page, console: Service, tenant: BootstrapResult, versioned: Api
) -> None:
    page = admin_page
    await page.locator("nav.side").get_by_role("link", name="Drafts").click()
    await page.wait_for_url("**/drafts")
    await expect(page.locator("p.empty")).to_contain_text("No draft")
    opening = page.locator("form[data-open-draft]")
    await opening.locator("input[name=title]").fill("billing launch")
    await opening.locator("input[name=reason]").fill("stage the launch")
    await opening.locator("button[type=submit]").click()
    await expect(page.locator(".flash.ok")).to_contain_text("billing launch")
    await page.locator("tr[data-draft] a").click()
    await page.wait_for_url("**/drafts/*")

    await stage(page, "policies", "shared", "{not json", "raise it")
    await expect(page.locator(".flash.error")).to_contain_text("not valid JSON")
    await stage(page, "policies", "shared", json.dumps({"spec": limit(40)}), "raise it")
    await expect(page.locator(".flash.ok")).to_contain_text("Saved in the draft")
    await stage(page, "policies", "bulk", json.dumps({"spec": limit(7)}), "a new one")
    await expect(page.locator(".flash.ok")).to_contain_text("Saved in the draft")

    added = page.locator("tr[data-change='policies/bulk']")
    assert "added" in await added.inner_text()
    raised = page.locator("tr[data-change='policies/shared']")
    field = raised.locator("li[data-pointer='/spec/rate_limit/limit']")
    assert (await field.locator("del").inner_text(), await field.locator("ins").inner_text()) == (
        "2",
        "40",
    )
    assert await page.locator("[data-refused], [data-stale]").count() == 0
    # Staged, not applied.
    assert (await versioned.call("GET", "/versions/head")).json()["active"] == 2
    await screenshot(page, "draft-staged")

    activate = page.locator("form[data-activate-draft]")
    await activate.locator("input[name=reason]").fill("launch billing")
    await activate.locator("button[type=submit]").click()
    await page.wait_for_url("**/versions")
    assert "Version 3 is active." in await page.locator(".flash.ok").inner_text()
    newest = page.locator("tr[data-version='3']")
    assert "policies +bulk ~shared" in await newest.inner_text()
    assert "launch billing" in await newest.inner_text()
    spec = (await versioned.call("GET", "/policies/shared")).json()["spec"]
    assert spec["rate_limit"]["limit"] == 40
    assert (await versioned.call("GET", "/drafts")).json()["items"] == []

    await newest.locator("a[data-version-link]").click()
    await page.wait_for_url("**/versions/3")
    snapshot = json.loads(await page.locator("pre[data-snapshot]").inner_text())
    assert sorted(p["name"] for p in snapshot["policies"]) == ["bulk", "shared"]
    await screenshot(page, "version-snapshot")


async def test_a_draft_is_discarded_and_a_refusal_is_shown_before_activating(
    admin_page: Page, console: Service, tenant: BootstrapResult, versioned: Api
) -> None:
    made = await versioned.write("POST", "/drafts", {"title": "orphan connector"})
    assert made.status_code == 201, made.text
    draft = made.json()["id"]
    connector = {"type": "http", "config": {"base_url": "http://127.0.0.1:9/"}, "policy": "gone"}
    put = await versioned.write("PUT", f"/drafts/{draft}/items/connectors/c", connector)
    assert put.status_code == 200, put.text

    page = admin_page
    base = versions_url(console, tenant).removesuffix("/versions")
    await page.goto(f"{base}/drafts/{draft}")
    await expect(page.locator("[data-refused]")).to_contain_text("422")
    discard = page.locator("form[data-discard-draft]")
    await discard.locator("input[name=reason]").fill("not needed")
    await discard.locator("button[type=submit]").click()
    await page.wait_for_url("**/drafts")
    await expect(page.locator(".flash.ok")).to_contain_text("discarded")
    assert await page.locator("tr[data-draft]").count() == 0
    assert (await versioned.call("GET", "/versions/head")).json()["active"] == 2
