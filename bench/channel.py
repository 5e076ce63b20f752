"""The workspace status channel's fan-out (issue 17): ``WATCHERS`` (1,000) live streams
on one workspace, one session each, and ``ACTIONS`` (20) actions sent one after another;
each action's delivery latency to every watcher is its receive time minus its send time
(target: p99 ≤ 100 ms).

One control-api (granian, one worker) serves every stream, started for this section with
``ORCH_CHANNEL_SESSIONS_PER_USER`` raised to ``WATCHERS`` so that one operator holds every
session (the server does the same work a stream whoever holds it: one queue a stream fed
by the process's one Redis subscription; 1,000 guests would only cost 2,000 set-up calls).
The control-api, PostgreSQL and Redis run unpinned, as the other whole-box sections do; the
watchers are raw asyncio streams in this process (no HTTP library: an SSE chunk is timed
when it is read, and only then looked at), and the actions are sent from it too, one at a
time, the next ``PAUSE_S`` after every watcher has read the last, so that each is
measured alone. A send time is taken just before the request is written, so a figure
includes the ``POST``'s own handling, the Redis round trip, the fan-out and this client's
reading of 1,000 sockets on a shared core; beside it, the CPU the control-api and this
client spent an action. A ``503`` while opening or connecting (a shared, busy box) is
tried again, up to five times. Knobs: ``BENCH_CHANNEL_WATCHERS``, ``BENCH_CHANNEL_ACTIONS``.
"""

from __future__ import annotations

import asyncio
import gc
import os
import time
from urllib.parse import urlsplit

import httpx
from tests.support.factories import fetch_token
from tests.support.stack import Service

from bench.cpu import CpuMeter
from bench.load import percentile
from bench.scratch import Scratch, start_ready

WATCHERS = int(os.environ.get("BENCH_CHANNEL_WATCHERS", "1000"))
ACTIONS = int(os.environ.get("BENCH_CHANNEL_ACTIONS", "20"))
PAUSE_S = 0.2
"""Between two actions, once every watcher has read the last one: each is measured alone."""
TARGET_P99_MS = 100.0
OPENING = 20
"""Sessions opened, and streams connected, at a time."""
MARK = b'"type":"action"'


class Watcher:
    """One SSE stream read raw; the time each action event arrived."""

    def __init__(self) -> None:
        self.arrivals: list[float] = []
        self.connected = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def read(self, host: str, port: int, path: str, token: str) -> None:
        """Connect, send the request, then time every chunk holding an action."""
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n"
            f"Authorization: Bearer {token}\r\n\r\n".encode()
        )
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(head.split(b"\r\n", 1)[0].decode())
            pending = b""
            while True:
                chunk = await reader.read(65536)
                now = time.perf_counter()
                if not chunk:
                    return
                if b"snapshot" in chunk:
                    self.connected.set()
                pending += chunk
                # An event may straddle two reads: count each mark once, when complete.
                found = pending.count(MARK)
                self.arrivals.extend([now] * found)
                pending = pending[pending.rfind(MARK) + len(MARK) :] if found else pending[-64:]
        finally:
            writer.close()


async def connected(
    watcher: Watcher, host: str, port: int, session: str, token: str, *, last: bool
) -> bool:
    """Connect ``watcher`` and wait for its snapshot; ``False`` after a 503 (the box is
    shared and busy: the caller tries again), unless it is the ``last`` try."""
    path = f"/api/v1/channel/stream?session={session}"
    task = asyncio.create_task(watcher.read(host, port, path, token))
    watcher.task = task
    waiting = asyncio.create_task(watcher.connected.wait())
    await asyncio.wait({task, waiting}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
    waiting.cancel()
    if task.done():  # refused, or ended before its snapshot
        error = task.exception()
        if not last and error is not None and " 503 " in str(error):
            await asyncio.sleep(0.5)
            return False
        raise error or RuntimeError("a stream ended before its snapshot")
    if not watcher.connected.is_set():
        raise RuntimeError("no snapshot within 60 s")
    return True


async def delivered(watchers: list[Watcher], count: int, within_s: float = 10.0) -> None:
    """Wait until every watcher has read ``count`` actions (or ``within_s`` passed)."""
    deadline = time.perf_counter() + within_s
    while time.perf_counter() < deadline:
        if all(len(watcher.arrivals) >= count for watcher in watchers):
            return
        await asyncio.sleep(0.005)


async def run(scratch: Scratch, services: list[Service]) -> list[str]:
    """Start a control-api for the section, open the watchers, send the actions; the
    section's lines."""
    control = start_ready(
        "control-api-channel",
        "orchestrator.control_api",
        {**scratch.env, "ORCH_CHANNEL_SESSIONS_PER_USER": str(WATCHERS)},
        "ORCH_CONTROL_API_PORT",
    )
    services.append(control)
    tenant = scratch.tenant
    url = urlsplit(control.url)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    async with httpx.AsyncClient(base_url=control.url, timeout=60) as http:
        token = await fetch_token(
            http, control.url, tenant.control_client_id, tenant.control_client_secret
        )
        headers = {"Authorization": f"Bearer {token}"}
        limit = asyncio.Semaphore(OPENING)

        async def opened() -> str:
            async with limit:
                for _ in range(5):  # a 503 (the box is shared and busy): again, shortly
                    answer = await http.post("/api/v1/channel/sessions", headers=headers)
                    if answer.status_code != 503:
                        break
                    await asyncio.sleep(0.5)
                answer.raise_for_status()
                return str(answer.json()["id"])

        began = time.perf_counter()
        sessions = await asyncio.gather(*(opened() for _ in range(WATCHERS)))
        opening_s = time.perf_counter() - began
        watchers = [Watcher() for _ in sessions]

        async def connect(watcher: Watcher, session: str) -> None:
            async with limit:
                for attempt in range(5):
                    if await connected(watcher, host, port, session, token, last=attempt == 4):
                        return

        began = time.perf_counter()
        await asyncio.gather(*(connect(w, s) for w, s in zip(watchers, sessions, strict=True)))
        connecting_s = time.perf_counter() - began
        await asyncio.sleep(1.0)  # the presence of the last openings has passed
        for watcher in watchers:
            watcher.arrivals.clear()

        sent: list[float] = []
        meter = CpuMeter({"control-api": control.process.pid})
        # The client's own collector would pause all 1,000 readers at once: a pause of the
        # load generator's, not the server's (measured: one action in 20 about 60 ms late).
        gc.collect()
        gc.freeze()
        gc.disable()
        meter.start()
        client_began = time.process_time()  # this process alone (its tree holds the API)
        for number in range(ACTIONS):
            sent.append(time.perf_counter())
            answer = await http.post(
                "/api/v1/channel/actions",
                # a session sends at most 30 a minute: each action from another
                json={"session": sessions[number % len(sessions)], "action": "thumbs_up"},
                headers=headers,
            )
            answer.raise_for_status()
            await delivered(watchers, number + 1)
            await asyncio.sleep(PAUSE_S)
        cpu = meter.stop() | {"bench client": time.process_time() - client_began}
        gc.enable()
        gc.unfreeze()
        for watcher in watchers:
            if watcher.task is not None:
                watcher.task.cancel()
        await asyncio.gather(*(w.task for w in watchers if w.task), return_exceptions=True)
    control.stop()

    latencies: list[float] = []
    missing = 0
    for watcher in watchers:
        missing += ACTIONS - len(watcher.arrivals)
        latencies += [(got - at) * 1000 for got, at in zip(watcher.arrivals, sent, strict=False)]
    latencies.sort()
    # Each action's last delivery: one slow action (a pause of the server's) shows here.
    lasts = sorted(
        max((w.arrivals[n] - at) * 1000 for w in watchers if len(w.arrivals) > n)
        for n, at in enumerate(sent)
        if any(len(w.arrivals) > n for w in watchers)
    )
    p50, p99 = percentile(latencies, 0.50), percentile(latencies, 0.99)
    worst = latencies[-1] if latencies else float("nan")
    verdict = "met" if p99 <= TARGET_P99_MS and missing == 0 else "NOT met"
    return [
        f"Channel fan-out — {WATCHERS} watchers (SSE, one session each, one operator with "
        f"ORCH_CHANNEL_SESSIONS_PER_USER={WATCHERS}) on one workspace, {ACTIONS} actions",
        f"  set-up: {WATCHERS} sessions opened in {opening_s:.1f} s, streams connected in "
        f"{connecting_s:.1f} s",
        f"  delivery (receive - send), {len(latencies)} deliveries, {missing} missing: "
        f"p50 {p50:.1f} ms  p99 {p99:.1f} ms  max {worst:.1f} ms",
        f"  an action's last delivery: median {percentile(lasts, 0.5):.1f} ms, worst "
        f"{lasts[-1] if lasts else float('nan'):.1f} ms",
        f"  CPU over the {ACTIONS} actions: control-api {cpu['control-api'] * 1000 / ACTIONS:.0f} ms "
        f"an action, this client (1,000 sockets read) "
        f"{cpu['bench client'] * 1000 / ACTIONS:.0f} ms an action",
        f"  target p99 ≤ {TARGET_P99_MS:.0f} ms: {verdict}",
    ]
