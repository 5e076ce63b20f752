"""What a client sets on a webhook source and on a binding, typed with the bounds a request
body is held to: the control-api's request bodies, and the items of a bundle (checked
with them), take these very types, so both refuse the same values."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from orchestrator.core.configuration.public import NAME_MAX, NAME_PATTERN, Name
from orchestrator.core.http.fields import NO_NUL
from orchestrator.core.webhooks.models.webhook_source import DEFAULT_MAX_BODY_BYTES
from orchestrator.core.webhooks.providers import PROVIDER_NAMES
from orchestrator.core.webhooks.sources import ROUTING_KEY_NAMES

MAX_BODY_BYTES = 25 * 1024 * 1024
MAX_VALUE = 200


def _text(
    *, min_length: int = 1, max_length: int = MAX_VALUE, pattern: str = NO_NUL
) -> dict[str, Any]:
    """A JSON Schema of a constrained string."""
    return {"type": "string", "minLength": min_length, "maxLength": max_length, "pattern": pattern}


def _described(description: str, **schema: Any) -> dict[str, Any]:
    """``extra_json_schema`` with ``schema`` members Litestar's OpenAPI would drop otherwise
    (constraints inside lists and maps, enums of a string checked by the service)."""
    return {"description": description, "extra": schema}


Provider = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=32,
        extra_json_schema=_described(
            "Who signs the deliveries; another name is a 422.", enum=list(PROVIDER_NAMES)
        ),
    ),
]
SecretRefs = Annotated[
    list[Name],
    msgspec.Meta(
        min_length=1,
        max_length=5,
        extra_json_schema=_described(
            "Names of secret refs holding the signing secrets: any one verifies a delivery, so "
            "a rotation lists old and new. A missing ref is a 422.",
            items=_text(max_length=NAME_MAX, pattern=NAME_PATTERN),
        ),
    ),
]
Options = Annotated[
    dict[str, Any],
    msgspec.Meta(
        extra_json_schema={
            "description": "Only for provider `hmac`, and required there: `header` (required), "
            "`algorithm`, `encoding`, `prefix`, `timestamp_header`, `tolerance_s`, `signed`, "
            "`dedupe_header`, `event_type_header`. An invalid member is a 422 naming it."
        }
    ),
]
RoutingValue = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_VALUE, pattern=NO_NUL)]
RoutingValues = Annotated[list[RoutingValue], msgspec.Meta(min_length=1, max_length=100)]
Routing = Annotated[
    dict[str, RoutingValues],
    msgspec.Meta(
        extra_json_schema=_described(
            "Routing key → the values this workspace claims (a Slack `team_id`, a GitHub "
            "`installation_id`, …); a key the provider's events lack is a 422.",
            property_names={"enum": list(ROUTING_KEY_NAMES)},
            additional_properties={
                "type": "array",
                "items": _text(),
                "minItems": 1,
                "maxItems": 100,
            },
        ),
    ),
]
EventType = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_VALUE, pattern=NO_NUL)]
EventTypes = Annotated[
    list[EventType],
    msgspec.Meta(
        max_length=50,
        extra_json_schema=_described(
            "Only events of these types (empty: every event).", items=_text()
        ),
    ),
]
Operation = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_VALUE, pattern=NO_NUL)]
FieldName = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_VALUE, pattern=NO_NUL)]
Pointer = Annotated[str, msgspec.Meta(max_length=500, pattern=NO_NUL)]
PayloadMapping = Annotated[
    dict[FieldName, Pointer],
    msgspec.Meta(
        max_length=100,
        extra_json_schema=_described(
            "Job payload field → JSON pointer into the event (`/data/object/id`); `` or `/` is "
            "the whole event; another pointer syntax is a 422. Omitted: the whole event is the "
            "payload.",
            property_names=_text(),
            additional_properties=_text(min_length=0, max_length=500),
            max_properties=100,
        ),
    ),
]
ForwardUrl = Annotated[str, msgspec.Meta(min_length=1, max_length=2000, pattern=NO_NUL)]


class WebhookSourceIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A webhook source: its provider, signing secrets, options and routing claims."""

    name: Name
    provider: Provider
    secret_refs: SecretRefs
    options: Options | None = None
    routing: Routing = msgspec.field(default_factory=dict)
    rate_limit_per_s: Annotated[int, msgspec.Meta(ge=1, le=100_000)] | None = None
    max_body_bytes: Annotated[int, msgspec.Meta(ge=1, le=MAX_BODY_BYTES)] = DEFAULT_MAX_BODY_BYTES
    enabled: bool = True


class WebhookBindingIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What a source's events start: a connector job (``connector``, ``operation``,
    ``payload_mapping``) or a signed forward (``forward_url``); a field of the other
    action is a 422."""

    action: Literal["job", "forward"]
    event_types: EventTypes = msgspec.field(default_factory=list)
    connector: Name | None = None
    operation: Operation | None = None
    payload_mapping: PayloadMapping | None = None
    forward_url: ForwardUrl | None = None
    enabled: bool = True
