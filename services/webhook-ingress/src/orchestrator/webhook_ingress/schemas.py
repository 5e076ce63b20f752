"""Response shapes of the ingress, and how its raw request body is documented."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import msgspec
from litestar.openapi.spec import OpenAPIFormat, OpenAPIMediaType, OpenAPIType, Operation, Schema
from litestar.openapi.spec import RequestBody as OpenAPIRequestBody


class WebhookAck(msgspec.Struct, frozen=True, kw_only=True):
    """A delivery taken: ``status`` for an event, ``challenge`` alone for Slack's
    ``url_verification`` (the JSON form Slack's Events API documents)."""

    status: Literal["accepted", "duplicate"] | msgspec.UnsetType = msgspec.UNSET
    """``accepted``: stored now; ``duplicate``: this event was stored before."""
    challenge: str | msgspec.UnsetType = msgspec.UNSET


ACCEPTED = msgspec.json.encode(WebhookAck(status="accepted"))
DUPLICATE = msgspec.json.encode(WebhookAck(status="duplicate"))

RAW_BODY = OpenAPIRequestBody(
    content={
        "*/*": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY))
    },
    description="The provider's delivery, exactly as signed (any media type).",
    required=False,
)


@dataclass
class RawBodyOperation(Operation):
    """An operation whose body the handler reads raw: Litestar cannot infer it."""

    def __post_init__(self) -> None:
        self.request_body = RAW_BODY
