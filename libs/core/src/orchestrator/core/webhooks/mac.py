"""The HMAC a provider spec describes: its key, its signed bytes and its encoding."""

from __future__ import annotations

import base64
import functools
import hmac
import string

from orchestrator.core.callbacks.public import secret_key
from orchestrator.core.webhooks.spec import ProviderSpec


def hmac_key(spec: ProviderSpec, secret: str) -> bytes:
    """The HMAC key for ``secret``; ``InvalidSecret`` if a Standard Webhooks one is not base64.

    Stripe, GitHub, Slack, PagerDuty and Shopify key with the literal string, any
    ``whsec_`` prefix included; Standard Webhooks strips it and base64-decodes.
    """
    if spec.key == "standard_webhooks":
        return secret_key(secret)
    return secret.encode()


def signed_bytes(spec: ProviderSpec, body: bytes, *, timestamp: int | None, msg_id: str) -> bytes:
    """The bytes ``spec.signed`` names, around the raw ``body`` (never re-serialised)."""
    values = {
        "timestamp": b"" if timestamp is None else str(timestamp).encode(),
        "id": msg_id.encode(),
    }
    parts: list[bytes] = []
    for literal, name in _pieces(spec.signed):
        parts.append(literal.encode())
        if name == "body":
            parts.append(body)
        elif name is not None:
            parts.append(values[name])
    return b"".join(parts)


def mac(spec: ProviderSpec, key: bytes, signed: bytes) -> str:
    """The encoded HMAC of ``signed`` (lower-case hex or standard base64)."""
    digest = hmac.digest(key, signed, spec.algorithm)
    if spec.encoding == "base64":
        return base64.b64encode(digest).decode()
    return digest.hex()


@functools.lru_cache(maxsize=64)
def _pieces(template: str) -> tuple[tuple[str, str | None], ...]:
    """The template as (literal text, placeholder) pairs; ``ProviderSpec`` checked it."""
    return tuple((literal, name) for literal, name, _, _ in string.Formatter().parse(template))
