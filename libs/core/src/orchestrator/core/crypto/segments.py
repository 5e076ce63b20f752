"""Segmented AES-GCM: a value sealed in fixed-size segments that can be opened one at a time
(the STREAM construction, as Tink's streaming AEAD uses; ADR 0112).

Each segment of ``segment_size`` plaintext bytes (the last one shorter, possibly empty) is
sealed with the same data key under its own nonce: a per-value random prefix, the segment's
counter and a flag set only on the last segment. A reader opening segment ``i`` with the
nonce of position ``i`` therefore refuses a segment moved (reordered, or spliced from
another value: another prefix), and one opening the end of the stream as the last segment
refuses a value cut short on a segment boundary (the flag differs) as well as inside one
(the tag fails). Nothing is returned from a segment before its tag checks out.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX_BYTES = 7
"""The per-value nonce prefix; with the 4-byte counter and the 1-byte flag, 12 bytes."""
TAG_BYTES = 16
SEGMENT_BYTES = 64 * 1024
"""Plaintext bytes a segment holds (all but the last)."""
MAX_SEGMENTS = 2**32
"""The counter is 4 bytes: 256 TiB of 64 KiB segments, far past any payload."""


class SegmentRefused(ValueError):
    """A segment failed its tag, is out of place, or the value ended where it must not."""


def new_prefix() -> bytes:
    """A fresh random nonce prefix for one value."""
    return os.urandom(PREFIX_BYTES)


def nonce(prefix: bytes, counter: int, *, last: bool) -> bytes:
    """The nonce of segment ``counter`` of the value with ``prefix``."""
    if not 0 <= counter < MAX_SEGMENTS:
        raise SegmentRefused("too many segments")
    return prefix + counter.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def sealed_size(plaintext_size: int, segment_size: int = SEGMENT_BYTES) -> int:
    """The bytes the segments of a ``plaintext_size`` value take (tags included)."""
    segments = max(1, -(-plaintext_size // segment_size))
    return plaintext_size + segments * TAG_BYTES


def seal_segments(
    key: bytes, prefix: bytes, plaintext: bytes, aad: bytes, segment_size: int = SEGMENT_BYTES
) -> Iterator[bytes]:
    """The sealed segments of ``plaintext``, in order (one, empty, for an empty value)."""
    aead = AESGCM(key)
    view = memoryview(plaintext)
    count = max(1, -(-len(plaintext) // segment_size))
    for counter in range(count):
        chunk = view[counter * segment_size : (counter + 1) * segment_size]
        yield aead.encrypt(nonce(prefix, counter, last=counter == count - 1), chunk, aad)


class SegmentOpener:
    """Opens a value's segments as its sealed bytes arrive, in chunks of any size.

    ``feed`` returns the plaintext of every segment it could open that is certainly not the
    last (more bytes follow it); ``finish``, at the end of the sealed bytes, opens what is
    left as the last segment. Either raises ``SegmentRefused`` before returning anything of
    a segment that fails. At most one sealed segment and one chunk are held.
    """

    def __init__(
        self, key: bytes, prefix: bytes, aad: bytes, segment_size: int = SEGMENT_BYTES
    ) -> None:
        self._aead = AESGCM(key)
        self._prefix = prefix
        self._aad = aad
        self._sealed = segment_size + TAG_BYTES
        self._buffer = bytearray()
        self._counter = 0
        self._done = False

    def feed(self, chunk: bytes | memoryview) -> list[bytes]:
        """Take the next sealed bytes; the plaintext of the segments they complete."""
        if self._done:
            raise SegmentRefused("bytes after the last segment")
        # Segments are cut from the chunk itself when nothing is buffered (a whole object
        # fed at once is not copied); only the remainder is kept.
        data: bytes | bytearray | memoryview = chunk
        if self._buffer:
            self._buffer += chunk
            data = self._buffer
        view = memoryview(data)
        opened: list[bytes] = []
        start = 0
        # Strictly more than a segment: this one is followed by more, so it is not the last.
        while len(view) - start > self._sealed:
            opened.append(self._open(view[start : start + self._sealed], last=False))
            start += self._sealed
        rest = bytes(view[start:])
        view.release()
        self._buffer = bytearray(rest)
        return opened

    def finish(self) -> bytes:
        """The last segment's plaintext, once the sealed bytes have all been fed."""
        if self._done:
            raise SegmentRefused("the value was already finished")
        if len(self._buffer) < TAG_BYTES:
            raise SegmentRefused("the value ends inside a segment's tag")
        last = self._open(self._buffer, last=True)
        self._buffer = bytearray()
        self._done = True
        return last

    def _open(self, sealed: bytes | bytearray | memoryview, *, last: bool) -> bytes:
        try:
            plain = self._aead.decrypt(
                nonce(self._prefix, self._counter, last=last), sealed, self._aad
            )
        except InvalidTag:
            raise SegmentRefused(f"segment {self._counter} fails its seal") from None
        self._counter += 1
        return plain


def open_segments(
    key: bytes, prefix: bytes, sealed: bytes, aad: bytes, segment_size: int = SEGMENT_BYTES
) -> bytes:
    """The whole plaintext of a value's sealed segments (``SegmentRefused`` if any fails)."""
    opener = SegmentOpener(key, prefix, aad, segment_size)
    return b"".join([*opener.feed(sealed), opener.finish()])
