"""The process's payload store, configured once at start-up (as event cursors are).

Services call ``configure_payloads`` with their settings before serving; code that stores
or reads payloads asks ``payload_store()``, which is ``None`` while no bucket is
configured (or in a process that never configured one): everything then stays inline.
"""

from __future__ import annotations

from orchestrator.core.errors import ConfigurationError
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
