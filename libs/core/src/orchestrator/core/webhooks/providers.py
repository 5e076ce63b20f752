"""The provider table (docs/protocols.md §1): each provider as its differences."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

from orchestrator.core.callbacks.public import TOLERANCE_S
from orchestrator.core.webhooks import routing_keys
from orchestrator.core.webhooks.options import GenericHmacOptions
from orchestrator.core.webhooks.spec import (
    Body,
    Header,
    ProviderSpec,
    SignatureHeader,
    Sources,
    Timestamp,
)

GENERIC = "hmac"

STANDARD_WEBHOOKS = ProviderSpec(
    name="standard_webhooks",
    # ``v1,<b64>[ v1,<b64>]``: space separated, other versions ignored.
    signature=SignatureHeader("webhook-signature", separator=" ", prefix="v1,"),
    signed="{id}.{timestamp}.{body}",
    key="standard_webhooks",
    encoding="base64",
    timestamp=Timestamp("webhook-timestamp", tolerance_s=TOLERANCE_S),
    id_header="webhook-id",
    dedupe=(Header("webhook-id"),),
    event_type=(Body(("type",)),),
)


def standard_webhooks_as(prefix: str, name: str) -> ProviderSpec:
    """The Standard Webhooks scheme under ``<prefix>-id``, ``-timestamp`` and ``-signature``."""
    return dataclasses.replace(
        STANDARD_WEBHOOKS,
        name=name,
        signature=dataclasses.replace(STANDARD_WEBHOOKS.signature, name=f"{prefix}-signature"),
        timestamp=Timestamp(f"{prefix}-timestamp", tolerance_s=TOLERANCE_S),
        id_header=f"{prefix}-id",
        dedupe=(Header(f"{prefix}-id"),),
    )


_TABLE = (
    ProviderSpec(
        name="stripe",
        # ``t=<unix>,v1=<hex>[,v1=…][,v0=…]``: only ``v1`` counts.
        signature=SignatureHeader("stripe-signature", separator=",", prefix="v1="),
        signed="{timestamp}.{body}",
        timestamp=Timestamp("stripe-signature", element="t"),
        dedupe=(Body(("id",)),),
        event_type=(Body(("type",)),),
        routing=routing_keys.STRIPE,
    ),
    ProviderSpec(
        name="github",
        signature=SignatureHeader("x-hub-signature-256", prefix="sha256="),
        dedupe=(Header("x-github-delivery"),),
        event_type=(Header("x-github-event"),),
        routing=routing_keys.GITHUB,
        extra_headers=("x-github-hook-id", "x-github-hook-installation-target-id"),
    ),
    ProviderSpec(
        name="slack",
        signature=SignatureHeader("x-slack-signature", prefix="v0="),
        signed="v0:{timestamp}:{body}",
        timestamp=Timestamp("x-slack-request-timestamp"),
        # Events API deliveries (and their retries) share ``event_id``; other Slack
        # requests (slash commands, interactivity) are not retried, so the body hash does.
        dedupe=(Body(("event_id",)),),
        # ``event.type`` (``message``) says more than the ``event_callback`` wrapper.
        event_type=(Body(("event", "type")), Body(("type",))),
        routing=routing_keys.SLACK,
        challenge_type="url_verification",
        extra_headers=("x-slack-retry-num", "x-slack-retry-reason"),
    ),
    ProviderSpec(
        name="pagerduty",
        # ``v1=<hex>[,v1=<hex>]``: one per secret active at the sender.
        signature=SignatureHeader("x-pagerduty-signature", separator=",", prefix="v1="),
        dedupe=(Body(("event", "id")),),
        event_type=(Body(("event", "event_type")),),
        routing=routing_keys.PAGERDUTY,
        extra_headers=("x-webhook-id", "x-webhook-subscription"),
    ),
    STANDARD_WEBHOOKS,
    # Svix's own header names (Svix-powered senders such as Clerk and Resend send these).
    standard_webhooks_as("svix", "svix"),
    # incident.io sends through Svix under the standard names; its event type is a field.
    dataclasses.replace(
        STANDARD_WEBHOOKS,
        name="incident_io",
        event_type=(Body(("event_type",)),),
        routing=routing_keys.INCIDENT_IO,
    ),
    ProviderSpec(
        name="coralogix",
        # Coralogix signs nothing: its webhook sends a header the operator sets, here
        # ``Authorization: Bearer <secret>``, compared with each active secret.
        signature=SignatureHeader("authorization", prefix="Bearer "),
        scheme="token",
        event_type=(Body(("alert", "status")), Body(("event_type",))),
        routing=routing_keys.CORALOGIX,
    ),
    ProviderSpec(
        name="shopify",
        signature=SignatureHeader("x-shopify-hmac-sha256"),
        encoding="base64",
        dedupe=(Header("x-shopify-event-id"),),
        event_type=(Header("x-shopify-topic"),),
        routing=routing_keys.SHOPIFY,
        extra_headers=("x-shopify-webhook-id", "x-shopify-api-version", "x-shopify-triggered-at"),
    ),
)

PROVIDERS = MappingProxyType({spec.name: spec for spec in _TABLE})
"""The named providers; ``hmac`` is built per source from its options."""

PROVIDER_NAMES: tuple[str, ...] = (*PROVIDERS, GENERIC)


def generic_spec(options: GenericHmacOptions) -> ProviderSpec:
    """The ``hmac`` provider configured by ``options``."""
    timestamp = (
        Timestamp(options.timestamp_header.lower(), tolerance_s=options.tolerance_s)
        if options.timestamp_header
        else None
    )
    return ProviderSpec(
        name=GENERIC,
        signature=SignatureHeader(options.header.lower(), prefix=options.prefix),
        signed=options.signed,
        algorithm=options.algorithm,
        encoding=options.encoding,
        timestamp=timestamp,
        dedupe=_header(options.dedupe_header),
        event_type=_header(options.event_type_header),
    )


def resolve(
    provider: str | ProviderSpec, options: GenericHmacOptions | None = None
) -> ProviderSpec:
    """The spec for a provider name (``hmac`` needs ``options``); ``ValueError`` if unknown.

    An unknown name or missing options is a configuration bug, not a bad delivery.
    """
    if isinstance(provider, ProviderSpec):
        return provider
    if provider == GENERIC:
        if options is None:
            raise ValueError("the hmac provider needs GenericHmacOptions")
        return generic_spec(options)
    spec = PROVIDERS.get(provider)
    if spec is None:
        raise ValueError(f"unknown webhook provider {provider!r}")
    return spec


def _header(name: str | None) -> Sources:
    return (Header(name.lower()),) if name else ()
