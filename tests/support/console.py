"""The console service of a test session, and operators signed in to it in Chromium."""

from __future__ import annotations

from collections.abc import Mapping

from playwright.async_api import Browser, Page

from tests.support.stack import Service, Stack, start_service, wait_ready


def start_console(
    stack: Stack, env: Mapping[str, str], *, port: int | None = None, **extra: str
) -> Service:
    """The console on ``port`` (default: a free one), talking to this session's control-api
    and exec-api unless ``extra`` says otherwise."""
    console = start_service(
        "console",
        "orchestrator.console",
        {
            **env,
            "ORCH_CONSOLE_CONTROL_API_URL": stack.url("control-api"),
            "ORCH_CONSOLE_EXEC_API_URL": stack.url("exec-api"),
            **extra,
        },
        port=port,
    )
    wait_ready(console)
    return console


async def signed_in(browser: Browser, console: Service, client_id: str, secret: str) -> Page:
    """A fresh browser context (its own cookies) signed in with a client id and secret."""
    context = await browser.new_context(viewport={"width": 1280, "height": 860})
    page = await context.new_page()
    await page.goto(f"{console.url}/sign-in")
    await page.fill("input[name=client_id]", client_id)
    await page.fill("input[name=client_secret]", secret)
    await page.click("button[type=submit]")
    await page.wait_for_url("**/overview")
    return page
