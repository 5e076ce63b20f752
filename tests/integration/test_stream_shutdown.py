"""A service stopping (SIGTERM, as a rolling deploy sends) ends its open event streams and
exits at once: a stream that never ends must not hold the process to its grace period."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Iterator

import httpx

from orchestrator.console.pages.events import relay
from orchestrator.core.http.stopping import stopping
from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.channels import operator_member
from tests.support.factories import fetch_token
from tests.support.stack import Service, Stack, start_service, wait_ready

STOPPED_WITHIN_S = 5.0


@contextlib.contextmanager
def running(name: str, module: str, env: dict[str, str]) -> Iterator[Service]:
    """A service of its own for this test, ready; stopped (killed if need be) after."""
    service = start_service(name, module, env)
    try:
        wait_ready(service)
        yield service
    finally:
        service.stop()


async def stops_at_once(service: Service) -> None:
    """SIGTERM ``service`` (a stream of it open) and check it exits 0, and soon."""
    began = time.monotonic()
    service.process.send_signal(signal.SIGTERM)
    code = await asyncio.to_thread(service.process.wait, 30)
    took = time.monotonic() - began
    assert code == 0
    assert took < STOPPED_WITHIN_S, f"exited {took:.1f} s after SIGTERM"


async def test_a_stopping_control_api_ends_its_channel_streams_and_exits(
    http: httpx.AsyncClient,
    stack: Stack,
    service_env: dict[str, str],
    tenant: BootstrapResult,
) -> None:
    with running("control-api-stopping", "orchestrator.control_api", service_env) as service:
        member = await operator_member(
            http, stack.url("control-api"), tenant.control_client_id, tenant.control_client_secret
        )
        member = member.on(service.url)  # signed in on the stack's, watching on this one
        async with member.watching((await member.open())["id"]) as watcher:
            await watcher.next("snapshot")
            await stops_at_once(service)


async def test_a_stopping_exec_api_ends_its_event_streams_and_exits(
    http: httpx.AsyncClient, stack: Stack, service_env: dict[str, str], tenant: BootstrapResult
) -> None:
    with running("exec-api-stopping", "orchestrator.exec_api", service_env) as service:
        token = await fetch_token(
            http, stack.url("control-api"), tenant.exec_client_id, tenant.exec_client_secret
        )
        headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        async with http.stream(
            "GET", f"{service.url}/api/v1/events/stream", headers=headers, timeout=30
        ) as answer:
            assert answer.status_code == 200
            async for _ in answer.aiter_bytes():
                break  # the stream is open: its first comment arrived
            await stops_at_once(service)


async def test_the_consoles_relay_of_an_endless_stream_ends_when_the_process_stops() -> None:
    async def endless(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        with contextlib.suppress(ConnectionError):
            while True:
                writer.write(b"e\r\n: keep-alive\n\n\r\n")  # a 14-byte chunk
                await writer.drain()
                await asyncio.sleep(0.05)

    server = await asyncio.start_server(endless, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with (
            httpx.AsyncClient(trust_env=False) as client,
            client.stream("GET", f"http://127.0.0.1:{port}/") as answer,
        ):
            relayed = relay(answer)
            assert b"keep-alive" in await anext(relayed)
            asyncio.get_running_loop().call_later(0.3, stopping)
            async with asyncio.timeout(STOPPED_WITHIN_S):
                rest = [chunk async for chunk in relayed]
        # It relayed until the stop, then ended (the source never would).
        assert len(rest) >= 2
        assert all(b"keep-alive" in chunk for chunk in rest)
    finally:
        server.close()
