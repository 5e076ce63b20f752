"""The single-flight cache behind connector plans and webhook sources."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from orchestrator.core.single_flight import MISSING, SingleFlightCache

T = TypeVar("T")


class Reader:
    """A read that counts its calls and waits until released."""

    def __init__(self) -> None:
        self.calls = 0
        self.release = asyncio.Event()

    async def __call__(self, value: str = "v") -> str:
        self.calls += 1
        await self.release.wait()
        return f"{value}{self.calls}"


def value_of(value: T) -> Callable[[], Awaitable[T]]:
    """A read that gives ``value``."""

    async def read() -> T:
        return value

    return read


async def test_concurrent_misses_share_one_read_and_keep_its_value() -> None:
    cache = SingleFlightCache[str, str](ttl_s=60)
    read = Reader()
    waiting = [asyncio.create_task(cache.get("k", read)) for _ in range(20)]
    await asyncio.sleep(0)
    read.release.set()
    assert set(await asyncio.gather(*waiting)) == {"v1"}
    assert read.calls == 1
    assert cache.cached("k") == "v1"
    assert await cache.get("k", read) == "v1"
    assert read.calls == 1


async def test_an_entry_expires_after_its_ttl() -> None:
    cache = SingleFlightCache[str, str](ttl_s=0.05)
    read = Reader()
    read.release.set()
    assert await cache.get("k", read) == "v1"
    await asyncio.sleep(0.06)
    assert cache.cached("k") is MISSING
    assert await cache.get("k", read) == "v2"


async def test_a_load_that_began_before_an_invalidation_answers_but_is_not_kept() -> None:
    cache = SingleFlightCache[str, str](ttl_s=60)
    read = Reader()
    loading = asyncio.create_task(cache.get("k", read))
    await asyncio.sleep(0)
    cache.invalidate()
    read.release.set()
    assert await loading == "v1"
    assert cache.cached("k") is MISSING


async def test_a_failed_read_reaches_every_waiter_and_is_not_kept() -> None:
    cache = SingleFlightCache[str, str](ttl_s=60)
    gate = asyncio.Event()

    async def failing() -> str:
        await gate.wait()
        raise RuntimeError("database gone")

    waiting = [asyncio.create_task(cache.get("k", failing)) for _ in range(3)]
    await asyncio.sleep(0)
    gate.set()
    for outcome in await asyncio.gather(*waiting, return_exceptions=True):
        assert isinstance(outcome, RuntimeError)
    assert cache.cached("k") is MISSING
    read = Reader()
    read.release.set()
    assert await cache.get("k", read) == "v1"


async def test_invalidation_drops_only_what_it_picks() -> None:
    cache = SingleFlightCache[tuple[str, str], str](ttl_s=60)
    for key in (("a", "x"), ("a", "y"), ("b", "x")):
        await cache.load(key, value_of("-".join(key)))
    cache.invalidate(lambda key, _: key[0] == "a")
    assert cache.cached(("a", "x")) is MISSING
    assert cache.cached(("a", "y")) is MISSING
    assert cache.cached(("b", "x")) == "b-x"


@pytest.mark.parametrize("count", [3, 4])
async def test_past_max_entries_the_cache_starts_afresh(count: int) -> None:
    cache = SingleFlightCache[int, int](ttl_s=60, max_entries=3)
    for key in range(count):
        await cache.load(key, value_of(key))
    kept = [key for key in range(count) if cache.cached(key) is not MISSING]
    assert kept == ([0, 1, 2] if count == 3 else [3])
