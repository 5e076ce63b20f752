"""``orchestrator webhooks send``: deliver a test event to a webhook source, signed as a
Standard Webhooks sender signs it, to try a source and its bindings locally."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import time
from typing import Any

import httpx

from orchestrator.core.webhooks.sign import sign


def standard_event(event_type: str, data: Any) -> bytes:
    """A Standard Webhooks payload: its type, when it happened, and its data."""
    now = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return json.dumps({"type": event_type, "timestamp": now, "data": data}).encode()


def signed_headers(body: bytes, secret: str) -> dict[str, str]:
    """The headers of one delivery of ``body``: a fresh message id, now, its signature."""
    msg_id = f"msg_{secrets.token_hex(12)}"
    headers = sign("standard_webhooks", body, secret, timestamp=int(time.time()), msg_id=msg_id)
    return {**headers, "content-type": "application/json"}


def send(url: str, secret: str, event_type: str, data: Any) -> httpx.Response:
    """Deliver one event to ``url``; the ingress's answer."""
    body = standard_event(event_type, data)
    return httpx.post(url, content=body, headers=signed_headers(body, secret), timeout=10)
