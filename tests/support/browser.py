"""Debian's Chromium, driven by Playwright: the real browser of the console's tests."""

from __future__ import annotations

import asyncio
import fcntl
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


INSTALL_LOCK = Path(".data/chromium-install.lock")
"""Held while installing: ``make test``'s parallel sessions each want the browser, and a
second ``apt-get`` while the first holds dpkg's lock fails at once."""
DPKG_LOCK_WAIT_S = 600
"""How long apt-get waits for dpkg's lock that someone else (not a session of ours) holds."""


def _installed() -> str | None:
    return shutil.which("chromium") or (CHROMIUM if Path(CHROMIUM).exists() else None)


def ensure_chromium() -> str:
    """The Chromium binary, installing Debian's package first when it is missing and we may."""
    found = _installed()
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise RuntimeError("Chromium is missing: install Debian's `chromium` package")
    INSTALL_LOCK.parent.mkdir(parents=True, exist_ok=True)
    with INSTALL_LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        found = _installed()  # another session may have installed it while we waited
        if found:
            return found
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(
            [
                "apt-get",
                "-o",
                f"DPkg::Lock::Timeout={DPKG_LOCK_WAIT_S}",
                "install",
                "-y",
                "-qq",
                "chromium",
            ],
            check=True,
            env=env,
        )
        return CHROMIUM


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
