"""The request guard: deadlines kept by a watchdog, NULs refused, unread bodies drained."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest

from orchestrator.core.deadline import allow, current, paused
from orchestrator.core.http.guard import RequestGuard

DEADLINE_S = 0.2
DEADLINE_SECONDS_OF_BULK = DEADLINE_S * 5


def scope(path: str = "/x", query: bytes = b"", length: int = 0) -> dict[str, Any]:
    headers = [(b"content-length", str(length).encode())] if length else []
    return {"type": "http", "method": "POST", "path": path, "query_string": query,
            "headers": headers}  # fmt: skip


class Client:
    """What the guard sent, and a body fed in chunks."""

    def __init__(self, chunks: list[bytes] | None = None) -> None:
        self.sent: list[dict[str, Any]] = []
        self.chunks = list(chunks or [])
        self.read = 0

    async def receive(self) -> dict[str, Any]:
        chunk = self.chunks.pop(0) if self.chunks else b""
        self.read += 1
        return {"type": "http.request", "body": chunk, "more_body": bool(self.chunks)}

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)

    @property
    def status(self) -> int:
        return int(self.sent[0]["status"])

    @property
    def problem(self) -> dict[str, Any]:
        body: dict[str, Any] = json.loads(self.sent[1]["body"])
        return body


async def answer(send: Any, status: int = 200) -> None:
    await send({"type": "http.response.start", "status": status, "headers": []})
    await send({"type": "http.response.body", "body": b"{}", "more_body": False})


def guard(app: Any, deadline_s: float = DEADLINE_S) -> Any:
    """The guard around ``app`` (typed loosely: the tests speak plain-dict ASGI)."""
    return RequestGuard(app, deadline_s=deadline_s, retry_after_s=2, drain_cap=1 << 20)


async def test_a_request_past_its_deadline_is_a_503_with_retry_after_on_time() -> None:
    async def frozen(scope: Any, receive: Any, send: Any) -> None:
        await asyncio.sleep(60)  # a dependency that never answers

    client = Client()
    started = time.monotonic()
    await guard(frozen)(scope(), client.receive, client.send)
    took = time.monotonic() - started
    assert DEADLINE_S <= took < DEADLINE_S + 0.5  # the watchdog checks every 10 ms
    assert client.status == 503
    assert (b"retry-after", b"2") in client.sent[0]["headers"]
    assert client.problem["code"] == "dependency-unavailable"
    assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]


async def test_a_response_that_started_runs_on_past_the_deadline() -> None:
    async def stream(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await asyncio.sleep(DEADLINE_S * 2)
        await send({"type": "http.response.body", "body": b"late", "more_body": False})

    client = Client()
    await guard(stream)(scope(), client.receive, client.send)
    assert [m.get("body") for m in client.sent] == [None, b"late"]


async def test_time_in_a_paused_section_does_not_count_up_to_its_own_bound() -> None:
    async def upstream_call(scope: Any, receive: Any, send: Any) -> None:
        with paused(DEADLINE_S * 3):
            await asyncio.sleep(DEADLINE_S * 1.5)  # an upstream call under its own deadline
        await answer(send)

    client = Client()
    await guard(upstream_call)(scope(), client.receive, client.send)
    assert client.status == 200

    async def too_long(scope: Any, receive: Any, send: Any) -> None:
        with paused(DEADLINE_S / 4):
            await asyncio.sleep(DEADLINE_S * 3)
        await answer(send)

    late = Client()
    await guard(too_long)(scope(), late.receive, late.send)
    assert late.status == 503


async def test_a_cancellation_from_elsewhere_is_not_taken_for_the_deadline() -> None:
    async def waits(scope: Any, receive: Any, send: Any) -> None:
        await asyncio.sleep(60)

    client = Client()
    request = asyncio.create_task(guard(waits, 10)(scope(), client.receive, client.send))
    await asyncio.sleep(0.01)
    request.cancel()
    with pytest.raises(asyncio.CancelledError):
        await request
    assert client.sent == []


async def test_the_deadline_is_visible_inside_the_request_and_gone_after() -> None:
    seen: list[object] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(current.get())
        await answer(send)

    client = Client()
    await guard(app)(scope(), client.receive, client.send)
    assert seen[0] is not None
    assert current.get() is None
    await guard(app, deadline_s=0)(scope(), client.receive, client.send)
    assert seen[1] is None


async def test_the_watchdog_stops_when_no_request_is_in_flight() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await asyncio.sleep(0)
        await answer(send)

    guarded = guard(app)
    await guarded(scope(), Client().receive, Client().send)
    await asyncio.sleep(0.15)
    task = guarded.watchdog._task
    assert task is not None
    assert task.done()


@pytest.mark.parametrize(("path", "query"), [("/a\x00b", b""), ("/a", b"name=x%00y")])
async def test_a_nul_in_the_request_line_is_a_400_before_any_route(path: str, query: bytes) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("no route may run")

    client = Client()
    await guard(app)(scope(path, query), client.receive, client.send)
    assert client.status == 400
    assert client.problem["code"] == "bad-request"


async def test_a_body_refused_unread_is_drained_after_the_answer() -> None:
    async def refuses(scope: Any, receive: Any, send: Any) -> None:
        await receive()  # the first chunk only, then a refusal
        await answer(send, 413)

    client = Client([b"a" * 10, b"b" * 10, b"c" * 10])
    await guard(refuses)(scope(length=30), client.receive, client.send)
    assert client.status == 413
    assert client.read == 3
    assert client.chunks == []


async def test_a_route_with_a_budget_of_its_own_runs_past_the_default_deadline() -> None:
    async def bulk(scope: Any, receive: Any, send: Any) -> None:
        allow(DEADLINE_SECONDS_OF_BULK)  # as before_request does for a route's budget
        await asyncio.sleep(DEADLINE_S * 2)
        await answer(send)

    client = Client()
    await guard(bulk)(scope(), client.receive, client.send)
    assert client.status == 200

    async def shorter(scope: Any, receive: Any, send: Any) -> None:
        allow(DEADLINE_S / 10)  # never less than the request had
        await asyncio.sleep(DEADLINE_S / 2)
        await answer(send)

    kept = Client()
    await guard(shorter)(scope(), kept.receive, kept.send)
    assert kept.status == 200
