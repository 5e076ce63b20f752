"""What a stopping process tells its endless responses (event streams): end now.

A server stopping on SIGTERM waits for its responses to finish before its lifespan ends,
and a live stream never finishes by itself: without this, a rolling deploy would wait for
each replica's grace period and then kill it. Streams register how to end them; the
signal handler calls every one before the server stops.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import TypeVar

_T = TypeVar("_T")
_ends: list[Callable[[], None]] = []


def on_stop(end: Callable[[], None]) -> Callable[[], None]:
    """Call ``end`` when the process starts stopping; returns how to take it back."""
    _ends.append(end)
    return lambda: _ends.remove(end) if end in _ends else None


def stopping() -> None:
    """The process is stopping: end every registered stream."""
    for end in list(_ends):
        end()


async def until_stopped(items: AsyncIterator[_T]) -> AsyncIterator[_T]:
    """``items`` as they come, ending when the process starts stopping: for a relay whose
    source never ends by itself (the console's streams from the APIs)."""
    stopped = asyncio.Event()
    forget = on_stop(stopped.set)
    waiting = asyncio.ensure_future(stopped.wait())
    try:
        while True:
            following = asyncio.ensure_future(anext(items))
            await asyncio.wait({following, waiting}, return_when=asyncio.FIRST_COMPLETED)
            if not following.done():
                following.cancel()
                with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                    await following
                return
            try:
                item = following.result()
            except StopAsyncIteration:
                return
            yield item
    finally:
        forget()
        waiting.cancel()
