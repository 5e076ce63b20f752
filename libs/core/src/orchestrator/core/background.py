"""Ending the background tasks that processes and services keep (listeners, sweepers)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any


async def cancel_quietly(task: asyncio.Future[Any] | None) -> None:
    """Cancel ``task`` (if any) and wait for it to end, its cancellation not re-raised."""
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
