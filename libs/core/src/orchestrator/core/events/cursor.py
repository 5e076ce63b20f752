"""The event cursor: ``(xid, id)`` of the last event seen, as an opaque string.

Events are read in ``(xid, id)`` order and only below the oldest running
transaction's id (see ``events/log.py``), so a cursor never passes over an
event that commits later. The text form is what SSE sends as ``id:`` and what
``Last-Event-ID`` and ``?after=`` take back.

Both numbers count every write of the platform (a transaction id, a table-wide
identity), so the text form must not show them: it is the pair encrypted as one
AES block under a key derived from the KEK, with a short HMAC tag, in base64url
(32 characters). Decoding tries the current KEK's key first, then the previous
one during a KEK rotation; the plain ``"<xid>-<id>"`` form of earlier versions is
still taken back, so a client resuming across the upgrade has no gap.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

if TYPE_CHECKING:
    from orchestrator.core.settings import CryptoSettings

_LEGACY = re.compile(r"^(\d{1,19})-(\d{1,19})$")
MAX_BIGINT = 2**63 - 1
_PAIR = struct.Struct(">QQ")
_TAG_BYTES = 8
_TEXT_LENGTH = 32  # base64url of a 16-byte block and an 8-byte tag
_INFO = b"orchestrator event cursor v1"


class InvalidCursor(ValueError):
    """The text is not an event cursor."""


@dataclass(frozen=True, order=True, slots=True)
class EventCursor:
    """A position in one tenant's event log: after every event at or before it."""

    xid: int
    id: int

    def encode(self) -> str:
        """The opaque text form."""
        return _configured().encode(self)

    @classmethod
    def decode(cls, text: str) -> EventCursor:
        """Parse the text form; ``InvalidCursor`` if it is not one."""
        text = text.strip()
        match = _LEGACY.match(text)
        if match is None:
            return _configured().decode(text)
        xid, id_ = int(match[1]), int(match[2])
        if xid > MAX_BIGINT or id_ > MAX_BIGINT:
            raise InvalidCursor("cursor out of range")
        return cls(xid, id_)

    @classmethod
    def tail(cls, horizon: int) -> EventCursor:
        """After every event that is final at ``horizon`` (the snapshot's xmin)."""
        return cls(max(horizon - 1, 0), MAX_BIGINT)


START = EventCursor(0, 0)
"""Before the first event."""


class _Key:
    """One KEK's cursor keys: a block cipher key and a tag key."""

    def __init__(self, kek: bytes) -> None:
        derived = HKDF(algorithm=hashes.SHA256(), length=48, salt=None, info=_INFO).derive(kek)
        self._cipher = Cipher(algorithms.AES(derived[:32]), modes.ECB())  # noqa: S305
        self._tag_key = derived[32:]

    def seal(self, block: bytes) -> bytes:
        # One block, each cursor a distinct plaintext: ECB is a keyed permutation here.
        sealed = self._cipher.encryptor().update(block)
        return sealed + self._tag(sealed)

    def open(self, raw: bytes) -> bytes | None:
        sealed, tag = raw[:16], raw[16:]
        if not hmac.compare_digest(tag, self._tag(sealed)):
            return None
        return self._cipher.decryptor().update(sealed)

    def _tag(self, sealed: bytes) -> bytes:
        return hmac.new(self._tag_key, sealed, hashlib.sha256).digest()[:_TAG_BYTES]


class CursorCodec:
    """Seals cursors under the first key and opens them under any."""

    def __init__(self, keks: Iterable[bytes]) -> None:
        self._keys = [_Key(kek) for kek in keks]
        if not self._keys:
            raise ValueError("a cursor codec needs a key")

    def encode(self, cursor: EventCursor) -> str:
        """The opaque text of ``cursor``."""
        raw = self._keys[0].seal(_PAIR.pack(cursor.xid, cursor.id))
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    def decode(self, text: str) -> EventCursor:
        """The cursor ``text`` stands for; ``InvalidCursor`` if no key made it."""
        if len(text) != _TEXT_LENGTH:
            raise InvalidCursor("not an event cursor")
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            raise InvalidCursor("not an event cursor") from None
        for key in self._keys:
            block = key.open(raw)
            if block is not None:
                xid, id_ = _PAIR.unpack(block)
                if xid > MAX_BIGINT or id_ > MAX_BIGINT:
                    break
                return EventCursor(xid, id_)
        raise InvalidCursor("not an event cursor")


_codec: CursorCodec | None = None


def configure_cursors(settings: CryptoSettings) -> None:
    """Set this process's cursor keys from the KEK (and the previous one, mid-rotation)."""
    global _codec
    previous = settings.previous_kek_bytes()
    _codec = CursorCodec([settings.kek_bytes(), *([previous] if previous else [])])


def _configured() -> CursorCodec:
    if _codec is None:
        raise RuntimeError("event cursors are not configured (configure_cursors)")
    return _codec
