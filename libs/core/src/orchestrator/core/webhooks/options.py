"""Configuration of the generic ``hmac`` provider, as stored with a webhook source."""

from __future__ import annotations

from typing import Annotated

import msgspec

from orchestrator.core.webhooks.spec import Algorithm, Encoding, check_template

HeaderName = Annotated[
    str, msgspec.Meta(min_length=1, max_length=100, pattern=r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
]


class GenericHmacOptions(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How a sender that follows no named convention signs its webhooks.

    ``signed`` is the signed-bytes template: ``{body}``, and ``{timestamp}`` when
    ``timestamp_header`` is set (it must then be signed, or it guards against nothing).
    Without ``dedupe_header`` the dedupe id is the SHA-256 of the body.
    """

    header: HeaderName
    algorithm: Algorithm = "sha256"
    encoding: Encoding = "hex"
    prefix: Annotated[str, msgspec.Meta(max_length=32)] = ""
    timestamp_header: HeaderName | None = None
    tolerance_s: Annotated[int, msgspec.Meta(gt=0, le=86_400)] = 300
    signed: Annotated[str, msgspec.Meta(max_length=200)] = "{body}"
    dedupe_header: HeaderName | None = None
    event_type_header: HeaderName | None = None

    def __post_init__(self) -> None:
        fields = frozenset({"timestamp"}) if self.timestamp_header else frozenset()
        used = check_template(self.signed, fields)
        if self.timestamp_header and "timestamp" not in used:
            raise ValueError("a timestamp header must be part of the signed bytes")
