"""Signing a delivery as a provider would: for tests, benchmarks and local senders."""

from __future__ import annotations

from orchestrator.core.webhooks.mac import hmac_key, mac, signed_bytes
from orchestrator.core.webhooks.options import GenericHmacOptions
from orchestrator.core.webhooks.providers import resolve
from orchestrator.core.webhooks.spec import ProviderSpec


def sign(
    provider: str | ProviderSpec,
    body: bytes,
    secret: str,
    *,
    timestamp: int | None = None,
    msg_id: str | None = None,
    options: GenericHmacOptions | None = None,
) -> dict[str, str]:
    """The signature headers (lower-case names) ``provider`` would send with ``body``.

    ``timestamp`` is required by providers that sign one, ``msg_id`` by those that sign
    a message id (Standard Webhooks). Event-id and event-type headers are the caller's.
    """
    spec = resolve(provider, options)
    headers: dict[str, str] = {}
    if spec.timestamp is not None and timestamp is None:
        raise ValueError(f"{spec.name} signs a timestamp")
    if spec.id_header is not None:
        if not msg_id:
            raise ValueError(f"{spec.name} signs a message id")
        headers[spec.id_header] = msg_id
    signed = signed_bytes(spec, body, timestamp=timestamp, msg_id=msg_id or "")
    proof = secret if spec.scheme == "token" else mac(spec, hmac_key(spec, secret), signed)
    value = spec.signature.prefix + proof
    if spec.timestamp is not None:
        if spec.timestamp.element is not None:  # Stripe: ``t=<unix>,v1=<hex>``
            value = f"{spec.timestamp.element}={timestamp},{value}"
        else:
            headers[spec.timestamp.header] = str(timestamp)
    headers[spec.signature.name] = value
    return headers
