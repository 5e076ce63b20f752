"""HTTP load: wrk when installed (cheap per request, so the server is measured), else a
closed-loop generator on aiohttp. Both take a ``Target`` (any method, headers, body) and an
optional think time per connection, which turns the closed loop into a moderate load.

Think times are drawn from an exponential distribution of that mean: with a fixed pause,
every connection would come back at the same moment after each round, and a moderate
load would arrive as bursts of ``concurrency`` requests queued behind one another."""

from __future__ import annotations

import asyncio
import os
import random
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

SECONDS = float(os.environ.get("BENCH_SECONDS", "4"))
"""How long each measured run lasts (``BENCH_SECONDS``)."""
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "32"))
"""Connections of a saturating closed loop (``BENCH_CONCURRENCY``)."""


@dataclass(frozen=True)
class Target:
    """One request, sent again and again."""

    url: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None


@dataclass(frozen=True)
class LoadResult:
    """Throughput and latency of one run."""

    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @classmethod
    def of(cls, latencies: list[float], errors: int, seconds: float) -> LoadResult:
        """The result of ``latencies`` (seconds, any order) measured over ``seconds``."""
        latencies = sorted(latencies)
        return cls(
            requests=len(latencies),
            errors=errors,
            seconds=seconds,
            p50_ms=percentile(latencies, 0.50) * 1000,
            p99_ms=percentile(latencies, 0.99) * 1000,
        )

    @property
    def rps(self) -> float:
        """Completed requests per second."""
        return self.requests / self.seconds


@dataclass(frozen=True)
class Run:
    """How a target is loaded: from ``concurrency`` loops for ``seconds`` after a warm-up of
    ``warmup_s``, each loop waiting ``think_ms`` (on average) after every answer."""

    seconds: float
    concurrency: int
    think_ms: float = 0.0
    warmup_s: float = 1.0


def percentile(sorted_values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of the samples fall."""
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, int(fraction * len(sorted_values)))
    return sorted_values[index]


async def run_load(target: Target, run: Run) -> LoadResult:
    """Load ``target`` as ``run`` says with a closed loop on aiohttp."""
    latencies: list[float] = []
    errors = 0
    connector = aiohttp.TCPConnector(limit=run.concurrency)
    async with aiohttp.ClientSession(connector=connector, headers=target.headers) as session:

        async def loop(until: float, record: bool) -> None:
            nonlocal errors
            while (start := time.perf_counter()) < until:
                async with session.request(target.method, target.url, data=target.body) as response:
                    await response.read()
                    ok = 200 <= response.status < 300
                if record:
                    latencies.append(time.perf_counter() - start)
                    errors += not ok
                if run.think_ms:
                    await asyncio.sleep(random.expovariate(1000 / run.think_ms))

        if run.warmup_s > 0:
            warm_until = time.perf_counter() + run.warmup_s
            await asyncio.gather(*(loop(warm_until, False) for _ in range(run.concurrency)))
        begin = time.perf_counter()
        await asyncio.gather(*(loop(begin + run.seconds, True) for _ in range(run.concurrency)))
        elapsed = time.perf_counter() - begin
    return LoadResult.of(latencies, errors, elapsed)


def _millis(value: str) -> float:
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
    for suffix in ("us", "ms", "s", "m"):
        if value.endswith(suffix):
            return float(value[: -len(suffix)]) * units[suffix]
    return float(value)


def wrk_available() -> bool:
    """True when the ``wrk`` load generator is installed (Debian package ``wrk``)."""
    return shutil.which("wrk") is not None


def _lua_string(value: str | bytes) -> str:
    text = value.decode() if isinstance(value, bytes) else value
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def wrk_script(target: Target, think_ms: float) -> str:
    """The Lua script that makes wrk send ``target`` (and pause ``think_ms`` between)."""
    lines = [f"wrk.method = {_lua_string(target.method)}"]
    if target.body is not None:
        lines.append(f"wrk.body = {_lua_string(target.body)}")
    lines += [
        f"wrk.headers[{_lua_string(name)}] = {_lua_string(value)}"
        for name, value in target.headers.items()
    ]
    if think_ms:
        # Each thread's Lua state seeds from its own table address; wrk takes whole ms.
        lines += [
            "math.randomseed(os.time() + tonumber(tostring({}):match('0x(%x+)'), 16) % 100000)",
            f"function delay() return math.floor(-math.log(1 - math.random()) * {think_ms:g} + 0.5) end",
        ]
    return "\n".join(lines) + "\n"


def run_wrk(target: Target, run: Run) -> LoadResult:
    """Load ``target`` with wrk (one thread, on the caller's CPU affinity)."""
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as scratch:
        script = Path(scratch) / "target.lua"
        script.write_text(wrk_script(target, run.think_ms))
        args = ["wrk", "-t1", f"-c{run.concurrency}", "-s", str(script), "--latency"]
        if run.warmup_s > 0:
            warm = [*args, f"-d{max(1, round(run.warmup_s))}s", target.url]
            subprocess.run(warm, check=True, capture_output=True)
        duration = max(1, round(run.seconds))
        out = subprocess.run(
            [*args, f"-d{duration}s", "--timeout", "10s", target.url],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    return parse_wrk(out)


def parse_wrk(out: str) -> LoadResult:
    """The figures of one ``wrk --latency`` run, from its output."""
    completed = re.search(r"(\d+) requests in ([\d.]+)(\w+),", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE)
    if completed is None or p50 is None or p99 is None:
        raise RuntimeError(f"cannot read wrk's output:\n{out}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(int(n) for n in socket.groups()) if socket else 0
    )
    return LoadResult(
        requests=int(completed.group(1)),
        errors=errors,
        seconds=_millis(completed.group(2) + completed.group(3)) / 1000,
        p50_ms=_millis(p50.group(1)),
        p99_ms=_millis(p99.group(1)),
    )


async def load(target: Target, run: Run) -> LoadResult:
    """wrk when installed, else the aiohttp generator (which costs more per request)."""
    if wrk_available():
        return await asyncio.to_thread(run_wrk, target, run)
    return await run_load(target, run)
