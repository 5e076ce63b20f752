"""The ``stripe`` type's operations: method, path and the payload and output JSON Schemas.

A payload's ``id`` (when the path has one) names the object; its other members are
Stripe's parameters, sent form-encoded (``forms``). The schemas check what a product
backend most often gets wrong before any request; the parameters they do not list pass
through as they are, for Stripe to judge (its API has far more than a schema here
should repeat).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from orchestrator.core.connectors.types import OperationType

Method = Literal["GET", "POST", "DELETE"]

_ID: dict[str, Any] = {
    "type": "string",
    "minLength": 1,
    "maxLength": 255,
    "pattern": "^[A-Za-z0-9_]+$",
    "description": "A Stripe object id (one path segment)",
}
_METADATA: dict[str, Any] = {
    "type": "object",
    "maxProperties": 50,
    "propertyNames": {"maxLength": 40, "pattern": r"^[^\[\]]+$"},
    "additionalProperties": {"type": "string", "maxLength": 500},
}
_AMOUNT: dict[str, Any] = {"type": "integer", "minimum": 1, "description": "In minor units"}
_CURRENCY: dict[str, Any] = {"type": "string", "pattern": "^[a-z]{3}$"}
_STRING: dict[str, Any] = {"type": "string", "maxLength": 5000}
_EXPAND: dict[str, Any] = {"type": "array", "items": _STRING, "maxItems": 20}


@dataclass(frozen=True, slots=True)
class StripeOperation:
    """One operation: its request line and its contract."""

    method: Method
    path: str
    """Under ``base_url``; ``{id}`` takes the payload's ``id``."""
    obj: str
    """The ``object`` of Stripe's answer (``customer``, ``payment_intent``, ...)."""
    description: str
    properties: dict[str, Any]
    required: tuple[str, ...] = ()
    rules: dict[str, Any] | None = None
    """More of the payload schema (``anyOf``, ...)."""

    @property
    def writes(self) -> bool:
        """A ``POST``: carries an ``Idempotency-Key`` (Stripe ignores one elsewhere)."""
        return self.method == "POST"

    @property
    def has_id(self) -> bool:
        """Whether the path names an object by the payload's ``id``."""
        return "{id}" in self.path

    def payload_schema(self) -> dict[str, Any]:
        """The payload's schema: listed parameters checked, others passed through."""
        properties = {"id": _ID, **self.properties} if self.has_id else self.properties
        required = ("id", *self.required) if self.has_id else self.required
        schema = {"type": "object", "required": list(required), "properties": properties}
        return schema | (self.rules or {})

    def output_schema(self) -> dict[str, Any]:
        """Stripe's object of the operation's kind."""
        return {
            "type": "object",
            "required": ["id", "object"],
            "properties": {"id": {"type": "string"}, "object": {"const": self.obj}},
        }

    def as_type(self) -> OperationType:
        """The operation as ``GET /api/v1/connector-types`` lists it.

        Every operation may be repeated: reads and ``DELETE`` by their nature, a write
        because each attempt of one call carries the same ``Idempotency-Key``.
        """
        return OperationType(
            description=self.description,
            payload_schema=self.payload_schema(),
            output_schema=self.output_schema(),
            idempotent=True,
        )


def _retrieve(path: str, obj: str, description: str) -> StripeOperation:
    """A ``GET`` of one object by id, its related objects expanded on request."""
    return StripeOperation(
        method="GET", path=path, obj=obj, description=description, properties={"expand": _EXPAND}
    )


OPERATIONS: dict[str, StripeOperation] = {
    "create_customer": StripeOperation(
        method="POST",
        path="/v1/customers",
        obj="customer",
        description="Create a customer (email, name, metadata, ...).",
        properties={
            "email": {"type": "string", "maxLength": 512},
            "name": {"type": "string", "maxLength": 256},
            "description": _STRING,
            "phone": {"type": "string", "maxLength": 20},
            "metadata": _METADATA,
        },
    ),
    "get_customer": _retrieve("/v1/customers/{id}", "customer", "Retrieve a customer by id."),
    "create_payment_intent": StripeOperation(
        method="POST",
        path="/v1/payment_intents",
        obj="payment_intent",
        description="Create a PaymentIntent (amount in minor units, currency, customer, ...).",
        properties={
            "amount": _AMOUNT,
            "currency": _CURRENCY,
            "customer": _ID,
            "payment_method": _ID,
            "confirm": {"type": "boolean"},
            "description": _STRING,
            "metadata": _METADATA,
        },
        required=("amount", "currency"),
    ),
    "confirm_payment_intent": StripeOperation(
        method="POST",
        path="/v1/payment_intents/{id}/confirm",
        obj="payment_intent",
        description="Confirm a PaymentIntent; a declined card is a final failure (card_error).",
        properties={"payment_method": _ID, "return_url": {"type": "string", "maxLength": 2048}},
    ),
    "get_payment_intent": _retrieve(
        "/v1/payment_intents/{id}", "payment_intent", "Retrieve a PaymentIntent by id."
    ),
    "create_refund": StripeOperation(
        method="POST",
        path="/v1/refunds",
        obj="refund",
        description="Refund a PaymentIntent or a charge, wholly or in part (amount).",
        properties={
            "payment_intent": _ID,
            "charge": _ID,
            "amount": _AMOUNT,
            "reason": {"enum": ["duplicate", "fraudulent", "requested_by_customer"]},
            "metadata": _METADATA,
        },
        # A refund names what it refunds: one of the two.
        rules={"anyOf": [{"required": ["payment_intent"]}, {"required": ["charge"]}]},
    ),
    "create_subscription": StripeOperation(
        method="POST",
        path="/v1/subscriptions",
        obj="subscription",
        description="Subscribe a customer to prices (items: [{price, quantity}]).",
        properties={
            "customer": _ID,
            "items": {
                "type": "array",
                "minItems": 1,
                "maxItems": 20,
                "items": {
                    "type": "object",
                    "required": ["price"],
                    "properties": {
                        "price": _ID,
                        "quantity": {"type": "integer", "minimum": 1},
                    },
                },
            },
            "metadata": _METADATA,
        },
        required=("customer", "items"),
    ),
    "cancel_subscription": StripeOperation(
        method="DELETE",
        path="/v1/subscriptions/{id}",
        obj="subscription",
        description="Cancel a subscription at once (invoice_now, prorate).",
        properties={"invoice_now": {"type": "boolean"}, "prorate": {"type": "boolean"}},
    ),
}
"""Every operation of the type, by name."""

OPERATION_TYPES: dict[str, OperationType] = {name: op.as_type() for name, op in OPERATIONS.items()}
"""The operations as connector-type data."""
