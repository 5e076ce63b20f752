"""What happened to each delivery, by provider, on the service's ``/metrics``."""

from __future__ import annotations

import enum

from prometheus_client import Counter

from orchestrator.core.webhooks.verify import Rejection


class Outcome(enum.StrEnum):
    """How the ingress answered one delivery."""

    ACCEPTED = "accepted"
    """Verified and stored (200)."""
    DUPLICATE = "duplicate"
    """Verified; its event was already stored (200, nothing written)."""
    CHALLENGE = "challenge"
    """A signed Slack ``url_verification``, answered with its challenge."""
    UNAUTHORIZED = "unauthorized"
    NOT_FOUND = "not_found"
    TOO_LARGE = "too_large"
    TOO_DEEP = "too_deep"
    """Verified, but its JSON nests deeper than ``ORCH_MAX_JSON_DEPTH`` (400, not stored)."""
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"
    """The database did not take the delivery (503: the provider retries)."""


UNKNOWN_PROVIDER = "unknown"
"""The provider label of a delivery to no known source."""

DELIVERIES = Counter(
    "orchestrator_webhook_deliveries_total",
    "Webhook deliveries by provider and outcome",
    ["provider", "outcome"],
)
REJECTIONS = Counter(
    "orchestrator_webhook_rejections_total",
    "Deliveries refused with 401, by provider and why (never told to the sender)",
    ["provider", "reason"],
)

_SERIES: dict[tuple[str, str], Counter] = {}


def count(provider: str, outcome: Outcome) -> None:
    """Count one delivery (the children are kept: ``labels()`` locks on every call)."""
    series = _SERIES.get((provider, outcome))
    if series is None:
        series = _SERIES[(provider, outcome)] = DELIVERIES.labels(provider, outcome.value)
    series.inc()


def count_rejection(provider: str, reason: Rejection) -> None:
    """Count one 401 and why it was refused."""
    count(provider, Outcome.UNAUTHORIZED)
    REJECTIONS.labels(provider, reason.value).inc()
