"""AES-GCM envelope encryption."""

from __future__ import annotations

import os

import pytest
from cryptography.exceptions import InvalidTag

from orchestrator.core.crypto import envelope

KEK = envelope.KeyEncryptionKey(id="k1", key=os.urandom(32))
OTHER = envelope.KeyEncryptionKey(id="k2", key=os.urandom(32))


def test_sealed_value_opens_with_its_kek_and_context() -> None:
    sealed = envelope.seal(KEK, b"s3cret", context="row-1")
    assert sealed.kek_id == "k1"
    assert b"s3cret" not in envelope.to_json(sealed)["ciphertext"].encode()
    assert (
        envelope.open_sealed(KEK, envelope.from_json(envelope.to_json(sealed)), context="row-1")
        == b"s3cret"
    )


@pytest.mark.parametrize(("kek", "context"), [(OTHER, "row-1"), (KEK, "row-2")])
def test_wrong_kek_or_context_cannot_open(kek: envelope.KeyEncryptionKey, context: str) -> None:
    sealed = envelope.seal(KEK, b"s3cret", context="row-1")
    with pytest.raises(InvalidTag):
        envelope.open_sealed(kek, sealed, context=context)


def test_rewrap_moves_to_a_new_kek_without_reencrypting() -> None:
    sealed = envelope.seal(KEK, b"s3cret", context="row-1")
    moved = envelope.rewrap(KEK, OTHER, sealed, context="row-1")
    assert moved.ciphertext == sealed.ciphertext
    assert moved.kek_id == "k2"
    assert envelope.open_sealed(OTHER, moved, context="row-1") == b"s3cret"
    with pytest.raises(InvalidTag):
        envelope.open_sealed(KEK, moved, context="row-1")
