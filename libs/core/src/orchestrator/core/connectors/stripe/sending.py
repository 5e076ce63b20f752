"""Sending one ``StripeCall`` through the process's pooled upstream HTTP client.

The client applies the deployment's address policy to the address it connects to (an
``UpstreamRefused`` goes up to the executor, as for ``http``), the attempt's timeouts
and its keep-alive pool; ``outcomes`` classifies what came back.
"""

from __future__ import annotations

import time

from orchestrator.core.connectors.handlers import SendContext
from orchestrator.core.connectors.results import AttemptResult
from orchestrator.core.connectors.stripe.calls import StripeCall, attempt_request
from orchestrator.core.connectors.stripe.outcomes import answer_outcome, lost_outcome
from orchestrator.core.upstream.client import UpstreamError, UpstreamRefused


async def send(call: StripeCall, context: SendContext) -> AttemptResult:
    """One attempt at ``call``, classified for the retry policy and the breaker."""
    client = context.client
    if client is None:  # a wiring mistake, not the upstream's: the executor always passes it
        raise RuntimeError("the stripe type needs the upstream HTTP client in its SendContext")
    request = attempt_request(call, context.idempotency_key, context.scope)
    started = time.monotonic()
    try:
        response = await client.request(request, context.timeouts)
    except UpstreamRefused:
        raise
    except UpstreamError as exc:
        duration_ms = (time.monotonic() - started) * 1000
        return lost_outcome(exc, context.retry, duration_ms=duration_ms)
    return answer_outcome(response, context.retry, secret=call.api_key, now=time.time())
