"""CPU per upstream call of each HTTP client candidate: ``uv run python -m bench.upstream``.

Sequential calls over one keep-alive connection to the loopback upstream
server, which runs in another process pinned to the other core, so only the
client's CPU is counted (``process_time`` also counts the client's own
threads, e.g. pyreqwest's Tokio runtime). Each call is a small JSON POST with
a bearer token, as ``/execute`` sends. Rounds are interleaved and the best
round of each candidate is reported, to damp noise on a shared machine.
"""

from __future__ import annotations

import asyncio
import gc
import os
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass

import aiohttp
import httpx
import msgspec
from httpx_aiohttp import AiohttpTransport
from tests.support.upstream import Behaviour, Program, upstream_process

from bench.aiohttp_client import AiohttpUpstreamClient
from orchestrator.core.connectors.http.parsing import parse_config
from orchestrator.core.connectors.http.rendering import render_request
from orchestrator.core.connectors.validation import validate_payload
from orchestrator.core.upstream.client import Timeouts, UpstreamRequest
from orchestrator.core.upstream.lean_client import LeanUpstreamClient
from orchestrator.core.upstream.ssrf import NetworkPolicy

CALLS = int(os.environ.get("BENCH_UPSTREAM_CALLS", "3000"))
ROUNDS = int(os.environ.get("BENCH_UPSTREAM_ROUNDS", "3"))
WARMUP = 300
BODY = msgspec.json.encode({"user_id": "u-123", "amount": 1500, "currency": "usd"})
HEADERS = {"Content-Type": "application/json", "Authorization": "Bearer bench-token"}

Call = Callable[[], Awaitable[object]]


@dataclass
class Figure:
    """Best round of one candidate."""

    name: str
    cpu_us: float = float("inf")
    wall_us: float = float("inf")


async def measure(call: Call) -> tuple[float, float]:
    """CPU and wall microseconds per call over ``CALLS`` sequential calls."""
    for _ in range(WARMUP):
        await call()
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(CALLS):
        await call()
    return (
        (time.process_time() - cpu) / CALLS * 1e6,
        (time.perf_counter() - wall) / CALLS * 1e6,
    )


async def candidates(url: str, stack: AsyncExitStack) -> dict[str, Call]:
    """One call function per client, all sending the same request."""
    target = f"{url}/charge"
    calls: dict[str, Call] = {}

    plain = await stack.enter_async_context(httpx.AsyncClient(trust_env=False))

    async def httpx_default() -> object:
        response = await plain.post(target, content=BODY, headers=HEADERS)
        return response.content

    calls["httpx (default transport)"] = httpx_default

    over_aiohttp = await stack.enter_async_context(
        httpx.AsyncClient(transport=AiohttpTransport(trust_env=False), trust_env=False)
    )

    async def httpx_aiohttp() -> object:
        response = await over_aiohttp.post(target, content=BODY, headers=HEADERS)
        return response.content

    calls["httpx + httpx-aiohttp transport"] = httpx_aiohttp

    session = await stack.enter_async_context(aiohttp.ClientSession())

    async def aiohttp_direct() -> object:
        async with session.post(target, data=BODY, headers=HEADERS) as response:
            return await response.read()

    calls["aiohttp (direct)"] = aiohttp_direct

    client = AiohttpUpstreamClient(NetworkPolicy(allow_loopback=True))
    stack.push_async_callback(client.close)
    request = UpstreamRequest("POST", target, HEADERS, BODY)
    timeouts = Timeouts(connect_s=2.0, read_s=10.0, total_s=30.0)

    async def orchestrator_client() -> object:
        return await client.request(request, timeouts)

    calls["AiohttpUpstreamClient (ours)"] = orchestrator_client

    lean = LeanUpstreamClient(NetworkPolicy(allow_loopback=True))
    stack.push_async_callback(lean.close)

    async def lean_client() -> object:
        return await lean.request(request, timeouts)

    calls["LeanUpstreamClient (ours)"] = lean_client

    try:
        from pyreqwest.client import ClientBuilder
    except ImportError:  # pragma: no cover - optional candidate
        return calls
    reqwest = ClientBuilder().build()
    stack.push_async_callback(reqwest.close)

    async def pyreqwest_call() -> object:
        built = reqwest.request("POST", target).headers(HEADERS).body_bytes(BODY).build()
        response = await built.send()
        return await response.bytes()

    calls["pyreqwest"] = pyreqwest_call
    return calls


def runtime_costs() -> dict[str, float]:
    """Microseconds for the connector runtime's per-call work: render, then validate."""
    config = parse_config(
        {
            "base_url": "https://api.example.com/v1",
            "auth": {"type": "bearer", "secret": "token"},
            "operations": {
                "charge": {
                    "method": "POST",
                    "path": "/customers/{user_id}/charges",
                    "query": {"currency": "{currency}"},
                    "payload_schema": {
                        "type": "object",
                        "properties": {
                            "user_id": {"type": "string", "minLength": 1},
                            "amount": {"type": "integer", "minimum": 0},
                            "currency": {"enum": ["usd", "eur"]},
                        },
                        "required": ["user_id", "amount"],
                    },
                }
            },
        }
    )
    operation = config.operations["charge"]
    payload = msgspec.json.decode(BODY)
    bad = {"user_id": "", "amount": -1, "currency": "gbp"}
    secrets = {"token": "t0k3n"}
    n = 20_000

    def per_call(action: Callable[[], object], count: int = n) -> float:
        start = time.perf_counter()
        for _ in range(count):
            action()
        return (time.perf_counter() - start) / count * 1e6

    def invalid() -> None:
        try:
            validate_payload(operation.payload_schema, bad)
        except Exception:  # the cost of the error path is the point
            return

    return {
        "render_request": per_call(lambda: render_request(config, "charge", payload, secrets)),
        "validate (valid payload)": per_call(
            lambda: validate_payload(operation.payload_schema, payload)
        ),
        "validate (3 failing fields)": per_call(invalid, 5_000),
    }


async def main() -> None:
    """Measure and print the table."""
    with upstream_process(cpus={1}) as url:
        os.sched_setaffinity(0, {0})
        async with httpx.AsyncClient(trust_env=False) as control:
            program = Program(path="/charge", behaviour=Behaviour(status=200, body={"id": "ch_1"}))
            await control.post(f"{url}/__upstream/program", content=msgspec.json.encode(program))
        figures: dict[str, Figure] = {}
        async with AsyncExitStack() as stack:
            calls = await candidates(url, stack)
            for _ in range(ROUNDS):
                for name, call in calls.items():
                    cpu_us, wall_us = await measure(call)
                    figure = figures.setdefault(name, Figure(name))
                    figure.cpu_us = min(figure.cpu_us, cpu_us)
                    figure.wall_us = min(figure.wall_us, wall_us)
        costs = runtime_costs()
    print(
        f"Upstream HTTP clients — sequential POSTs on one keep-alive connection over loopback, "
        f"{CALLS} calls x best of {ROUNDS} rounds, client on core 0, upstream on core 1"
    )
    print(f"  {'client':<34} {'CPU µs/call':>12} {'wall µs/call':>13}")
    for figure in sorted(figures.values(), key=lambda f: f.cpu_us):
        print(f"  {figure.name:<34} {figure.cpu_us:>12.0f} {figure.wall_us:>13.0f}")
    print()
    print("Connector runtime per call (in-process)")
    for name, micros in costs.items():
        print(f"  {name:<34} {micros:>12.2f} µs")


if __name__ == "__main__":
    asyncio.run(main())
