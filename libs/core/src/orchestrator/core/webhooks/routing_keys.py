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
