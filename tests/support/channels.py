"""A workspace's status channel as its participants use it: sessions, actions, streams."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.support.jobs import SseEvent, sse_events
from tests.support.stack import start_service, wait_ready

REASON = {"reason": "channel test"}


@dataclass
class Watcher:
    """A live stream read in the background: its events (no comments) in a queue."""

    events: asyncio.Queue[SseEvent] = field(default_factory=asyncio.Queue)
    ended: asyncio.Event = field(default_factory=asyncio.Event)
    status: int | None = None

    async def next(self, kind: str | None = None, within_s: float = 5.0) -> SseEvent:
        """The next event (of ``kind``, skipping others), within ``within_s``."""
        async with asyncio.timeout(within_s):
            while True:
                event = await self.events.get()
                if kind is None or event.event == kind:
                    return event


@dataclass
class Member:
    """One participant's requests to one control-api replica."""

    http: httpx.AsyncClient
    base: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        """The bearer header."""
        return {"Authorization": f"Bearer {self.token}"}

    def on(self, base: str) -> Member:
        """The same participant on another replica."""
        return Member(self.http, base, self.token)

    async def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Any request under ``/api/v1/channel``."""
        return await self.http.request(
            method, f"{self.base}/api/v1/channel{path}", headers=self.headers, **kwargs
        )

    async def open(self) -> dict[str, Any]:
        """Open a session."""
        response = await self.call("POST", "/sessions")
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    async def act(self, session: str, action: str, **more: Any) -> httpx.Response:
        """Send an action."""
        return await self.call(
            "POST", "/actions", json={"session": session, "action": action, **more}
        )

    @contextlib.asynccontextmanager
    async def watching(self, session: str) -> AsyncIterator[Watcher]:
        """Read the session's stream in the background for the block's duration."""
        watcher = Watcher()
        connected = asyncio.Event()

        async def read() -> None:
            try:
                async with self.http.stream(
                    "GET",
                    f"{self.base}/api/v1/channel/stream",
                    params={"session": session},
                    headers=self.headers,
                    timeout=httpx.Timeout(10, read=None),
                ) as response:
                    watcher.status = response.status_code
                    connected.set()
                    if response.status_code != 200:
                        return
                    async for event in sse_events(response):
                        if event.comment is None:
                            await watcher.events.put(event)
            except httpx.HTTPError:
                pass
            finally:
                connected.set()
                watcher.ended.set()

        task = asyncio.create_task(read())
        await connected.wait()
        try:
            yield watcher
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def operator_member(
    http: httpx.AsyncClient, base: str, client_id: str, client_secret: str
) -> Member:
    """An operator on the channel, signed in through ``POST /oauth/token``."""
    from tests.support.factories import fetch_token

    return Member(http, base, await fetch_token(http, base, client_id, client_secret))


async def invited_guest(
    admin: Member, workspace: str | None = None
) -> tuple[Member, dict[str, Any]]:
    """A guest invited by ``admin`` and signed in with the invite: the guest, and the invite."""
    params = {**REASON, **({"workspace": workspace} if workspace else {})}
    made = await admin.call("POST", "/invites", params=params)
    assert made.status_code == 201, made.text
    invite: dict[str, Any] = made.json()
    redeemed = await admin.http.post(
        f"{admin.base}/api/v1/channel/guest-token", json={"invite": invite["invite"]}
    )
    assert redeemed.status_code == 201, redeemed.text
    body = redeemed.json()
    assert body["subject"] == invite["guest"]
    return Member(admin.http, admin.base, body["access_token"]), invite


@contextlib.contextmanager
def replica(service_env: dict[str, str], name: str = "control-api-2") -> Iterator[str]:
    """Another control-api process on the same database and Redis; its base URL."""
    service = start_service(name, "orchestrator.control_api", service_env)
    try:
        wait_ready(service)
        yield service.url
    finally:
        service.stop()
