"""The console and a real Chromium for the browser tests, and the admin API beside them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright

from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.browser import CHROMIUM_ARGS, ensure_chromium
from tests.support.console import signed_in, start_console
from tests.support.control_api import Api, operator_api
from tests.support.stack import Service, Stack
from tests.support.versions import two_policy_versions


@pytest.fixture(scope="session")
def console(stack: Stack, service_env: dict[str, str]) -> Iterator[Service]:
    """The console service, on a free port."""
    service = start_console(stack, service_env)
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    """One headless Chromium for the session (each test opens its own context)."""
    executable = ensure_chromium()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@pytest.fixture
async def admin_page(
    browser: Browser, console: Service, tenant: BootstrapResult
) -> AsyncIterator[Page]:
    """The tenant's admin operator, signed in to the console."""
    page = await signed_in(browser, console, tenant.control_client_id, tenant.control_client_secret)
    yield page
    await page.context.close()


@pytest.fixture
async def api(stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult) -> Api:
    """The tenant's admin on the control-api, with no version yet."""
    return await operator_api(http, stack, tenant)


@pytest.fixture
async def versioned(api: Api) -> Api:
    """``api``, once the workspace has its two policy versions."""
    await two_policy_versions(api)
    return api
