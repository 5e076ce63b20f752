"""The process's payload store, configured once at start-up (as event cursors are).

Services call ``configure_payloads`` with their settings before serving; code that stores
or reads payloads asks ``payload_store()``, which is ``None`` while no bucket is
configured (or in a process that never configured one): everything then stays inline.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from loguru import logger

from orchestrator.core.errors import ConfigurationError
from orchestrator.core.payloads.errors import PayloadUnreadable
from orchestrator.core.payloads.store import PayloadStore
from orchestrator.core.secrets.keyring import keyring_from
from orchestrator.core.settings import CoreSettings

_store: PayloadStore | None = None


def configure_payloads(settings: CoreSettings) -> PayloadStore | None:
    """Set (or clear) the process's store from ``settings``; the store, if any.

    Cheap: no client is built and boto3 is not imported until the first large payload.
    """
    global _store
    payload = settings.payload
    if not payload.enabled:
        _store = None
        return None
    if not settings.crypto.kek:
        raise ConfigurationError(
            "ORCH_PAYLOAD_BUCKET needs ORCH_KEK: payloads are sealed before they are stored"
        )
    _store = PayloadStore(payload, keyring_from(settings.crypto))
    return _store


def payload_store() -> PayloadStore | None:
    """The process's store, or ``None`` (payloads stay inline)."""
    return _store


def _configured() -> PayloadStore:
    if _store is None:
        raise PayloadUnreadable("The value is in the payload store, which is not configured here.")
    return _store


async def read_stored(ref: str, sha256: str, size: int | None = None) -> bytes:
    """A stored payload's plaintext through the process's store, checked against
    ``sha256``; ``PayloadUnreadable`` if this process has no store to read it from."""
    return await _configured().get(ref, sha256, size)


@dataclass(frozen=True, slots=True)
class Served:
    """A value as a route serves it raw: its size, and its bytes, whole (kept inline) or
    as they are read from the store, each piece verified (``PayloadStore.stream``)."""

    size: int
    content: bytes | AsyncIterator[bytes]

    @classmethod
    def of(cls, data: bytes) -> Served:
        """A value held whole."""
        return cls(len(data), data)


async def serve_stored(
    inline: bytes, ref: str | None, sha256: str | None, size: int | None
) -> Served:
    """``inline`` when the row holds its value, else the stored one, opened: a store that
    does not answer or an object that fails to open raises here, before anything is sent."""
    if ref is None:
        return Served.of(inline)
    if sha256 is None or size is None:  # the rows' checks keep all three or none
        raise PayloadUnreadable("A stored payload's reference is incomplete.")
    return Served(size, await _configured().stream(ref, sha256, size))


async def delete_stored(refs: Sequence[str]) -> None:
    """Delete the stored payloads of rows being deleted, in the rows' transaction, before it
    commits: a store that fails (``PayloadStoreUnavailable``) rolls the rows back, to go in
    a later run, so no object outlives its row; a commit failing after leaves rows past
    retention without their payloads, which the next run deletes."""
    if not refs:
        return
    if _store is None:
        logger.warning("{} stored payloads not deleted: no payload store is configured", len(refs))
        return
    await _store.delete(refs)
