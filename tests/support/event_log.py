"""One workspace's jobs and events through the exec-api, for the event-log tests."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.support.stack import Stack

EVENTS = "/api/v1/events"
JOB = {"connector": "echo", "operation": "get", "payload": {}, "delay_ms": 600_000}
"""A job of the ``echo`` connector held for ten minutes: it only adds its ``job.queued``."""


class Log:
    """One tenant's jobs and events through the exec-api."""

    def __init__(self, http: httpx.AsyncClient, stack: Stack, auth: dict[str, str]) -> None:
        self.http, self.base, self.auth = http, stack.url("exec-api"), auth

    async def submit(self) -> str:
        """Queue one job; its id."""
        response = await self.http.post(f"{self.base}/api/v1/jobs", json=JOB, headers=self.auth)
        assert response.status_code == 202, response.text
        return str(response.json()["id"])

    async def settled(self, count: int) -> list[str]:
        """Submit ``count`` jobs and wait until their events are final, so readable and
        purgeable. An event is final once every transaction older than it has ended, in the
        whole PostgreSQL cluster (``core/events/log.py``): another test session's open
        transaction can hold that back for a moment."""
        jobs = [await self.submit() for _ in range(count)]
        deadline = asyncio.get_running_loop().time() + 15
        while {e["job_id"] for e in await self.items()} < set(jobs):
            assert asyncio.get_running_loop().time() < deadline, "events never became final"
            await asyncio.sleep(0.05)
        return jobs

    async def read(self, after: str | None = None) -> httpx.Response:
        """``GET /api/v1/events`` from ``after``."""
        params = {} if after is None else {"after": after}
        return await self.http.get(self.base + EVENTS, params=params, headers=self.auth)

    async def items(self, after: str | None = None) -> list[dict[str, Any]]:
        """The events of one page from ``after``."""
        response = await self.read(after)
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items
