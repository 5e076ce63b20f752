"""The outbox relay of a worker process: one thread with its own event loop and engine.

A thread rather than an actor: it runs for the life of the process, it must
keep running while the broker is down (an actor would need the broker to be
scheduled), and blocking broker calls stay off the actors' event loop.
"""

from __future__ import annotations

import asyncio
import threading

import dramatiq
from loguru import logger
from redis.asyncio import Redis

from orchestrator.core.db.engine import create_engine, session_factory
from orchestrator.core.outbox.publisher import BrokerPublisher
from orchestrator.core.outbox.relay import Relay, RelayConfig
from orchestrator.worker.settings import Settings


class RelayThread:
    """Runs a ``Relay`` until ``stop()``."""

    def __init__(self, settings: Settings, broker: dramatiq.Broker) -> None:
        self._settings = settings
        self._broker = broker
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._main, name="outbox-relay", daemon=True)

    def start(self) -> None:
        """Start relaying in the background."""
        self._thread.start()
        self._started.wait(10)

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the current batch and stop."""
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)

    def _main(self) -> None:
        try:
            asyncio.run(self._run())
        except Exception as exc:
            logger.opt(exception=exc).error("outbox relay stopped")

    async def _run(self) -> None:
        core, jobs = self._settings.core, self._settings.jobs
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        engine = create_engine(core.db)
        redis = Redis.from_url(core.redis.require_url(), socket_connect_timeout=2.0)
        relay = Relay(
            session_factory(engine),
            BrokerPublisher(self._broker),
            redis=redis,
            namespace=core.redis.namespace,
            config=RelayConfig(
                batch_size=jobs.relay_batch,
                poll_s=jobs.relay_poll_s,
                linger_s=jobs.relay_linger_s,
                visibility_s=jobs.relay_visibility_s,
            ),
        )
        self._started.set()
        try:
            await relay.run(self._stop)
        finally:
            await redis.aclose()
            await engine.dispose()
