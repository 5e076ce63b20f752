"""Request headers: case-insensitive lookup and the allowlist stored with an event."""

from __future__ import annotations

from collections.abc import Mapping

from orchestrator.core.webhooks.options import GenericHmacOptions
from orchestrator.core.webhooks.providers import resolve
from orchestrator.core.webhooks.spec import Header, ProviderSpec

NEVER_STORED = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
"""Credentials are never kept, even when a source names one of them."""


def lower(headers: Mapping[str, str]) -> dict[str, str]:
    """``headers`` keyed by lower-case name (HTTP names are case-insensitive)."""
    return {name.lower(): value for name, value in headers.items()}


def stored_headers(
    provider: str | ProviderSpec, options: GenericHmacOptions | None = None
) -> frozenset[str]:
    """The lower-case header names worth keeping in the inbox row for ``provider``.

    Its signature, timestamp, id, event-type and routing headers, its extras (retry
    counts) and ``content-type``; never credentials.
    """
    spec = resolve(provider, options)
    names = {"content-type", spec.signature.name, *spec.extra_headers}
    if spec.timestamp:
        names.add(spec.timestamp.header)
    if spec.id_header:
        names.add(spec.id_header)
    sources = [*spec.dedupe, *spec.event_type]
    sources += [source for key in spec.routing for source in key.sources]
    names.update(source.name for source in sources if isinstance(source, Header))
    return frozenset(names - NEVER_STORED)


def keep_headers(headers: Mapping[str, str], allowed: frozenset[str]) -> dict[str, str]:
    """The ``allowed`` headers of a request, keyed by lower-case name."""
    return {name: value for name, value in lower(headers).items() if name in allowed}
