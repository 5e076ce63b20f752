"""Standard Webhooks signatures (docs/protocols.md §1), pure functions.

The signed bytes are ``f"{webhook-id}.{webhook-timestamp}.{body}"``; the key is
the base64-decoded secret after its ``whsec_`` prefix; the signature header is
``v1,<base64 HMAC-SHA256>``, several separated by spaces during a rotation.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping

PREFIX = "whsec_"
TOLERANCE_S = 300


class InvalidSecret(ValueError):
    """The secret is not ``whsec_`` + base64."""


def secret_key(secret: str) -> bytes:
    """The HMAC key of a Standard Webhooks secret."""
    encoded = secret.removeprefix(PREFIX)
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidSecret("a Standard Webhooks secret is whsec_ followed by base64") from exc


def signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value: ``v1,<base64>``."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def sign_headers(
    # Not Sequence[str]: a lone str is one, and would sign with each of its characters.
    secrets: list[str] | tuple[str, ...],
    msg_id: str,
    timestamp: int,
    body: bytes,
) -> dict[str, str]:
    """``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` for ``body``: one
    signature by each secret (several while a rotation's grace period runs)."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(s, msg_id, timestamp, body) for s in secrets),
    }


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float,
    tolerance_s: int = TOLERANCE_S,
) -> bool:
    """Whether ``body`` carries a valid ``v1`` signature made within ``tolerance_s`` of ``now``.

    What a receiver does; we use it to test our own signing against a real receiver.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    msg_id = lowered.get("webhook-id")
    stamp = lowered.get("webhook-timestamp", "")
    presented = lowered.get("webhook-signature", "")
    if not msg_id or not stamp.isdigit():
        return False
    timestamp = int(stamp)
    if abs(now - timestamp) > tolerance_s:
        return False
    expected = signature(secret, msg_id, timestamp, body).encode()
    for candidate in presented.split(" "):
        version, _, _ = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(candidate.encode(), expected):
            return True
    return False
