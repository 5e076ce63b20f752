"""Debian's Chromium, driven by Playwright: the real browser of the console's tests."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path

from playwright.async_api import Page

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(".data/test-screenshots")
# Without these, Chromium reaches for Google's hosts at start (refused on a closed network).
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
]


def ensure_chromium() -> str:
    """The Chromium binary, installing Debian's package first when it is missing and we may."""
    found = shutil.which("chromium") or (CHROMIUM if Path(CHROMIUM).exists() else None)
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env)
        return CHROMIUM
    raise RuntimeError("Chromium is missing: install Debian's `chromium` package")


async def screenshot(page: Page, name: str) -> Path:
    """Save what the page shows now under ``.data/test-screenshots/`` (kept for review)."""
    path = SCREENSHOTS / f"{name}.png"
    image = await page.screenshot(full_page=True)
    assert len(image) > 1000, f"{name}: an empty screenshot"
    await asyncio.to_thread(_save, path, image)
    return path


def _save(path: Path, image: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(image)


async def page_csrf(page: Page) -> str:
    """The CSRF token of the page's forms (what a forged post of this session would carry)."""
    csrf = await page.locator("input[name=csrf]").first.get_attribute("value")
    assert csrf
    return csrf
