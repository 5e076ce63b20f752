"""The bytes of one stored object: a versioned header naming the wrapping KEK, then the
raw AES-GCM ciphertext (no base64: a 25 MiB body stays 25 MiB in the bucket)."""

from __future__ import annotations

import base64

import msgspec

from orchestrator.core.crypto.envelope import SealedBytes

MAGIC = b"orch-payload/1\n"
_LENGTH = 4


class _Header(msgspec.Struct, frozen=True):
    kek_id: str
    wrapped_key: str
    nonce: str


class Unframed(ValueError):
    """The object is not one this code wrote (or lost bytes of its header)."""


def frame(sealed: SealedBytes) -> bytes:
    """The object's bytes for a sealed payload."""
    header = msgspec.json.encode(
        _Header(sealed.kek_id, sealed.wrapped_key, base64.b64encode(sealed.nonce).decode())
    )
    return b"".join((MAGIC, len(header).to_bytes(_LENGTH, "big"), header, sealed.ciphertext))


def unframe(data: bytes) -> SealedBytes:
    """The sealed payload in an object's bytes; ``Unframed`` if they are not one."""
    if not data.startswith(MAGIC):
        raise Unframed("not a payload object")
    start = len(MAGIC) + _LENGTH
    size = int.from_bytes(data[len(MAGIC) : start], "big")
    try:
        header = msgspec.json.decode(data[start : start + size], type=_Header)
        nonce = base64.b64decode(header.nonce, validate=True)
    except (msgspec.DecodeError, ValueError) as exc:
        raise Unframed("unreadable payload header") from exc
    return SealedBytes(header.kek_id, header.wrapped_key, nonce, data[start + size :])
