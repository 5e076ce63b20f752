"""A small closed-loop HTTP load generator on aiohttp (cheap per request, so the server is measured)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import aiohttp


@dataclass(frozen=True)
class LoadResult:
    """Throughput and latency of one run."""

    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        """Completed requests per second."""
        return self.requests / self.seconds


def percentile(sorted_values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of the samples fall."""
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, int(fraction * len(sorted_values)))
    return sorted_values[index]


async def run_load(
    url: str, *, headers: dict[str, str], seconds: float, concurrency: int, warmup_s: float = 1.0
) -> LoadResult:
    """GET ``url`` from ``concurrency`` loops for ``seconds`` after a warm-up."""
    latencies: list[float] = []
    errors = 0
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def loop(until: float, record: bool) -> None:
            nonlocal errors
            while (start := time.perf_counter()) < until:
                async with session.get(url) as response:
                    await response.read()
                    ok = response.status == 200
                if record:
                    latencies.append(time.perf_counter() - start)
                    errors += not ok

        warm_until = time.perf_counter() + warmup_s
        await asyncio.gather(*(loop(warm_until, False) for _ in range(concurrency)))
        begin = time.perf_counter()
        await asyncio.gather(*(loop(begin + seconds, True) for _ in range(concurrency)))
        elapsed = time.perf_counter() - begin
    latencies.sort()
    return LoadResult(
        requests=len(latencies),
        errors=errors,
        seconds=elapsed,
        p50_ms=percentile(latencies, 0.50) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
    )
