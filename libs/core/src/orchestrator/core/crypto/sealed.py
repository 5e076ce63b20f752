"""Two counters as opaque, tamper-evident text: one AES block and a short HMAC tag.

For positions that must not show what they count (a table-wide identity, a transaction
id): each purpose derives its own keys from the KEK (HKDF-SHA256, its ``info``), so a
text sealed for one purpose never opens for another. Sealing is deterministic (each
pair is a distinct block, so one block of a keyed permutation shows nothing but
equality); opening tries every key given, the current KEK's first.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct
from collections.abc import Iterable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_PAIR = struct.Struct(">QQ")
_TAG_BYTES = 8
TEXT_LENGTH = 32
"""Characters of a sealed pair: base64url of a 16-byte block and an 8-byte tag."""


class _Key:
    """One KEK's keys for one purpose: a block cipher key and a tag key."""

    def __init__(self, kek: bytes, info: bytes) -> None:
        derived = HKDF(algorithm=hashes.SHA256(), length=48, salt=None, info=info).derive(kek)
        self._cipher = Cipher(algorithms.AES(derived[:32]), modes.ECB())  # noqa: S305
        self._tag_key = derived[32:]

    def seal(self, block: bytes) -> bytes:
        # One block, each pair a distinct plaintext: ECB is a keyed permutation here.
        sealed = self._cipher.encryptor().update(block)
        return sealed + self._tag(sealed)

    def open(self, raw: bytes) -> bytes | None:
        sealed, tag = raw[:16], raw[16:]
        if not hmac.compare_digest(tag, self._tag(sealed)):
            return None
        return self._cipher.decryptor().update(sealed)

    def _tag(self, sealed: bytes) -> bytes:
        return hmac.new(self._tag_key, sealed, hashlib.sha256).digest()[:_TAG_BYTES]


class PairSealer:
    """Seals pairs of unsigned 64-bit integers under the first key, opens them under any."""

    def __init__(self, keks: Iterable[bytes], info: bytes) -> None:
        self._keys = [_Key(kek, info) for kek in keks]
        if not self._keys:
            raise ValueError("a sealer needs a key")

    def seal(self, first: int, second: int) -> str:
        """The opaque text of the pair."""
        raw = self._keys[0].seal(_PAIR.pack(first, second))
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    def open(self, text: str) -> tuple[int, int] | None:
        """The pair ``text`` stands for, or None if no key sealed it."""
        if len(text) != TEXT_LENGTH:
            return None
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            return None
        for key in self._keys:
            block = key.open(raw)
            if block is not None:
                first, second = _PAIR.unpack(block)
                return first, second
        return None
