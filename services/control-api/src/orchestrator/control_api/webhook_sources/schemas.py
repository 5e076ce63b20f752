"""Request and response shapes of the webhook sources area (the request bodies are core's,
which bundles share)."""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec

from orchestrator.core.webhooks.inputs import WebhookBindingIn, WebhookSourceIn
from orchestrator.core.webhooks.service import BindingInput, SourceInput

__all__ = [
    "WebhookBindingIn",
    "WebhookBindingList",
    "WebhookBindingOut",
    "WebhookSourceIn",
    "WebhookSourceList",
    "WebhookSourceOut",
]


class WebhookSourceOut(SourceInput, frozen=True, kw_only=True):
    """A webhook source; its provider delivers to ``ingress_path`` on the webhook-ingress."""

    id: uuid.UUID
    version: int
    ingress_path: str
    created_at: dt.datetime
    updated_at: dt.datetime


class WebhookSourceList(msgspec.Struct, frozen=True):
    """A page of the workspace's webhook sources, by name; pass ``next_cursor`` as ``cursor``
    for the next (``null`` on the last)."""

    items: list[WebhookSourceOut]
    next_cursor: str | None


class WebhookBindingOut(BindingInput, frozen=True, kw_only=True):
    """A binding of a webhook source."""

    id: uuid.UUID
    source_id: uuid.UUID
    created_at: dt.datetime


class WebhookBindingList(msgspec.Struct, frozen=True):
    """A page of a source's bindings, oldest first; pass ``next_cursor`` as ``cursor`` for the
    next (``null`` on the last)."""

    items: list[WebhookBindingOut]
    next_cursor: str | None
