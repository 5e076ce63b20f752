"""Segment sealing (the STREAM construction, ADR 0112) and the payload objects built on it:
a value opens back whole or a chunk at a time, and a flipped, reordered, dropped, spliced or
truncated segment is refused before any of its bytes are handed over."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable

import pytest

from orchestrator.core.crypto import envelope
from orchestrator.core.crypto.segments import (
    TAG_BYTES,
    SegmentOpener,
    SegmentRefused,
    new_prefix,
    open_segments,
    seal_segments,
    sealed_size,
)
from orchestrator.core.payloads.errors import PayloadUnreadable
from orchestrator.core.payloads.framing import MAGIC_2, frame, read_head
from orchestrator.core.payloads.sealing import ObjectOpener, open_object, seal_object

KEY = os.urandom(32)
AAD = b"payloads/t/webhook-body/r"
SIZE = 1024  # small segments: many of them in a small value
KEK = envelope.KeyEncryptionKey(id="k1", key=os.urandom(32))


def keys(kek_id: str) -> envelope.KeyEncryptionKey | None:
    return KEK if kek_id == KEK.id else None


def sealed(data: bytes, prefix: bytes) -> list[bytes]:
    return list(seal_segments(KEY, prefix, data, AAD, SIZE))


def opened_in_chunks(blob: bytes, prefix: bytes, chunk: int) -> bytes:
    opener = SegmentOpener(KEY, prefix, AAD, SIZE)
    out = [
        piece
        for start in range(0, len(blob), chunk)
        for piece in opener.feed(blob[start : start + chunk])
    ]
    return b"".join([*out, opener.finish()])


@pytest.mark.parametrize("length", [0, 1, SIZE - 1, SIZE, SIZE + 1, 3 * SIZE, 5 * SIZE + 17])
@pytest.mark.parametrize("chunk", [1, 100, SIZE + TAG_BYTES, 10_000])
def test_a_value_opens_back_in_chunks_of_any_size(length: int, chunk: int) -> None:
    data = os.urandom(length)
    prefix = new_prefix()
    blob = b"".join(sealed(data, prefix))
    assert len(blob) == sealed_size(length, SIZE)
    assert opened_in_chunks(blob, prefix, chunk) == data
    assert open_segments(KEY, prefix, blob, AAD, SIZE) == data


Tamper = Callable[[list[bytes]], list[bytes]]


def flip_middle(segments: list[bytes]) -> list[bytes]:
    middle = segments[2]
    return [*segments[:2], middle[:5] + bytes([middle[5] ^ 1]) + middle[6:], *segments[3:]]


TAMPERS: dict[str, Tamper] = {
    "flipped": flip_middle,
    "reordered": lambda s: [s[0], s[2], s[1], *s[3:]],
    "dropped": lambda s: [*s[:2], *s[3:]],
    "last dropped": lambda s: s[:-1],  # ends on a segment boundary, no last flag
    "truncated": lambda s: [*s[:-1], s[-1][:-3]],
    "cut mid-segment": lambda s: [*s[:2], s[2][:100]],
    "duplicated": lambda s: [*s[:3], s[2], *s[3:]],
    "extended": lambda s: [*s, s[-1]],
}


@pytest.mark.parametrize("how", list(TAMPERS))
def test_a_tampered_value_is_refused_before_its_bad_segment_is_returned(how: str) -> None:
    data = os.urandom(5 * SIZE + 17)
    prefix = new_prefix()
    blob = b"".join(TAMPERS[how](sealed(data, prefix)))
    opener = SegmentOpener(KEY, prefix, AAD, SIZE)
    returned = bytearray()

    def read_all() -> None:
        for start in range(0, len(blob), SIZE // 2):
            for piece in opener.feed(blob[start : start + SIZE // 2]):
                returned.extend(piece)
        returned.extend(opener.finish())

    with pytest.raises(SegmentRefused):
        read_all()
    assert data.startswith(returned)  # only what was verified, in order, came out
    assert len(returned) < len(data)


def test_a_segment_of_another_value_or_context_is_refused() -> None:
    data = os.urandom(3 * SIZE)
    one, other = new_prefix(), new_prefix()
    spliced = sealed(data, one)
    spliced[1] = sealed(data, other)[1]  # the same bytes sealed for another value
    with pytest.raises(SegmentRefused):
        open_segments(KEY, one, b"".join(spliced), AAD, SIZE)
    with pytest.raises(SegmentRefused):
        open_segments(KEY, one, b"".join(sealed(data, one)), b"another key", SIZE)


def test_a_payload_object_is_format_2_and_opens_back_with_its_digest() -> None:
    data = os.urandom(300_000)
    blob = seal_object(KEK, data, context="k/1")
    assert blob.startswith(MAGIC_2)
    found = read_head(blob)
    assert found is not None
    assert found[0] is not None
    assert found[0].segment_size == 64 * 1024
    digest = hashlib.sha256(data).hexdigest()
    assert open_object(keys, "k/1", blob, digest, len(data)) == data
    with pytest.raises(PayloadUnreadable, match="seal"):  # copied under another key
        open_object(keys, "k/2", blob, digest, len(data))
    with pytest.raises(PayloadUnreadable, match="SHA-256"):
        open_object(keys, "k/1", blob, hashlib.sha256(b"x").hexdigest(), None)
    with pytest.raises(PayloadUnreadable, match="size"):
        open_object(keys, "k/1", blob, digest, len(data) - 1)


def test_a_format_1_object_still_opens() -> None:
    data = os.urandom(100_000)
    blob = frame(envelope.seal_bytes(KEK, data, context="k/1"))
    assert open_object(keys, "k/1", blob, hashlib.sha256(data).hexdigest(), len(data)) == data
    opener = ObjectOpener(keys, "k/1", hashlib.sha256(data).hexdigest(), len(data))
    assert [opener.feed(blob[i : i + 7000]) for i in range(0, len(blob), 7000)] == [[]] * 15
    assert opener.finish() == data  # held whole: checked only once complete


def test_an_object_streamed_holds_back_its_last_segment_until_the_digest_matches() -> None:
    data = os.urandom(200_000)
    blob = seal_object(KEK, data, context="k/1")
    wrong = hashlib.sha256(data + b"!").hexdigest()
    opener = ObjectOpener(keys, "k/1", wrong, None)
    handed = b"".join(
        piece for i in range(0, len(blob), 50_000) for piece in opener.feed(blob[i : i + 50_000])
    )
    assert data.startswith(handed)
    assert len(handed) < len(data)
    with pytest.raises(PayloadUnreadable, match="SHA-256"):
        opener.finish()


def test_an_object_sealed_under_a_kek_not_held_is_refused() -> None:
    other = envelope.KeyEncryptionKey(id="k0", key=os.urandom(32))
    blob = seal_object(other, b"x" * 10, context="k/1")
    with pytest.raises(PayloadUnreadable, match="KEK"):
        open_object(keys, "k/1", blob, hashlib.sha256(b"x" * 10).hexdigest(), 10)
    with pytest.raises(PayloadUnreadable):
        open_object(keys, "k/1", b"not an object at all", "0" * 64, None)
