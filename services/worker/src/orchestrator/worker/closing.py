"""Closing the actors' resources on their event loop, before Dramatiq stops it.

Dramatiq's ``AsyncIO`` middleware stops the event loop thread in its
``after_worker_shutdown``; the pools and clients the actors opened live on that loop. Hooks
of the same signal run in reverse order of the middleware list, so this middleware, added
after ``AsyncIO``, runs first: once every running message is done, while the loop still runs.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from dramatiq import Broker, Middleware, Worker
from dramatiq.asyncio import get_event_loop_thread
from loguru import logger

Closer = Callable[[], Coroutine[Any, Any, None]]


class CloseOnShutdown(Middleware):
    """Runs each closer on the actors' event loop when the worker has stopped."""

    def __init__(self, *closers: Closer) -> None:
        self._closers = closers

    def after_worker_shutdown(self, broker: Broker, worker: Worker) -> None:
        """Close, in order; one that fails is logged and the next still runs."""
        thread = get_event_loop_thread()
        if thread is None:  # no message ever ran: nothing was opened
            return
        for close in self._closers:
            try:
                thread.run_coroutine(close())
            except Exception as exc:
                logger.warning("closing {} on stop failed: {!r}", close.__qualname__, exc)
