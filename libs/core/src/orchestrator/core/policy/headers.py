"""Response headers of a rate-limited or refused call.

``Retry-After`` (RFC 9110) and the IETF draft ``RateLimit`` / ``RateLimit-Policy``
headers, in the form docs/protocols.md §4 fixes.
"""

from __future__ import annotations

import math

from orchestrator.core.policy.admission import Admission, RateLimitInfo


def _seconds(value: float) -> str:
    """Whole seconds, rounded up: a client that waits this long is never early."""
    return str(max(0, math.ceil(value - 1e-9)))


def rate_limit_headers(info: RateLimitInfo) -> dict[str, str]:
    """``RateLimit-Policy: "default";q=<limit>;w=<window>`` and ``RateLimit: "default";r=;t=``."""
    return {
        "RateLimit-Policy": f'"default";q={info.limit};w={_seconds(info.window_s)}',
        "RateLimit": f'"default";r={info.remaining};t={_seconds(info.reset_s)}',
    }


def admission_headers(admission: Admission) -> dict[str, str]:
    """The headers to send with the response to a call the gate answered."""
    headers = {} if admission.rate_limit is None else rate_limit_headers(admission.rate_limit)
    if not admission.allowed and admission.retry_after_s is not None:
        headers["Retry-After"] = _seconds(admission.retry_after_s)
    return headers
