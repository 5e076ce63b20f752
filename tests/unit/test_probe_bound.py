"""A readiness probe answers within its bound even when the probe's own cleanup hangs (a
connection handed back to a frozen server)."""

from __future__ import annotations

import asyncio
import time

from orchestrator.core.runtime import answers_within


async def test_a_probe_whose_cleanup_hangs_is_given_up_on_time() -> None:
    cleaned = asyncio.Event()

    async def probe() -> bool:
        try:
            await asyncio.sleep(10)
        finally:
            await asyncio.sleep(1.0)  # cleanup after the cancel, as a rollback to a frozen server
            cleaned.set()
        return True

    started = time.monotonic()
    assert await answers_within(probe(), 0.1) is False
    assert time.monotonic() - started < 0.5
    await asyncio.wait_for(cleaned.wait(), 2)  # the abandoned probe still finished its cleanup


async def test_a_probe_that_answers_or_fails_in_time_says_so() -> None:
    async def yes() -> bool:
        return True

    async def broken() -> bool:
        raise ConnectionError("refused")

    assert await answers_within(yes(), 1) is True
    assert await answers_within(broken(), 1) is False
