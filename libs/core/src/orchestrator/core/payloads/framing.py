"""The bytes of one stored object: a versioned header naming the wrapping KEK, then the raw
ciphertext (no base64: a 25 MiB body stays 25 MiB in the bucket).

``orch-payload/2`` (ADR 0112, what is written): the header holds the wrapped data key, the
nonce prefix and the segment size; the sealed segments of ``crypto/segments.py`` follow, so
a reader opens and serves the object segment by segment. ``orch-payload/1`` (ADR 0089, still
read): the header holds the wrapped key and one nonce; one AES-GCM ciphertext follows, which
opens only whole.
"""

from __future__ import annotations

import base64

import msgspec

from orchestrator.core.crypto.envelope import SealedBytes

MAGIC = b"orch-payload/1\n"
MAGIC_2 = b"orch-payload/2\n"
_LENGTH = 4
MAX_HEADER = 4096
"""A header longer than this is not one this code wrote (a stream reader stops there)."""


class _Header(msgspec.Struct, frozen=True):
    kek_id: str
    wrapped_key: str
    nonce: str


class SegmentedHeader(msgspec.Struct, frozen=True):
    """What precedes the segments of an ``orch-payload/2`` object."""

    kek_id: str
    wrapped_key: str
    prefix: str
    """The segments' nonce prefix, base64."""
    segment_size: int

    def raw_prefix(self) -> bytes:
        """The nonce prefix's bytes."""
        return base64.b64decode(self.prefix, validate=True)


class Unframed(ValueError):
    """The object is not one this code wrote (or lost bytes of its header)."""


def frame(sealed: SealedBytes) -> bytes:
    """The ``orch-payload/1`` object's bytes for a payload sealed whole."""
    header = msgspec.json.encode(
        _Header(sealed.kek_id, sealed.wrapped_key, base64.b64encode(sealed.nonce).decode())
    )
    return b"".join((MAGIC, len(header).to_bytes(_LENGTH, "big"), header, sealed.ciphertext))


def segmented_head(header: SegmentedHeader) -> bytes:
    """The bytes an ``orch-payload/2`` object starts with; its segments follow."""
    encoded = msgspec.json.encode(header)
    return b"".join((MAGIC_2, len(encoded).to_bytes(_LENGTH, "big"), encoded))


def _header_bounds(data: bytes | bytearray | memoryview) -> tuple[int, int] | None:
    """Where the header's JSON starts and ends; ``None`` while more bytes are needed."""
    start = len(MAGIC) + _LENGTH  # both magics are the same length
    if len(data) < start:
        return None
    size = int.from_bytes(data[len(MAGIC) : start], "big")
    if size > MAX_HEADER:
        raise Unframed("unreadable payload header")
    if len(data) < start + size:
        return None
    return start, start + size


def read_head(data: bytes | bytearray | memoryview) -> tuple[SegmentedHeader | None, int] | None:
    """An object's header from its first bytes: ``(header, where its body starts)``, the
    header ``None`` for a format-1 object (opened whole, ``unframe``); ``None`` while
    ``data`` is too short to tell. ``Unframed`` if it is no object of ours."""
    probe = bytes(data[: len(MAGIC)])
    if len(probe) < len(MAGIC):
        if not (MAGIC.startswith(probe) or MAGIC_2.startswith(probe)):
            raise Unframed("not a payload object")
        return None
    if probe == MAGIC:
        return None, 0
    if probe != MAGIC_2:
        raise Unframed("not a payload object")
    bounds = _header_bounds(data)
    if bounds is None:
        return None
    try:
        header = msgspec.json.decode(bytes(data[bounds[0] : bounds[1]]), type=SegmentedHeader)
        header.raw_prefix()
    except (msgspec.DecodeError, ValueError) as exc:
        raise Unframed("unreadable payload header") from exc
    if header.segment_size < 1:
        raise Unframed("unreadable payload header")
    return header, bounds[1]


def unframe(data: bytes) -> SealedBytes:
    """The sealed payload in a format-1 object's bytes; ``Unframed`` if they are not one."""
    if not data.startswith(MAGIC):
        raise Unframed("not a payload object")
    bounds = _header_bounds(data)
    if bounds is None:
        raise Unframed("unreadable payload header")
    try:
        header = msgspec.json.decode(data[bounds[0] : bounds[1]], type=_Header)
        nonce = base64.b64decode(header.nonce, validate=True)
    except (msgspec.DecodeError, ValueError) as exc:
        raise Unframed("unreadable payload header") from exc
    return SealedBytes(header.kek_id, header.wrapped_key, nonce, data[bounds[1] :])
