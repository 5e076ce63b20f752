"""The ``stripe`` type as the registry knows it: ``STRIPE_TYPE`` and its code handler.

The handler only delegates: config to ``config``, rendering to ``calls``, the attempt
to ``sending`` and the breaker's judgement to ``outcomes``.
"""

from __future__ import annotations

from collections.abc import Mapping

from orchestrator.core.connectors.stripe.calls import StripeCall, render
from orchestrator.core.connectors.stripe.config import (
    CONFIG_SCHEMA,
    SECRET_NAME,
    SECRET_SCHEMA,
    StripeConfig,
    check_network,
    parse_config,
)
from orchestrator.core.connectors.stripe.operations import OPERATION_TYPES
from orchestrator.core.connectors.stripe.outcomes import TRANSIENT_STATUS, breaker_failure
from orchestrator.core.connectors.stripe.sending import send
from orchestrator.core.connectors.types import ConnectorType, OperationType

TYPE_NAME = "stripe"
STRIPE_TYPE = ConnectorType(
    name=TYPE_NAME,
    title="Stripe",
    description=(
        "Stripe's API: customers, payment intents, refunds and subscriptions, with the API "
        "version pinned per connector (Stripe-Version) and the secret api_key. Every write "
        "carries one Idempotency-Key on all its attempts (from the caller's key or the job "
        "id); Stripe-Should-Retry is obeyed, card errors are final, rate limits retried."
    ),
    config_schema=CONFIG_SCHEMA,
    secret_schema=SECRET_SCHEMA,
    operations=OPERATION_TYPES,
)


class StripeHandler:
    """The ``stripe`` type as a code handler (see ``handlers.CodeHandler``)."""

    connector_type = STRIPE_TYPE
    transient_status = TRANSIENT_STATUS

    # The config module's functions are the handler's methods as they are.
    parse_config = staticmethod(parse_config)
    check_network = staticmethod(check_network)

    def operations(self, parsed: StripeConfig) -> Mapping[str, OperationType]:
        """The fixed operations."""
        return STRIPE_TYPE.operations

    def secret_names(self, parsed: StripeConfig) -> set[str]:
        """The API key."""
        return {SECRET_NAME}

    def describe(self, call: StripeCall) -> tuple[str, str]:
        """The method and the URL (the query of a read too: ids and expansions, no secret)."""
        return call.method, call.url

    # The other modules' functions are the handler's methods as they are: ``calls.render``,
    # ``sending.send`` and ``outcomes.breaker_failure``.
    render = staticmethod(render)
    send = staticmethod(send)
    breaker_failure = staticmethod(breaker_failure)


HANDLER = StripeHandler()
