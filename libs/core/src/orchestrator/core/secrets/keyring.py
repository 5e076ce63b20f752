"""The key-encryption keys a process may open sealed values with: the current one first."""

from __future__ import annotations

from collections.abc import Iterator

from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.errors import ConfigurationError
from orchestrator.core.settings import CryptoSettings


class KeyRing:
    """Seals with the current KEK; opens with whichever KEK a sealed value names."""

    def __init__(self, current: KeyEncryptionKey, *previous: KeyEncryptionKey) -> None:
        self.current = current
        self._by_id = {key.id: key for key in (*reversed(previous), current)}

    def get(self, kek_id: str) -> KeyEncryptionKey | None:
        """The KEK called ``kek_id``, if this ring holds it."""
        return self._by_id.get(kek_id)

    def __iter__(self) -> Iterator[KeyEncryptionKey]:
        return iter(self._by_id.values())

    @classmethod
    def of(cls, keys: KeyEncryptionKey | KeyRing) -> KeyRing:
        """A ring from one KEK (or the ring itself)."""
        return keys if isinstance(keys, KeyRing) else cls(keys)


def previous_kek(settings: CryptoSettings) -> KeyEncryptionKey | None:
    """The KEK being rotated away from, from ``ORCH_KEK_PREVIOUS`` and its id."""
    key = settings.previous_kek_bytes()
    if key is None:
        return None
    if not settings.kek_previous_id or settings.kek_previous_id == settings.kek_id:
        raise ConfigurationError(
            "ORCH_KEK_PREVIOUS_ID must be set and differ from ORCH_KEK_ID "
            "(sealed values name the key that wraps them)"
        )
    return KeyEncryptionKey(id=settings.kek_previous_id, key=key)


def keyring_from(settings: CryptoSettings) -> KeyRing:
    """The deployment's ring: ``ORCH_KEK``, plus ``ORCH_KEK_PREVIOUS`` during a rotation."""
    current = KeyEncryptionKey(id=settings.kek_id, key=settings.kek_bytes())
    previous = previous_kek(settings)
    return KeyRing(current) if previous is None else KeyRing(current, previous)
