"""Abuse limits: failed client authentication at ``/oauth/token`` is throttled per client
id and address without locking the client out elsewhere, and one token holds at most a few
concurrent SSE streams, on every replica, with no slot leaked by a stream that ends."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis

from orchestrator.cli.infra import Infra
from orchestrator.core.auth.limits import FailureThrottle, StreamSlots, client_address
from orchestrator.core.errors import AuthenticationThrottled, TooManyStreams
from orchestrator.core.settings import AuthSettings
from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.factories import fetch_token
from tests.support.jobs import exec_headers
from tests.support.stack import Stack

pytestmark = pytest.mark.integration

PAIR_CAP = AuthSettings().failures_per_client_address
CLIENT_CAP = AuthSettings().failures_per_client
WINDOW_S = AuthSettings().failure_window_s
PROBLEM = "application/problem+json"


@contextlib.asynccontextmanager
async def client_from(address: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client whose connections come from ``address`` (any 127.0.0.0/8 will do)."""
    transport = httpx.AsyncHTTPTransport(local_address=address)
    async with httpx.AsyncClient(transport=transport, timeout=10) as client:
        yield client


async def authenticate(
    client: httpx.AsyncClient, stack: Stack, client_id: str, secret: str
) -> httpx.Response:
    return await client.post(
        f"{stack.url('control-api')}/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )


def assert_throttled(response: httpx.Response, *secrets: str) -> int:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["code"] == "authentication-throttled"
    for secret in secrets:
        assert secret not in response.text
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= WINDOW_S
    return retry_after


async def test_failed_client_authentication_is_throttled_without_locking_the_client_out(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    client_id, secret = tenant.exec_client_id, tenant.exec_client_secret
    async with client_from("127.0.0.5") as attacker:
        for attempt in range(PAIR_CAP):
            refused = await authenticate(attacker, stack, client_id, f"guess-{attempt}")
            assert refused.status_code == 401, refused.text
        for attempt in range(PAIR_CAP, 20):
            assert_throttled(await authenticate(attacker, stack, client_id, f"guess-{attempt}"))
        # Refused before the secret is checked: a right guess looks like a wrong one.
        assert_throttled(await authenticate(attacker, stack, client_id, secret), secret)
        # The address is not refused for other clients (its own cap is far higher).
        other = await authenticate(
            attacker, stack, tenant.control_client_id, tenant.control_client_secret
        )
        assert other.status_code == 200, other.text
    # The client itself, from its own address, still gets its tokens.
    assert (await authenticate(http, stack, client_id, secret)).status_code == 200


async def test_successes_are_never_counted_and_forgive_earlier_failures_of_the_pair(
    stack: Stack, tenant: BootstrapResult
) -> None:
    client_id, secret = tenant.exec_client_id, tenant.exec_client_secret
    async with client_from("127.0.0.6") as client:
        for _ in range(PAIR_CAP + 5):
            assert (await authenticate(client, stack, client_id, secret)).status_code == 200
        for _ in range(PAIR_CAP - 1):
            assert (await authenticate(client, stack, client_id, "typo")).status_code == 401
        assert (await authenticate(client, stack, client_id, secret)).status_code == 200
        # Counted afresh after the success: the cap still applies, from zero.
        for _ in range(PAIR_CAP):
            assert (await authenticate(client, stack, client_id, "typo")).status_code == 401
        assert_throttled(await authenticate(client, stack, client_id, secret), secret)


async def test_failures_from_many_addresses_reach_the_higher_per_client_cap(
    stack: Stack, tenant: BootstrapResult
) -> None:
    client_id, secret = tenant.exec_client_id, tenant.exec_client_secret
    async with client_from("127.0.3.1") as usual:  # where the client authenticated before
        assert (await authenticate(usual, stack, client_id, secret)).status_code == 200
    per_address = PAIR_CAP - 1  # no single address is refused
    addresses = [f"127.0.1.{n}" for n in range(1, CLIENT_CAP // per_address + 2)]
    for address in addresses:
        async with client_from(address) as client:
            for _ in range(per_address):
                refused = await authenticate(client, stack, client_id, "sprayed")
                assert refused.status_code in (401, 429), refused.text
    async with client_from("127.0.2.1") as fresh:
        assert_throttled(await authenticate(fresh, stack, client_id, secret), secret)
        # Another client of the same workspace is untouched.
        other = await authenticate(
            fresh, stack, tenant.control_client_id, tenant.control_client_secret
        )
        assert other.status_code == 200, other.text
    # The spray does not lock the client out where it is known: only its pair's cap holds.
    async with client_from("127.0.3.1") as usual:
        assert (await authenticate(usual, stack, client_id, secret)).status_code == 200
        for _ in range(PAIR_CAP):
            assert (await authenticate(usual, stack, client_id, "typo")).status_code == 401
        assert_throttled(await authenticate(usual, stack, client_id, secret), secret)


@pytest.fixture
async def redis(infra: Infra) -> AsyncIterator[Redis]:
    client = Redis.from_url(infra.redis_url)
    yield client
    await client.aclose()


async def test_one_address_is_refused_for_every_client_past_its_cap(redis: Redis) -> None:
    settings = AuthSettings(failures_per_address=3, failure_window_s=60)
    throttle = FailureThrottle(redis, f"test-{uuid.uuid4().hex[:8]}", settings)
    for n in range(3):
        standing = await throttle.check(f"client-{n}", "192.0.2.7")
        assert standing.pair_failures == 0
        await throttle.failed(f"client-{n}", "192.0.2.7")
    with pytest.raises(AuthenticationThrottled) as refused:
        await throttle.check("client-never-seen", "192.0.2.7")
    assert 1 <= int(refused.value.headers["Retry-After"]) <= 60
    # Another address is not affected.
    assert (await throttle.check("client-never-seen", "192.0.2.8")).pair_failures == 0


def test_the_counted_address_is_the_peer_unless_it_is_a_trusted_proxy() -> None:
    forwarded = {"x-forwarded-for": "203.0.113.9, 198.51.100.4, 10.0.0.2"}
    # Untrusted peer: its own address, whatever the header says.
    assert client_address("198.51.100.1", forwarded, "") == "198.51.100.1"
    assert client_address("198.51.100.1", forwarded, "10.0.0.0/8") == "198.51.100.1"
    # A trusted proxy: the right-most hop that is not one (the left could be forged).
    assert client_address("10.0.0.1", forwarded, "10.0.0.0/8") == "198.51.100.4"
    assert client_address("10.0.0.1", {}, "10.0.0.0/8") == "10.0.0.1"
    # One IPv6 client holds a /64.
    assert client_address("2001:db8:1:2:3:4:5:6", {}, "") == "2001:db8:1:2::/64"


async def test_a_slot_of_a_stream_that_never_released_it_expires_with_its_lease(
    redis: Redis,
) -> None:
    slots = StreamSlots(redis, f"test-{uuid.uuid4().hex[:8]}", per_token=1, lease_s=0.3)
    assert await slots.acquire("jti-1") is not None  # then the process "crashes"
    with pytest.raises(TooManyStreams):
        await slots.acquire("jti-1")
    assert await slots.acquire("jti-2") is not None  # another token has its own slots
    await asyncio.sleep(0.5)
    assert await slots.acquire("jti-1") is not None


async def test_a_held_slot_is_renewed_while_its_stream_runs_and_freed_when_it_ends(
    redis: Redis,
) -> None:
    slots = StreamSlots(redis, f"test-{uuid.uuid4().hex[:8]}", per_token=1, lease_s=0.3)
    slot = await slots.acquire("jti")
    assert slot is not None

    async def slow() -> AsyncIterator[int]:
        for n in range(4):
            await asyncio.sleep(0.25)
            yield n

    held = slot.hold(slow())
    assert [n async for n in held] == [0, 1, 2, 3]  # a second, over three leases
    await asyncio.sleep(0.05)  # the release runs as a task of its own
    assert await slots.acquire("jti") is not None

    slot = await slots.acquire("other")
    assert slot is not None
    running = slot.hold(slow())
    assert await anext(running) == 0
    await asyncio.sleep(0.6)  # two leases: still held, renewed meanwhile
    with pytest.raises(TooManyStreams):
        await slots.acquire("other")
    await running.aclose()


@contextlib.asynccontextmanager
async def open_streams(
    http: httpx.AsyncClient, url: str, headers: dict[str, str], count: int
) -> AsyncIterator[list[httpx.Response]]:
    async with contextlib.AsyncExitStack() as stack:
        responses = []
        for _ in range(count):
            response = await stack.enter_async_context(
                http.stream("GET", url, headers=headers, timeout=None)
            )
            assert response.status_code == 200
            responses.append(response)
        yield responses


async def test_a_token_holds_at_most_its_cap_of_streams_and_a_closed_one_frees_its_slot(
    stack: Stack, tenant: BootstrapResult
) -> None:
    cap = AuthSettings().streams_per_token
    url = stack.url("exec-api") + "/api/v1/events/stream"
    async with httpx.AsyncClient(timeout=10) as http:
        auth = await exec_headers(http, stack, tenant)
        other_token = await exec_headers(http, stack, tenant)
        async with open_streams(http, url, auth, cap - 1):
            async with http.stream("GET", url, headers=auth, timeout=None) as last:
                assert last.status_code == 200
                refused = await http.get(url, headers=auth)
                assert refused.status_code == 429, refused.text
                assert refused.headers["content-type"].startswith(PROBLEM)
                assert refused.json()["code"] == "too-many-streams"
                assert int(refused.headers["retry-after"]) >= 1
                # The cap is per token: another token of the same client is not refused.
                async with http.stream("GET", url, headers=other_token, timeout=None) as own:
                    assert own.status_code == 200
            # The client closed one stream: its slot is freed once the server sees it go.
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 5.0
            while True:
                async with http.stream("GET", url, headers=auth, timeout=None) as again:
                    if again.status_code == 200:
                        break
                    assert again.status_code == 429
                assert loop.time() < deadline, "the closed stream's slot was not freed"
                await asyncio.sleep(0.1)


async def test_the_throttle_counts_secrets_only_by_their_failure(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult, redis: Redis
) -> None:
    # What Redis keeps names the client id and address, never a secret tried.
    async with client_from("127.0.0.7") as client:
        response = await authenticate(client, stack, tenant.exec_client_id, "not-the-secret-x9")
        assert response.status_code == 401
    keys = [key.decode() async for key in redis.scan_iter(match="*auth-failures*")]
    assert any(tenant.exec_client_id in key for key in keys)
    assert not any("not-the-secret-x9" in key for key in keys)
    assert (
        await fetch_token(
            http, stack.url("control-api"), tenant.exec_client_id, tenant.exec_client_secret
        )
    ).count(".") == 2
