"""What makes two requests "the same request" for an idempotency key (pure).

The fingerprint covers the method, the path and the body. A JSON body is
canonicalised (keys sorted, no insignificant whitespace) so a client that
re-serialises the same object on retry is not refused; any other body is
taken byte for byte.
"""

from __future__ import annotations

import hashlib
import re

import msgspec

MAX_KEY_LENGTH = 255
_VISIBLE_ASCII = re.compile(r"^[\x21-\x7e]+$")


def key_problem(key: str) -> str | None:
    """Why ``key`` is not a usable idempotency key, or None."""
    if not key:
        return "the Idempotency-Key header is empty"
    if len(key) > MAX_KEY_LENGTH:
        return f"the Idempotency-Key is longer than {MAX_KEY_LENGTH} characters"
    if not _VISIBLE_ASCII.match(key):
        return "the Idempotency-Key must be visible ASCII characters without spaces"
    return None


def canonical_body(body: bytes) -> bytes:
    """A JSON body in canonical form; any other body unchanged."""
    if not body:
        return b""
    try:
        value = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return body
    return msgspec.json.encode(value, order="sorted")


def fingerprint(method: str, path: str, body: bytes) -> str:
    """The hex SHA-256 of method, path and canonical body."""
    digest = hashlib.sha256()
    # Length-prefixed, so no path can pass for a different split of path and body.
    for part in (method.upper().encode(), path.encode()):
        digest.update(b"%d:" % len(part))
        digest.update(part)
    digest.update(canonical_body(body))
    return digest.hexdigest()
