"""The ingress's per-process parts, opened after the core resources and closed before them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from litestar import Litestar, Request

from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.db.autocommit import AutocommitConnection
from orchestrator.core.events.wake import Waker
from orchestrator.core.notify import Subscriber, config_channel
from orchestrator.core.payloads.process import payload_store
from orchestrator.core.payloads.store import PayloadStore
from orchestrator.core.policy.gate import PolicyGate
from orchestrator.core.runtime import Resources
from orchestrator.core.secrets.keyring import KeyRing, keyring_from
from orchestrator.core.settings import CryptoSettings
from orchestrator.webhook_ingress.inbox import InboxWriter
from orchestrator.webhook_ingress.limits import SourceLimiter
from orchestrator.webhook_ingress.settings import get_settings
from orchestrator.webhook_ingress.sources import SourceCache

NO_KEK = KeyRing(KeyEncryptionKey(id="", key=b""))
"""The ring of an ingress deployed without ``ORCH_KEK``: it opens no ``db://`` value (each
such ref is logged as sealed under a KEK this process does not hold); ``env://`` refs
still resolve, under the same rule as everywhere (``secrets/scope.py``)."""


@dataclass(frozen=True)
class Ingress:
    """What the webhook route uses in one process."""

    sources: SourceCache
    limiter: SourceLimiter
    inbox: InboxWriter
    max_json_depth: int
    """``ORCH_MAX_JSON_DEPTH``: a verified JSON delivery nested deeper is refused (400)."""
    payloads: PayloadStore | None = None
    """Where a body past ``ORCH_PAYLOAD_THRESHOLD_BYTES`` goes; ``None``: every body inline."""


def ingress_of(request: Request[Any, Any, Any]) -> Ingress:
    """The process's ingress (no dependency injection on the hot route, ADR 0031)."""
    ingress: Ingress = request.app.state.ingress
    return ingress


def keys_of(crypto: CryptoSettings) -> KeyRing:
    """The deployment's KEK ring, or one that opens nothing when the ingress has no KEK."""
    return keyring_from(crypto) if crypto.kek else NO_KEK


@asynccontextmanager
async def running_ingress(app: Litestar) -> AsyncIterator[None]:
    """Lifespan: build the ingress on the opened resources, follow change notices."""
    resources: Resources = app.state.resources
    settings = get_settings()
    namespace = resources.settings.redis.namespace
    sources = SourceCache(
        resources.sessions, keys_of(resources.settings.crypto), ttl_s=settings.sources.source_ttl_s
    )
    gate = PolicyGate(resources.redis, f"{namespace}:webhook-gate")
    waker = Waker(resources.redis, namespace)
    inbox_connection = AutocommitConnection(resources.settings.db)
    notices = Subscriber(resources.redis, {config_channel(namespace): sources.on_config_change})
    notices.start()
    app.state.ingress = Ingress(
        sources=sources,
        limiter=SourceLimiter(gate),
        inbox=InboxWriter(inbox_connection.use, waker),
        max_json_depth=resources.settings.deployment.max_json_depth,
        payloads=payload_store(),
    )
    try:
        yield
    finally:
        await notices.stop()
        await waker.drain()
        await gate.aclose()
        await inbox_connection.close()
