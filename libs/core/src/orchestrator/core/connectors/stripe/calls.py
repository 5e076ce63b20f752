"""A payload into a ``StripeCall``, and the request each attempt of it sends.

Pure (no I/O): ``render`` validates the payload and the API key and encodes the
parameters once; ``attempt_request`` adds the attempt's ``Idempotency-Key``.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from orchestrator.core.connectors.stripe.config import SECRET_NAME, StripeConfig
from orchestrator.core.connectors.stripe.forms import encode_form
from orchestrator.core.connectors.stripe.operations import OPERATION_TYPES, OPERATIONS
from orchestrator.core.connectors.validation import validate_payload
from orchestrator.core.errors import ValidationFailed
from orchestrator.core.upstream.client import UpstreamRequest

IDEMPOTENCY_HEADER = "Idempotency-Key"
FORM = "application/x-www-form-urlencoded"
# Visible ASCII: what a header can carry. Stripe's keys are far narrower; this only keeps
# a pasted newline or space from reaching the wire (and the message never shows the key).
_KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,512}")


@dataclass(frozen=True, slots=True)
class StripeCall:
    """One Stripe request, ready but for its ``Idempotency-Key`` (added per attempt)."""

    operation: str
    method: str
    url: str
    body: bytes | None
    writes: bool
    """A ``POST``: each attempt carries an ``Idempotency-Key``."""
    fallback_key: str
    """The key when the call has none of its own (fixed for all its attempts)."""
    headers: Mapping[str, str] = field(repr=False)
    """``Authorization`` among them: never in a repr, so never in a log line."""
    api_key: str = field(repr=False)
    """To take out of anything Stripe's answer might echo."""


def _api_key(secrets: Mapping[str, str]) -> str:
    value = secrets.get(SECRET_NAME)
    if value is None:
        raise ValidationFailed(
            "The connector has no Stripe API key.",
            errors=[{"key": f"/secrets/{SECRET_NAME}", "message": "is not set for this connector"}],
        )
    if not _KEY_PATTERN.fullmatch(value):
        raise ValidationFailed(
            "The connector's Stripe API key cannot be sent.",
            errors=[
                {
                    "key": f"/secrets/{SECRET_NAME}",
                    "message": "must be 1-512 visible ASCII characters (no space or line break)",
                }
            ],
        )
    return value


def render(
    config: StripeConfig, operation: str, payload: Any, secrets: Mapping[str, str]
) -> StripeCall:
    """The call for ``operation`` (pure; ``ValidationFailed`` → 422 on a problem)."""
    op = OPERATIONS.get(operation)
    if op is None:
        raise ValidationFailed(
            f"The connector has no operation {operation!r}.",
            errors=[{"key": "/operation", "message": "is not an operation of this connector"}],
        )
    validate_payload(OPERATION_TYPES[operation].payload_schema, payload)
    api_key = _api_key(secrets)
    params = {name: value for name, value in payload.items() if not (op.has_id and name == "id")}
    path = op.path.replace("{id}", quote(payload["id"], safe="")) if op.has_id else op.path
    url, form = config.base_url + path, encode_form(params)
    headers = {
        "Authorization": f"Bearer {api_key}",
        "Stripe-Version": config.api_version,
        "Accept": "application/json",
    }
    body: bytes | None = None
    if op.writes:
        body = form.encode("ascii")
        headers["Content-Type"] = FORM
    elif form:
        url += "?" + form
    return StripeCall(
        operation=operation,
        method=op.method,
        url=url,
        body=body,
        writes=op.writes,
        fallback_key=f"orch-{uuid.uuid4().hex}",
        headers=headers,
        api_key=api_key,
    )


def idempotency_key(call: StripeCall, key: str | None, scope: str) -> str | None:
    """The ``Idempotency-Key`` of a write: derived from ``key`` (the caller's, or the job
    id) within ``scope``, so every attempt and every redelivery sends the same one and two
    tenants' keys never meet at one Stripe account; the call's own when it has none."""
    if not call.writes:
        return None  # Stripe: a key on GET or DELETE has no effect
    if key is None:
        return call.fallback_key
    return "orch-" + hashlib.sha256(f"{scope}\0{key}".encode()).hexdigest()[:48]


def attempt_request(call: StripeCall, key: str | None, scope: str) -> UpstreamRequest:
    """The request one attempt sends (see ``idempotency_key``)."""
    headers = dict(call.headers)
    sent = idempotency_key(call, key, scope)
    if sent is not None:
        headers[IDEMPOTENCY_HEADER] = sent
    return UpstreamRequest(method=call.method, url=call.url, headers=headers, body=call.body)
