"""The values the worker routes a provider's events on (account, repository, channel, shop)."""

from __future__ import annotations

from collections.abc import Mapping

from orchestrator.core.webhooks.fields import Document, pick
from orchestrator.core.webhooks.spec import Body, Header, RoutingKey

STRIPE = (RoutingKey("account", (Body(("account",)),)),)
"""A Connect event names the connected account; a platform's own events carry none."""

GITHUB = (
    RoutingKey("installation_id", (Body(("installation", "id")),)),
    RoutingKey("repository", (Body(("repository", "full_name")),)),
)

SLACK = (
    RoutingKey("team_id", (Body(("team_id",)),)),
    RoutingKey("api_app_id", (Body(("api_app_id",)),)),
    # Events API JSON names the channel under ``event``; a slash command's form, at the top.
    RoutingKey("channel", (Body(("event", "channel")), Body(("channel_id",)))),
)

PAGERDUTY = (RoutingKey("service_id", (Body(("event", "data", "service", "id")),)),)

SHOPIFY = (RoutingKey("shop_domain", (Header("x-shopify-shop-domain"),)),)

INCIDENT_IO = (
    # An alert event's payload sits under a key named after its event type.
    RoutingKey(
        "alert_source_id",
        tuple(
            Body((f"{visibility}_alert.alert_created_v1", "alert_source_id"))
            for visibility in ("public", "private")
        ),
    ),
)

CORALOGIX = (
    # The notification center's context names the team (``system``) an alert belongs to;
    # a legacy webhook's body template may carry it as ``team``.
    RoutingKey("team", (Body(("_context", "system", "name")), Body(("team",)))),
)


def routing_keys(
    keys: tuple[RoutingKey, ...], headers: Mapping[str, str], doc: Document
) -> dict[str, str]:
    """Each routing key found in the (lower-cased) headers or the decoded body."""
    found: dict[str, str] = {}
    for key in keys:
        value = pick(key.sources, headers, doc)
        if value is not None:
            found[key.name] = value
    return found
