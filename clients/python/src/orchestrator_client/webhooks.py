"""Verify the Standard Webhooks signature of what Orchestrator sends a product backend: a
job's callback, or a forwarded inbound webhook (https://www.standardwebhooks.com/).

The signed bytes are ``f"{webhook-id}.{webhook-timestamp}."`` followed by the body, exactly as
received; the key is the base64-decoded workspace signing secret after its ``whsec_`` prefix
(control-api ``GET /api/v1/signing-secrets``); ``webhook-signature`` holds one or more
``v1,<base64 HMAC-SHA256>`` separated by spaces (one per secret during a rotation). Standing
alone on purpose: a product backend installs this package and nothing of Orchestrator's.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

TOLERANCE_S = 300
"""How far (seconds) the signed timestamp may be from now, either way: older is a replay."""


class InvalidSignature(Exception):
    """The message is not signed by the secret, or was signed too long ago."""


def _key(secret: str) -> bytes:
    try:
        return base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("a signing secret is whsec_ followed by base64") from exc


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float | None = None,
    tolerance_s: int = TOLERANCE_S,
) -> bool:
    """Whether ``body`` (the raw bytes received) carries a ``v1`` signature by ``secret``
    made within ``tolerance_s`` of ``now`` (default: the clock). Header names in any case."""
    lowered = {name.lower(): value for name, value in headers.items()}
    msg_id = lowered.get("webhook-id", "")
    stamp = lowered.get("webhook-timestamp", "")
    if not msg_id or not stamp.isdigit():
        return False
    if abs((time.time() if now is None else now) - int(stamp)) > tolerance_s:
        return False
    signed = f"{msg_id}.{stamp}.".encode() + body
    expected = base64.b64encode(hmac.new(_key(secret), signed, hashlib.sha256).digest())
    for candidate in lowered.get("webhook-signature", "").split(" "):
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value.encode(), expected):
            return True
    return False


def verified_json(
    secret: str, headers: Mapping[str, str], body: bytes, *, now: float | None = None
) -> Any:
    """The JSON ``body`` once its signature is verified; raises :class:`InvalidSignature`.

    Deduplicate on ``webhook-id``: a retried delivery carries the same one."""
    if not verify(secret, headers, body, now=now):
        raise InvalidSignature("the webhook signature does not verify")
    return json.loads(body)
