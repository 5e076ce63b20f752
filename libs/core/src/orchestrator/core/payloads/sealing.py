"""Sealing a payload into an object's bytes and opening them again, whole or as they arrive
(ADR 0089, ADR 0112). Pure: no network; the store runs these in its worker threads.

Every way of opening checks the seal and the plaintext's SHA-256 and size against its row's,
and raises ``PayloadUnreadable`` rather than hand over a byte that fails them.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable

from cryptography.exceptions import InvalidTag

from orchestrator.core.crypto.envelope import (
    KeyEncryptionKey,
    new_data_key,
    open_bytes,
    unwrap_data_key,
)
from orchestrator.core.crypto.segments import (
    SEGMENT_BYTES,
    SegmentOpener,
    SegmentRefused,
    new_prefix,
    seal_segments,
)
from orchestrator.core.payloads.errors import PayloadUnreadable
from orchestrator.core.payloads.framing import (
    SegmentedHeader,
    Unframed,
    read_head,
    segmented_head,
    unframe,
)

KeyLookup = Callable[[str], KeyEncryptionKey | None]
"""The KEK of an id, if this process holds it (``KeyRing.get``)."""


def seal_object(kek: KeyEncryptionKey, data: bytes, *, context: str) -> bytes:
    """The ``orch-payload/2`` object of ``data``, bound to ``context`` (its key)."""
    data_key, wrapped = new_data_key(kek, context=context)
    prefix = new_prefix()
    header = SegmentedHeader(kek.id, wrapped, base64.b64encode(prefix).decode(), SEGMENT_BYTES)
    segments = seal_segments(data_key, prefix, data, context.encode(), SEGMENT_BYTES)
    return b"".join((segmented_head(header), *segments))


def _refused() -> PayloadUnreadable:
    return PayloadUnreadable("A stored payload fails its seal.")


class ObjectOpener:
    """Opens one object's bytes as they arrive (``feed`` then ``finish``), for a row whose
    plaintext has ``sha256`` and ``size``.

    A format-2 object yields each segment once its tag checks out, the last one only once
    the whole plaintext's size and SHA-256 match the row's: a stream served from it ends
    short rather than complete with a byte that fails. A format-1 object can only be
    checked whole: it is held, and handed over by ``finish``.
    """

    def __init__(self, keys: KeyLookup, ref: str, sha256: str, size: int | None) -> None:
        self._keys = keys
        self._ref = ref
        self._sha256 = sha256
        self._size = size
        self._head = bytearray()
        self._whole: bytearray | None = None
        self._segments: SegmentOpener | None = None
        self._hash = hashlib.sha256()
        self._seen = 0

    def feed(self, chunk: bytes | memoryview) -> list[bytes]:
        """Take the object's next bytes; the verified plaintext they complete, if any."""
        if self._segments is not None:
            try:
                opened = self._segments.feed(chunk)
            except SegmentRefused:
                raise _refused() from None
            return self._checked(opened)
        if self._whole is not None:
            self._whole += chunk
            return []
        data = bytes(self._head) + chunk if self._head else chunk
        try:
            found = read_head(data)
        except Unframed:
            raise _refused() from None
        if found is None:
            self._head = bytearray(data)
            return []
        header, start = found
        self._head = bytearray()
        if header is None:  # format 1: only the whole object can be checked
            self._whole = bytearray(data)
            return []
        key = self._data_key(header.kek_id, header.wrapped_key)
        aad = self._ref.encode()
        self._segments = SegmentOpener(key, header.raw_prefix(), aad, header.segment_size)
        return self.feed(memoryview(data)[start:])

    def finish(self) -> bytes:
        """The rest of the plaintext, once every byte of the object was fed and the whole
        plaintext checks against the row."""
        if self._segments is not None:
            try:
                last = self._segments.finish()
            except SegmentRefused:
                raise _refused() from None
        elif self._whole is not None:
            last = self._open_whole(bytes(self._whole))
            self._whole = None
        else:
            raise _refused()  # the object ended inside its header
        self._count(last)
        if self._hash.hexdigest() != self._sha256:
            raise PayloadUnreadable("A stored payload does not match its SHA-256.")
        if self._size is not None and self._seen != self._size:
            raise PayloadUnreadable("A stored payload does not match its size.")
        return last

    def _kek(self, kek_id: str) -> KeyEncryptionKey:
        kek = self._keys(kek_id)
        if kek is None:
            raise PayloadUnreadable("A stored payload is sealed under a KEK not held here.")
        return kek

    def _data_key(self, kek_id: str, wrapped: str) -> bytes:
        kek = self._kek(kek_id)
        try:
            return unwrap_data_key(kek, wrapped, context=self._ref)
        except (InvalidTag, ValueError):
            raise _refused() from None

    def _open_whole(self, blob: bytes) -> bytes:
        try:
            sealed = unframe(blob)
            return open_bytes(self._kek(sealed.kek_id), sealed, context=self._ref)
        except (Unframed, InvalidTag):
            raise _refused() from None

    def _checked(self, plain: list[bytes]) -> list[bytes]:
        for segment in plain:
            self._count(segment)
        return plain

    def _count(self, plain: bytes) -> None:
        self._seen += len(plain)
        if self._size is not None and self._seen > self._size:
            raise PayloadUnreadable("A stored payload does not match its size.")
        self._hash.update(plain)


def open_object(keys: KeyLookup, ref: str, blob: bytes, sha256: str, size: int | None) -> bytes:
    """The checked plaintext of a whole object's bytes (either format)."""
    opener = ObjectOpener(keys, ref, sha256, size)
    return b"".join([*opener.feed(blob), opener.finish()])
