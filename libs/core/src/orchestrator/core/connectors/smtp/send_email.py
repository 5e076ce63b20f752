"""The ``send_email`` operation's contract: its payload and output JSON Schemas.

The payload schema is the whole validation of a payload (``message.render`` checks
against it before building anything), so its limits are the operation's limits.
"""

from __future__ import annotations

from typing import Any

from orchestrator.core.connectors.smtp.config import ADDRESS_PATTERN

SEND_EMAIL = "send_email"
MAX_RECIPIENTS = 50
ALLOWED_HEADERS = (
    "X-Entity-Ref-ID",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "In-Reply-To",
    "References",
)
"""Headers a payload may set; the rest (From, Date, Message-ID, ...) are ours to write."""

_ONE_LINE = r"^[^\r\n]*$"
_ADDRESS_SCHEMA: dict[str, Any] = {
    "type": "string",
    "format": "email",
    "maxLength": 254,
    "pattern": ADDRESS_PATTERN,
}


def _addresses_schema(min_items: int) -> dict[str, Any]:
    return {
        "type": "array",
        "items": _ADDRESS_SCHEMA,
        "minItems": min_items,
        "maxItems": MAX_RECIPIENTS,
    }


PAYLOAD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["to", "subject"],
    "additionalProperties": False,
    "properties": {
        "to": _addresses_schema(1),
        "cc": _addresses_schema(0),
        "bcc": _addresses_schema(0),
        "subject": {"type": "string", "maxLength": 998, "pattern": _ONE_LINE},
        "text": {"type": "string", "maxLength": 1_000_000},
        "html": {"type": "string", "maxLength": 1_000_000},
        "headers": {
            "type": "object",
            "propertyNames": {"enum": list(ALLOWED_HEADERS)},
            "additionalProperties": {"type": "string", "maxLength": 998, "pattern": _ONE_LINE},
        },
    },
    "anyOf": [{"required": ["text"]}, {"required": ["html"]}],
}
OUTPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["message_id", "accepted", "refused"],
    "properties": {
        "message_id": {"type": "string", "description": "The Message-ID header sent"},
        "accepted": {"type": "array", "items": {"type": "string"}},
        "refused": {
            "type": "object",
            "description": "Recipients the server refused, by address",
            "additionalProperties": {
                "type": "object",
                "properties": {"code": {"type": "integer"}, "message": {"type": "string"}},
            },
        },
    },
}
