"""Sealing a ``db://`` secret value: AES-GCM envelope bound to its tenant and row."""

from __future__ import annotations

import uuid

from cryptography.exceptions import InvalidTag

from orchestrator.core.crypto import envelope
from orchestrator.core.secrets.keyring import KeyRing


class CannotOpen(Exception):
    """No KEK of the ring opens the value (wrong key, or the row was tampered with)."""


def value_context(tenant_id: uuid.UUID, ref_id: uuid.UUID) -> str:
    """The AAD of a secret value: moving a sealed value to another row or tenant breaks it."""
    return f"secret-ref:{tenant_id}:{ref_id}"


def seal_value(
    keys: KeyRing, *, tenant_id: uuid.UUID, ref_id: uuid.UUID, value: str
) -> dict[str, str]:
    """The JSON stored in ``secret_refs.sealed_value``."""
    sealed = envelope.seal(keys.current, value.encode(), context=value_context(tenant_id, ref_id))
    return envelope.to_json(sealed)


def open_value(
    keys: KeyRing, stored: dict[str, str], *, tenant_id: uuid.UUID, ref_id: uuid.UUID
) -> str:
    """The plaintext of a stored value, opened with the KEK it names."""
    sealed = envelope.from_json(stored)
    kek = keys.get(sealed.kek_id)
    if kek is None:
        raise CannotOpen(f"sealed under KEK `{sealed.kek_id}`, which this process does not hold")
    try:
        plain = envelope.open_sealed(kek, sealed, context=value_context(tenant_id, ref_id))
    except InvalidTag:
        raise CannotOpen(f"does not open with KEK `{sealed.kek_id}`") from None
    return plain.decode()
