"""The ``stripe`` connector's config: the ``StripeConfig`` struct, its schemas and its checks.

``parse_config`` lists every problem of a config at once; ``check_network`` applies the
deployment's address policy to ``base_url`` (tests point it at a loopback fake).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import msgspec

from orchestrator.core.connectors.configs import parse_struct, refuse_address
from orchestrator.core.upstream.ssrf import NetworkPolicy

DEFAULT_BASE_URL = "https://api.stripe.com"
DEFAULT_API_VERSION = "2026-02-25.clover"
"""The version a connector pins unless its config names another (``Stripe-Version``)."""

# A dated version with its release's name: 2026-02-25.clover, 2024-06-20.
_VERSION_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:\.[a-z]+)?$"
# An origin: scheme and authority, no path, query or fragment (paths are the operations').
_ORIGIN_PATTERN = r"^https?://[^/?#\s]+$"


class StripeConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A connector of type ``stripe``."""

    api_version: Annotated[str, msgspec.Meta(max_length=40, pattern=_VERSION_PATTERN)] = (
        DEFAULT_API_VERSION
    )
    """Sent as ``Stripe-Version`` on every request."""
    base_url: Annotated[str, msgspec.Meta(max_length=2048, pattern=_ORIGIN_PATTERN)] = (
        DEFAULT_BASE_URL
    )
    """Stripe's API origin; another only for a proxy or a test double."""


CONFIG_SCHEMA: dict[str, Any] = msgspec.json.schema(StripeConfig)
SECRET_NAME = "api_key"  # noqa: S105  (the name a secret is bound by, not a secret)
SECRET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "The secret key (sk_…) or restricted key (rk_…) the connector calls with.",
    "required": [SECRET_NAME],
    "properties": {SECRET_NAME: {"type": "string"}},
    "additionalProperties": False,
}


def parse_config(
    config: Mapping[str, Any] | StripeConfig, *, prefix: str = "/config"
) -> StripeConfig:
    """The config as an ``StripeConfig``, or ``ValidationFailed`` listing every problem."""
    return parse_struct(config, StripeConfig, CONFIG_SCHEMA, prefix=prefix)


def check_network(config: StripeConfig, network: NetworkPolicy, *, prefix: str = "/config") -> None:
    """Refuse (422) a ``base_url`` the deployment's address policy forbids."""
    refuse_address(network.url_problem(config.base_url), "base_url", prefix=prefix)
