"""What one provider's webhooks look like: the row type of the provider table.

A provider is described only by how it differs from the others (which header carries
the signature, which bytes are signed, how the key is made, where the timestamp, the
dedupe id and the event type are); ``verify.py`` and ``sign.py`` interpret it.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Literal

Algorithm = Literal["sha256", "sha1", "sha512"]
Encoding = Literal["hex", "base64"]
KeyDerivation = Literal["literal", "standard_webhooks"]
Scheme = Literal["hmac", "token"]
"""``hmac``: the header carries an HMAC of the signed bytes; ``token``: it carries the secret
itself (senders that can only add a fixed header, such as Coralogix)."""
"""``literal``: the secret string's bytes, any ``whsec_`` included (Stripe, GitHub, …);
``standard_webhooks``: strip ``whsec_`` and base64-decode."""

TEMPLATE_FIELDS = frozenset({"id", "timestamp"})
"""Placeholders a signed-bytes template may use besides the one ``{body}``."""


@dataclass(frozen=True, slots=True)
class Header:
    """A value read from a request header (lower-case name)."""

    name: str


@dataclass(frozen=True, slots=True)
class Body:
    """A value read from the decoded body, by key path (``("event", "id")``)."""

    path: tuple[str, ...]


Source = Header | Body
Sources = tuple[Source, ...]
"""Tried in order; the first present, non-empty string or integer wins."""


@dataclass(frozen=True, slots=True)
class SignatureHeader:
    """Where the signatures are and how to split them into candidates.

    The value is split on ``separator`` (or taken whole when ``None``); an item is a
    candidate when it starts with ``prefix``, which is then removed. Items in other
    schemes (Stripe's ``t=``/``v0=``, Standard Webhooks' ``v2,``) are ignored.
    """

    name: str
    separator: str | None = None
    prefix: str = ""


@dataclass(frozen=True, slots=True)
class Timestamp:
    """Where the signed Unix timestamp is and how far from now it may be (both ways)."""

    header: str
    element: str | None = None
    """When set, the timestamp is the ``<element>=<value>`` item of a comma-separated
    header (Stripe's ``t=`` in ``Stripe-Signature``) rather than the whole value."""
    tolerance_s: int = 300


@dataclass(frozen=True, slots=True)
class RoutingKey:
    """A named value the worker routes on (account, channel, shop) and where to find it."""

    name: str
    sources: Sources


@dataclass(frozen=True, slots=True)
class ProviderSpec:
    """One provider's differences from a plain HMAC of the body."""

    name: str
    signature: SignatureHeader
    scheme: Scheme = "hmac"
    signed: str = "{body}"
    """The signed bytes: ``{body}`` is the raw body, ``{timestamp}`` and ``{id}`` the
    values of ``timestamp`` and ``id_header``."""
    key: KeyDerivation = "literal"
    algorithm: Algorithm = "sha256"
    encoding: Encoding = "hex"
    timestamp: Timestamp | None = None
    id_header: str | None = None
    """A message id that is part of the signed bytes (Standard Webhooks)."""
    dedupe: Sources = ()
    """Where the provider's event id is; without one, the SHA-256 of the body."""
    event_type: Sources = ()
    routing: tuple[RoutingKey, ...] = ()
    challenge_type: str | None = None
    """A body ``type`` that asks to echo ``challenge`` back (Slack ``url_verification``)."""
    extra_headers: tuple[str, ...] = ()
    """Headers worth keeping with the event beyond those named above (retry counts)."""

    def __post_init__(self) -> None:
        check_template(self.signed, TEMPLATE_FIELDS)


def check_template(template: str, fields: frozenset[str]) -> frozenset[str]:
    """The placeholders of ``template``; ``ValueError`` unless one ``{body}`` and ``fields``."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"bad signed-bytes template {template!r}") from exc
    names = [name for _, name, _, _ in parsed if name is not None]
    if names.count("body") != 1:
        raise ValueError("a signed-bytes template contains {body} exactly once")
    if any(spec or conv for _, name, spec, conv in parsed if name is not None):
        raise ValueError("a signed-bytes template takes no format specs or conversions")
    unknown = set(names) - fields - {"body"}
    if unknown:
        raise ValueError(f"unknown placeholders in a signed-bytes template: {sorted(unknown)}")
    return frozenset(names)
