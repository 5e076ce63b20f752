"""Verifying a delivery: one engine driven by the provider table.

Failures come back as a ``Rejection`` for logs and metrics; the caller answers every
one with the same bare 401. Several secrets may be active during a rotation: any one
matching passes. Signatures are checked over the raw body bytes, which are parsed (for
the dedupe id, event type and routing keys) only once the signature holds.
"""

from __future__ import annotations

import enum
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from orchestrator.core.callbacks.public import InvalidSecret
from orchestrator.core.jsonbounds import STORED_DEPTH
from orchestrator.core.webhooks.fields import Document, body_digest, decode_body, pick
from orchestrator.core.webhooks.headers import lower
from orchestrator.core.webhooks.mac import hmac_key, mac, signed_bytes
from orchestrator.core.webhooks.options import GenericHmacOptions
from orchestrator.core.webhooks.providers import resolve
from orchestrator.core.webhooks.routing_keys import routing_keys
from orchestrator.core.webhooks.spec import ProviderSpec, SignatureHeader, Timestamp

_MAX_TIMESTAMP_DIGITS = 12


@dataclass(frozen=True, slots=True)
class Verified:
    """An authentic delivery and what the ingress and the worker need from it."""

    dedupe_id: str
    """The provider's event id, or ``sha256:<hex>`` of the body when it names none."""
    event_type: str | None
    routing_keys: dict[str, str]
    challenge: str | None
    """Slack ``url_verification``: the value to answer with; else ``None``."""
    secret_index: int
    """Which of the given secrets matched (shows when an old one is no longer used)."""


class Rejection(enum.StrEnum):
    """Why a delivery was refused; a metric label, never told to the sender."""

    NO_SIGNATURE = "no_signature"
    """No signature header, or none in a scheme we accept (Stripe ``v0`` only)."""
    MALFORMED = "malformed"
    """A timestamp or signed id missing or not a number."""
    STALE = "stale"
    """The timestamp is outside the tolerance, in the past or the future."""
    NO_SECRET = "no_secret"  # noqa: S105 - a metric label, not a password
    """No usable secret configured: an operator problem, not the sender's."""
    MISMATCH = "mismatch"


def check(
    provider: str | ProviderSpec,
    headers: Mapping[str, str],
    body: bytes,
    secrets: Sequence[str],
    *,
    now: float,
    options: GenericHmacOptions | None = None,
    max_json_depth: int = STORED_DEPTH,
) -> Verified | Rejection:
    """Verify ``body`` as ``provider`` signs it with one of ``secrets``, at Unix time ``now``.

    ``ValueError`` for an unknown provider or ``hmac`` without ``options``; ``JsonTooDeep``
    for a verified JSON body nested deeper than ``max_json_depth`` (never parsed).
    """
    spec = resolve(provider, options)
    lowered = lower(headers)
    candidates = _candidates(spec.signature, lowered)
    if not candidates:
        return Rejection.NO_SIGNATURE
    timestamp = None
    if spec.timestamp is not None:
        timestamp = _timestamp(spec.timestamp, lowered)
        if timestamp is None:
            return Rejection.MALFORMED
        if abs(now - timestamp) > spec.timestamp.tolerance_s:
            return Rejection.STALE
    msg_id = lowered.get(spec.id_header, "") if spec.id_header else ""
    if spec.id_header and not msg_id:
        return Rejection.MALFORMED
    signed = signed_bytes(spec, body, timestamp=timestamp, msg_id=msg_id)
    matched = _match(spec, secrets, signed, candidates)
    if isinstance(matched, Rejection):
        return matched
    doc = decode_body(body, lowered.get("content-type"), max_depth=max_json_depth)
    return Verified(
        dedupe_id=pick(spec.dedupe, lowered, doc) or body_digest(body),
        event_type=pick(spec.event_type, lowered, doc),
        routing_keys=routing_keys(spec.routing, lowered, doc),
        challenge=_challenge(spec, doc),
        secret_index=matched,
    )


def _challenge(spec: ProviderSpec, doc: Document) -> str | None:
    """The value to echo when the body asks for it (Slack ``url_verification``)."""
    challenge = doc.get("challenge")
    if (
        spec.challenge_type
        and doc.get("type") == spec.challenge_type
        and isinstance(challenge, str)
    ):
        return challenge
    return None


def _candidates(signature: SignatureHeader, headers: Mapping[str, str]) -> list[bytes]:
    """The presented signatures in the accepted scheme, prefix removed."""
    value = headers.get(signature.name, "")
    items = value.split(signature.separator) if signature.separator else [value]
    found = []
    for item in items:
        item = item.strip()
        if item.startswith(signature.prefix) and len(item) > len(signature.prefix):
            # Bytes, so a non-ASCII value compares (and fails) rather than raising.
            found.append(item[len(signature.prefix) :].encode("utf-8", "replace"))
    return found


def _timestamp(timestamp: Timestamp, headers: Mapping[str, str]) -> int | None:
    """The signed Unix timestamp, if present and a plain decimal integer."""
    value = headers.get(timestamp.header, "")
    if timestamp.element is not None:
        items = (item.strip().partition("=") for item in value.split(","))
        value = next((v for k, _, v in items if k == timestamp.element), "")
    value = value.strip()
    if not (value.isascii() and value.isdigit()) or len(value) > _MAX_TIMESTAMP_DIGITS:
        return None
    return int(value)


MIN_TOKEN_CHARS = 24
"""A secret sent as is (the ``token`` scheme) must be long enough not to be guessed."""


def _match_token(secrets: Sequence[str], candidates: list[bytes]) -> int | Rejection:
    """The index of the first secret presented as is."""
    usable = [(i, s.encode()) for i, s in enumerate(secrets) if len(s) >= MIN_TOKEN_CHARS]
    for index, secret in usable:
        if any(hmac.compare_digest(secret, candidate) for candidate in candidates):
            return index
    return Rejection.MISMATCH if usable else Rejection.NO_SECRET


def _match(
    spec: ProviderSpec, secrets: Sequence[str], signed: bytes, candidates: list[bytes]
) -> int | Rejection:
    """The index of the first secret one candidate was made with."""
    if spec.scheme == "token":
        return _match_token(secrets, candidates)
    if spec.encoding == "hex":  # hex is case-insensitive; our digests are lower-case
        candidates = [candidate.lower() for candidate in candidates]
    usable = False
    for index, secret in enumerate(secrets):
        try:
            key = hmac_key(spec, secret)
        except InvalidSecret:
            continue
        if not key:  # anyone can compute an HMAC under the empty key
            continue
        usable = True
        expected = mac(spec, key, signed).encode()
        if any(hmac.compare_digest(expected, candidate) for candidate in candidates):
            return index
    return Rejection.MISMATCH if usable else Rejection.NO_SECRET
