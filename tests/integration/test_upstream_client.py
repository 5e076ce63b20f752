"""The upstream client against the real loopback upstream server."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable

import httpx
import msgspec
import pytest

from orchestrator.core.upstream.client import (
    Timeouts,
    UpstreamBadResponse,
    UpstreamClient,
    UpstreamConnectError,
    UpstreamRefused,
    UpstreamRequest,
    UpstreamTimeout,
)
from orchestrator.core.upstream.lean_client import LeanUpstreamClient
from orchestrator.core.upstream.ssrf import NetworkPolicy
from tests.support.stack import free_port
from tests.support.upstream import Behaviour, Program, UpstreamServer

FAST = Timeouts(connect_s=1.0, read_s=2.0, total_s=3.0)


MakeClient = Callable[..., UpstreamClient]


@pytest.fixture
def make() -> MakeClient:
    """The production client, as its tests build it."""
    return LeanUpstreamClient


@pytest.fixture
async def client(make: MakeClient) -> AsyncIterator[UpstreamClient]:
    """A fresh client allowed to reach loopback, as in tests and ``make run``."""
    client = make(NetworkPolicy(allow_loopback=True))
    yield client
    await client.close()


def get(url: str, **headers: str) -> UpstreamRequest:
    return UpstreamRequest("GET", url, headers)


async def test_success_returns_status_headers_and_body(
    client: UpstreamClient, upstream: UpstreamServer
) -> None:
    request = UpstreamRequest(
        "POST",
        f"{upstream.url}/charges?x=1",
        {"Content-Type": "application/json", "Idempotency-Key": "k-1"},
        b'{"amount": 5}',
    )

    response = await client.request(request, FAST)

    echo = msgspec.json.decode(response.body)
    assert response.status == 200
    assert response.headers["content-type"] == "application/json"
    assert 0 < response.elapsed_s < 1
    assert echo["method"] == "POST"
    assert echo["body"] == {"amount": 5}
    assert upstream.key_calls("k-1") == 1
    recorded = upstream.last_request("/charges")
    assert recorded.query == {"x": ["1"]}
    assert recorded.headers["idempotency-key"] == "k-1"
    assert recorded.json() == {"amount": 5}


async def test_slow_answer_beyond_the_read_timeout(
    client: UpstreamClient, upstream: UpstreamServer
) -> None:
    upstream.delay("/slow", ms=1500)
    started = time.perf_counter()

    with pytest.raises(UpstreamTimeout) as exc:
        await client.request(get(f"{upstream.url}/slow"), Timeouts(1.0, 0.2, 5.0))

    assert exc.value.phase == "read"
    assert 0.15 < time.perf_counter() - started < 1.0


async def test_hang_is_cut_at_the_total_deadline(
    client: UpstreamClient, upstream: UpstreamServer
) -> None:
    upstream.hang("/stuck")
    started = time.perf_counter()

    with pytest.raises(UpstreamTimeout) as exc:
        await client.request(get(f"{upstream.url}/stuck"), Timeouts(1.0, 30.0, 0.3))

    assert exc.value.phase == "total"
    assert 0.25 < time.perf_counter() - started < 0.8


async def test_an_answer_within_the_read_timeout_still_ends_at_the_deadline(
    client: UpstreamClient, upstream: UpstreamServer
) -> None:
    # The answer would come inside the read timeout; only the deadline can stop the wait.
    upstream.delay("/late", ms=250)
    started = time.perf_counter()

    with pytest.raises(UpstreamTimeout) as exc:
        await client.request(get(f"{upstream.url}/late"), Timeouts(1.0, 0.5, 0.1))

    assert exc.value.phase == "total"
    assert time.perf_counter() - started < 0.2


async def test_a_body_trickling_in_is_cut_at_the_deadline(
    client: UpstreamClient, upstream: UpstreamServer
) -> None:
    # Every byte comes well inside the read timeout; only the deadline stops the exchange.
    upstream.trickle("/trickle", ms=50)
    started = time.perf_counter()

    with pytest.raises(UpstreamTimeout) as exc:
        await client.request(get(f"{upstream.url}/trickle"), Timeouts(1.0, 0.5, 0.3))

    assert exc.value.phase == "total"
    assert 0.25 < time.perf_counter() - started < 0.45


async def test_a_spent_deadline_sends_nothing(
    client: UpstreamClient, upstream: UpstreamServer
) -> None:
    with pytest.raises(UpstreamTimeout) as exc:
        await client.request(get(f"{upstream.url}/never"), Timeouts(1.0, 1.0, 0.0))

    assert exc.value.phase == "total"
    assert upstream.calls() == 0


async def test_closed_connection_is_a_connect_error_and_is_not_resent(
    client: UpstreamClient, upstream: UpstreamServer
) -> None:
    await client.request(get(f"{upstream.url}/warm"), FAST)  # a reused connection next
    upstream.drop("/broken", times=1)

    with pytest.raises(UpstreamConnectError) as exc:
        await client.request(get(f"{upstream.url}/broken"), FAST)

    assert exc.value.request_sent is True
    assert upstream.calls("/broken") == 1
    again = await client.request(get(f"{upstream.url}/broken"), FAST)
    assert again.status == 200


async def test_nothing_listening_fails_fast_as_not_sent(client: UpstreamClient) -> None:
    started = time.perf_counter()

    with pytest.raises(UpstreamConnectError) as exc:
        await client.request(get(f"http://127.0.0.1:{free_port()}/"), FAST)

    assert exc.value.request_sent is False
    assert time.perf_counter() - started < 0.5


async def test_sequential_calls_reuse_one_pooled_connection(
    client: UpstreamClient, upstream: UpstreamServer
) -> None:
    for i in range(10):
        response = await client.request(get(f"{upstream.url}/pooled?i={i}"), FAST)
        assert response.status == 200

    assert upstream.connections == 1
    assert {r.connection for r in upstream.requests("/pooled")} == {1}


async def test_redirects_are_not_followed(client: UpstreamClient, upstream: UpstreamServer) -> None:
    upstream.respond("/moved", status=302, headers={"Location": f"{upstream.url}/target"}, body=b"")

    response = await client.request(get(f"{upstream.url}/moved"), FAST)

    assert response.status == 302
    assert upstream.calls("/target") == 0


async def test_loopback_is_refused_at_call_time_unless_allowed(
    make: MakeClient, upstream: UpstreamServer
) -> None:
    strict = make(NetworkPolicy())
    try:
        for url in (f"http://localhost:{upstream.port}/x", f"{upstream.url}/x"):
            with pytest.raises(UpstreamRefused) as exc:
                await strict.request(get(url), FAST)
            assert "loopback" in exc.value.reason
    finally:
        await strict.close()

    assert upstream.calls() == 0
    assert upstream.connections == 0


async def test_a_response_larger_than_allowed_is_refused(
    make: MakeClient, upstream: UpstreamServer
) -> None:
    small = make(NetworkPolicy(allow_loopback=True), max_response_bytes=1000)
    upstream.respond("/big", body=b"x" * 5000)
    try:
        with pytest.raises(UpstreamBadResponse):
            await small.request(get(f"{upstream.url}/big"), FAST)
    finally:
        await small.close()


async def test_upstream_fails_k_times_with_retry_after_then_succeeds(
    client: UpstreamClient, upstream: UpstreamServer
) -> None:
    upstream.fail("/flaky", status=429, times=2, retry_after=3)

    statuses = [(await client.request(get(f"{upstream.url}/flaky"), FAST)) for _ in range(3)]

    assert [r.status for r in statuses] == [429, 429, 200]
    assert statuses[0].headers["Retry-After"] == "3"
    assert upstream.calls("/flaky") == 3


async def test_upstream_behaviour_by_path_and_header(
    client: UpstreamClient, upstream: UpstreamServer
) -> None:
    unavailable = await client.request(
        get(f"{upstream.url}/status/503", **{"X-Upstream-Retry-After": "1"}), FAST
    )
    teapot = await client.request(get(f"{upstream.url}/any", **{"X-Upstream-Status": "418"}), FAST)

    assert unavailable.status == 503
    assert unavailable.headers["Retry-After"] == "1"
    assert teapot.status == 418
    with pytest.raises(UpstreamConnectError):
        await client.request(get(f"{upstream.url}/close"), FAST)
    with pytest.raises(UpstreamTimeout):
        await client.request(get(f"{upstream.url}/delay/400"), Timeouts(1.0, 0.1, 1.0))


async def test_upstream_remote_control_for_other_processes(upstream: UpstreamServer) -> None:
    program = Program(path="/remote", times=1, behaviour=Behaviour(status=500))
    async with httpx.AsyncClient(base_url=upstream.url, trust_env=False) as http:
        await http.post("/__upstream/program", content=msgspec.json.encode(program))
        first = await http.get("/remote", headers={"Idempotency-Key": "r-1"})
        second = await http.get("/remote")
        stats = (await http.get("/__upstream/stats")).json()
        await http.post("/__upstream/reset")

    assert (first.status_code, second.status_code) == (500, 200)
    assert stats["paths"] == {"/remote": 2}
    assert stats["keys"] == {"r-1": 1}
    assert upstream.calls() == 0
