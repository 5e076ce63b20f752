"""AES-GCM envelope encryption: a fresh data key per secret, wrapped by the KEK.

Rotating the key-encryption key only re-wraps data keys; the sealed values
themselves never need re-encrypting.
"""

from __future__ import annotations

import base64
import os

import msgspec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class Sealed(msgspec.Struct, frozen=True):
    """A sealed secret as stored in the database (all fields base64)."""

    kek_id: str
    wrapped_key: str
    nonce: str
    ciphertext: str


class KeyEncryptionKey(msgspec.Struct, frozen=True):
    """The KEK and its id, so a sealed value names the key that wraps it."""

    id: str
    key: bytes


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(data: str) -> bytes:
    return base64.b64decode(data)


def _wrap(kek: KeyEncryptionKey, data_key: bytes, aad: bytes) -> str:
    nonce = os.urandom(NONCE_BYTES)
    return _b64(nonce + AESGCM(kek.key).encrypt(nonce, data_key, aad))


def _unwrap(kek: KeyEncryptionKey, wrapped: str, aad: bytes) -> bytes:
    raw = _unb64(wrapped)
    return AESGCM(kek.key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad)


class SealedBytes(msgspec.Struct, frozen=True):
    """A sealed value with its nonce and ciphertext as raw bytes (large payloads: no base64)."""

    kek_id: str
    wrapped_key: str
    nonce: bytes
    ciphertext: bytes


def new_data_key(kek: KeyEncryptionKey, *, context: str) -> tuple[bytes, str]:
    """A fresh data key and its wrapping under ``kek``, bound to ``context`` (a value sealed
    in segments with it, ``crypto/segments.py``, keeps the wrapping beside them)."""
    data_key = AESGCM.generate_key(bit_length=256)
    return data_key, _wrap(kek, data_key, context.encode())


def unwrap_data_key(kek: KeyEncryptionKey, wrapped: str, *, context: str) -> bytes:
    """The data key of ``new_data_key``; fails (``InvalidTag``) under another context."""
    return _unwrap(kek, wrapped, context.encode())


def seal_bytes(kek: KeyEncryptionKey, plaintext: bytes, *, context: str) -> SealedBytes:
    """Encrypt ``plaintext`` bound to ``context`` (used as AAD, e.g. the row's id)."""
    aad = context.encode()
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(NONCE_BYTES)
    return SealedBytes(
        kek_id=kek.id,
        wrapped_key=_wrap(kek, data_key, aad),
        nonce=nonce,
        ciphertext=AESGCM(data_key).encrypt(nonce, plaintext, aad),
    )


def open_bytes(kek: KeyEncryptionKey, sealed: SealedBytes, *, context: str) -> bytes:
    """Decrypt a value of ``seal_bytes``; fails if the context or any byte was changed."""
    aad = context.encode()
    data_key = _unwrap(kek, sealed.wrapped_key, aad)
    return AESGCM(data_key).decrypt(sealed.nonce, sealed.ciphertext, aad)


def seal(kek: KeyEncryptionKey, plaintext: bytes, *, context: str) -> Sealed:
    """Encrypt ``plaintext`` bound to ``context`` (used as AAD, e.g. the row's id)."""
    raw = seal_bytes(kek, plaintext, context=context)
    return Sealed(
        kek_id=raw.kek_id,
        wrapped_key=raw.wrapped_key,
        nonce=_b64(raw.nonce),
        ciphertext=_b64(raw.ciphertext),
    )


def open_sealed(kek: KeyEncryptionKey, sealed: Sealed, *, context: str) -> bytes:
    """Decrypt a sealed value; fails if the context or any byte was changed."""
    raw = SealedBytes(
        sealed.kek_id, sealed.wrapped_key, _unb64(sealed.nonce), _unb64(sealed.ciphertext)
    )
    return open_bytes(kek, raw, context=context)


def rewrap(old: KeyEncryptionKey, new: KeyEncryptionKey, sealed: Sealed, *, context: str) -> Sealed:
    """Re-wrap the data key under a new KEK without touching the ciphertext."""
    aad = context.encode()
    data_key = _unwrap(old, sealed.wrapped_key, aad)
    return Sealed(
        kek_id=new.id,
        wrapped_key=_wrap(new, data_key, aad),
        nonce=sealed.nonce,
        ciphertext=sealed.ciphertext,
    )


def to_json(sealed: Sealed) -> dict[str, str]:
    """The JSON object stored in a JSONB column."""
    return msgspec.to_builtins(sealed)  # type: ignore[no-any-return]


def from_json(data: dict[str, str]) -> Sealed:
    """Parse a stored sealed value."""
    return msgspec.convert(data, Sealed)
