"""Process-wide resources of a service: engine, Redis, keys and token verification."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from loguru import logger
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from orchestrator.core.auth.keystore import KeyStore
from orchestrator.core.auth.revocation import Denylist, RevocationFeed
from orchestrator.core.auth.revocation import channel as revocation_channel
from orchestrator.core.auth.verifier import TokenVerifier
from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.db.engine import create_engine, session_factory
from orchestrator.core.notify import Subscriber, config_channel, every
from orchestrator.core.secrets.keyring import keyring_from
from orchestrator.core.settings import PROBE_TIMEOUT_S, CoreSettings


class ExecutionPlane(Protocol):
    """What a process's resources need of the exec plane a service that executes hands
    in (``execution.runtime.ExecutionRuntime``): to follow configuration notices, and to
    close."""

    async def on_config_change(self, message: bytes) -> None: ...

    async def close(self) -> None: ...


OpenExecution = Callable[[CoreSettings, async_sessionmaker[AsyncSession], Redis], ExecutionPlane]
"""Opens the exec plane's parts (``execution.runtime.open_execution``)."""

_abandoned: set[asyncio.Task[Any]] = set()
"""Probes given up on, kept referenced until their cleanup ends."""


async def answers_within(probe: Awaitable[Any], timeout_s: float) -> bool:
    """Whether ``probe`` returns a truthy value within ``timeout_s``.

    A probe past its time is cancelled but not awaited: its cleanup (handing a connection
    back to a frozen server, say) may itself hang, and the caller must answer now.
    """
    task = asyncio.ensure_future(probe)
    try:
        done, _ = await asyncio.wait({task}, timeout=timeout_s)
    finally:
        if not task.done():
            task.cancel()
            _abandoned.add(task)
            task.add_done_callback(_abandoned.discard)
    if not done or task.cancelled() or task.exception() is not None:
        return False
    return bool(task.result())


def kek_from(settings: CoreSettings) -> KeyEncryptionKey:
    """The deployment's key-encryption key."""
    return KeyEncryptionKey(id=settings.crypto.kek_id, key=settings.crypto.kek_bytes())


def keys_channel(namespace: str) -> str:
    """The channel announcing a signing-key rotation."""
    return f"{namespace}:keys"


@dataclass
class Resources:
    """Opened once per process in the lifespan, closed on shutdown."""

    settings: CoreSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    redis: Redis
    keystore: KeyStore
    denylist: Denylist
    subscriber: Subscriber
    timers: list[asyncio.Task[None]] = field(default_factory=list)
    verifiers: dict[str, TokenVerifier] = field(default_factory=dict)
    execution: ExecutionPlane | None = None

    def verifier(self, audience: str) -> TokenVerifier:
        """The verifier for tokens of ``audience`` (one cache per audience)."""
        if audience not in self.verifiers:
            auth = self.settings.auth
            self.verifiers[audience] = TokenVerifier(
                self.keystore,
                self.denylist,
                issuer=auth.issuer,
                audience=audience,
                leeway_s=auth.leeway_s,
                cache_size=auth.cache_size,
                max_lifetime_s=auth.max_token_lifetime_s,
            )
        return self.verifiers[audience]

    @property
    def probe_timeout_s(self) -> float:
        """How long a readiness check waits for a dependency: well inside the request's
        deadline, so ``/ready`` itself says which dependency is missing."""
        deadline = self.settings.deployment.request_deadline_s
        return min(PROBE_TIMEOUT_S, deadline / 2) if deadline > 0 else PROBE_TIMEOUT_S

    async def database_ready(self) -> bool:
        """True when the runtime role can run a query within the probe timeout."""
        return await answers_within(self._select_one(), self.probe_timeout_s)

    async def redis_ready(self) -> bool:
        """True when Redis answers PING within the probe timeout."""
        return await answers_within(self.redis.ping(), self.probe_timeout_s)

    async def _select_one(self) -> bool:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True

    async def close(self) -> None:
        """Stop background work and release connections."""
        await self.subscriber.stop()
        for task in self.timers:
            task.cancel()
        await asyncio.gather(*self.timers, return_exceptions=True)
        if self.execution is not None:
            await self.execution.close()
        await self.redis.aclose()
        await self.engine.dispose()


async def open_resources(
    settings: CoreSettings,
    *,
    signs_tokens: bool = False,
    executes: OpenExecution | None = None,
) -> Resources:
    """Connect, load keys and the denylist, and start following both.

    A database or Redis that is down does not stop the process: it starts,
    answers ``/ready`` with 503, and catches up when they return. The key store
    holds the KEK only in a service that signs tokens. A service that ``executes``
    connector operations hands in the opener of the exec plane's parts (which open
    secrets with the KEK ring), and follows configuration change notices.
    """
    engine = create_engine(settings.db)
    sessions = session_factory(engine)
    redis = Redis.from_url(
        settings.redis.require_url(), health_check_interval=10, **settings.redis.client_options()
    )
    keystore = KeyStore(sessions, kek=keyring_from(settings.crypto) if signs_tokens else None)
    denylist = Denylist()
    feed = RevocationFeed(denylist, sessions)

    async def reload_keys(_: bytes) -> None:
        await keystore.refresh()

    namespace = settings.redis.namespace
    handlers = {
        revocation_channel(namespace): feed.on_message,
        keys_channel(namespace): reload_keys,
    }
    execution = executes(settings, sessions, redis) if executes is not None else None
    if execution is not None:
        handlers[config_channel(namespace)] = execution.on_config_change
    subscriber = Subscriber(redis, handlers)
    for name, action in (("signing keys", keystore.refresh), ("revocations", feed.reconcile)):
        try:
            await action()
        except Exception as exc:  # the timers below retry
            logger.warning("{} not loaded at start-up: {!r}", name, exc)
    subscriber.start()
    timers = [
        every(settings.auth.key_refresh_s, keystore.refresh, "keys-reconcile"),
        every(settings.auth.revocation_poll_s, feed.reconcile, "revocations-reconcile"),
    ]
    return Resources(
        settings,
        engine,
        sessions,
        redis,
        keystore,
        denylist,
        subscriber,
        timers,
        execution=execution,
    )
