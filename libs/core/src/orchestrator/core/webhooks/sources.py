"""Rules of webhook sources and bindings as a workspace configures them (pure, no I/O).

Each check returns field errors (``{"key": JSON pointer, "message": ...}``) rather
than raising, so one request can list every problem.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from types import MappingProxyType
from typing import Any

from orchestrator.core.configuration.public import FieldErrors, at, convert, to_json_value
from orchestrator.core.upstream.ssrf import NetworkPolicy
from orchestrator.core.webhooks.options import GenericHmacOptions
from orchestrator.core.webhooks.providers import GENERIC, PROVIDER_NAMES, PROVIDERS

ROUTING_KEYS: Mapping[str, frozenset[str]] = MappingProxyType(
    {name: frozenset(key.name for key in spec.routing) for name, spec in PROVIDERS.items()}
    | {GENERIC: frozenset()}
)
"""The routing key names each provider's events carry (``hmac`` has none)."""

ROUTING_KEY_NAMES: tuple[str, ...] = tuple(sorted(set().union(*ROUTING_KEYS.values())))
"""Every routing key name of any provider."""

WHOLE_EVENT = frozenset({"", "/"})
"""Payload-mapping pointers that stand for the whole event."""


def ingress_path(source_id: uuid.UUID) -> str:
    """Where a source's provider delivers (on the webhook-ingress)."""
    return f"/webhooks/{source_id}"


def provider_errors(provider: str) -> FieldErrors:
    """Errors of a provider name."""
    if provider not in ROUTING_KEYS:
        return [{"key": "/provider", "message": f"must be one of {', '.join(PROVIDER_NAMES)}"}]
    return []


def normalise_options(
    provider: str, options: Mapping[str, Any] | None
) -> tuple[dict[str, Any] | None, FieldErrors]:
    """A ``hmac`` source's options, complete with defaults; other providers take none."""
    if provider != GENERIC:
        if options is not None:
            return None, [{"key": "/options", "message": f"only a `{GENERIC}` source has options"}]
        return None, []
    if options is None:
        return None, [{"key": "/options", "message": f"a `{GENERIC}` source needs options"}]
    parsed, errors = convert(options, GenericHmacOptions, "/options")
    return (None, errors) if parsed is None else (to_json_value(parsed), [])


def routing_errors(provider: str, routing: Mapping[str, list[str]]) -> FieldErrors:
    """Errors of the routing claims: only keys the provider's events carry."""
    allowed = ROUTING_KEYS.get(provider, frozenset())
    errors: FieldErrors = []
    for key in sorted(routing):
        if key not in allowed:
            known = ", ".join(sorted(allowed)) or "none"
            errors.append(
                {"key": at("/routing", key), "message": f"not a routing key of {provider}: {known}"}
            )
    return errors


def secret_ref_errors(names: list[str], known: set[str]) -> FieldErrors:
    """Secret refs named but missing, and names repeated."""
    errors: FieldErrors = []
    seen: set[str] = set()
    for index, name in enumerate(names):
        if name in seen:
            errors.append({"key": at("/secret_refs", index), "message": "named twice"})
        elif name not in known:
            errors.append({"key": at("/secret_refs", index), "message": f"no secret ref `{name}`"})
        seen.add(name)
    return errors


def pointer_errors(mapping: Mapping[str, str]) -> FieldErrors:
    """Payload-mapping values that are not JSON pointers (RFC 6901)."""
    return [
        {"key": at("/payload_mapping", field), "message": "must be a JSON pointer ('' or '/…')"}
        for field, pointer in sorted(mapping.items())
        if pointer not in WHOLE_EVENT and not pointer.startswith("/")
    ]


def operation_errors(connector: str, operation: str, operations: Collection[str]) -> FieldErrors:
    """A job binding's operation that its connector does not offer (so the binding would
    fail every event it matched)."""
    if operation in operations:
        return []
    offered = ", ".join(f"`{name}`" for name in sorted(operations)) or "none"
    return [
        {
            "key": "/operation",
            "message": f"connector `{connector}` has no operation `{operation}`; it has: {offered}",
        }
    ]


def binding_errors(
    *,
    action: str,
    connector: str | None,
    operation: str | None,
    payload_mapping: Mapping[str, str] | None,
    forward_url: str | None,
    network: NetworkPolicy,
) -> FieldErrors:
    """Errors of a binding's shape: a job names a connector operation, a forward a URL."""
    errors: FieldErrors = []

    def refuse(field: str, message: str) -> None:
        errors.append({"key": f"/{field}", "message": message})

    if action == "job":
        if connector is None:
            refuse("connector", "a job binding names a connector")
        if operation is None:
            refuse("operation", "a job binding names an operation")
        if forward_url is not None:
            refuse("forward_url", "only a forward binding has a URL")
        if payload_mapping is not None:
            errors.extend(pointer_errors(payload_mapping))
    else:
        for field, value in (
            ("connector", connector),
            ("operation", operation),
            ("payload_mapping", payload_mapping),
        ):
            if value is not None:
                refuse(field, "only a job binding has one")
        if forward_url is None:
            refuse("forward_url", "a forward binding needs a URL")
        elif problem := network.url_problem(forward_url):
            refuse("forward_url", problem)
    return errors
