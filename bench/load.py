"""A small closed-loop HTTP load generator on aiohttp (cheap per request, so the server is measured)."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
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


def _millis(value: str) -> float:
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    for suffix in ("us", "ms", "s"):
        if value.endswith(suffix):
            return float(value[: -len(suffix)]) * units[suffix]
    return float(value)


def wrk_available() -> bool:
    """True when the ``wrk`` load generator is installed (Debian package ``wrk``)."""
    return shutil.which("wrk") is not None


def run_wrk(url: str, *, headers: dict[str, str], seconds: float, concurrency: int) -> LoadResult:
    """Load ``url`` with wrk (one thread, pinned by the caller's affinity)."""
    args = ["wrk", "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "--latency"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    subprocess.run([*args[:3], "-d1s", url], check=True, capture_output=True)  # warm-up
    out = subprocess.run([*args, url], check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _millis(re.search(r"50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _millis(re.search(r"99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return LoadResult(
        requests=round(rps * seconds),
        errors=int(non_2xx.group(1)) if non_2xx else 0,
        seconds=seconds,
        p50_ms=p50,
        p99_ms=p99,
    )
