"""Check a bundle's webhook sources and their bindings with the single writes' checks
(``webhooks.service.source_errors`` and ``binding_input_errors``, after the request
bodies' own types), against the secret refs and connectors as the import leaves them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.bundles.model import (
    Bundle,
    BundleWebhookBinding,
    BundleWebhookSource,
    item_input,
)
from orchestrator.core.bundles.stored import Stored
from orchestrator.core.configuration.validation import FieldErrors, at, convert, under
from orchestrator.core.upstream.ssrf import NetworkPolicy
from orchestrator.core.webhooks import service
from orchestrator.core.webhooks.inputs import WebhookBindingIn, WebhookSourceIn
from orchestrator.core.webhooks.usage import BoundOperations
from orchestrator.core.workflows.known import KnownNames


@dataclass(frozen=True)
class CheckedSource:
    """A bundle's webhook source as its single write stores it, and its bindings."""

    data: service.SourceInput
    bindings: list[service.BindingInput]


def _source(
    item: BundleWebhookSource, known_refs: set[str], where: str
) -> tuple[service.SourceInput | None, FieldErrors]:
    # The name is checked as every section's is (``bundle_check``): converted as a valid
    # stand-in, so that a bad name does not hide the item's other errors, or repeat.
    fields = {name: getattr(item, name) for name in WebhookSourceIn.__struct_fields__}
    parsed, errors = convert(msgspec.to_builtins(fields | {"name": "n"}), WebhookSourceIn, where)
    if parsed is None:
        return None, errors
    data = msgspec.structs.replace(item_input(parsed, service.SourceInput), name=item.name)
    data, found = service.source_errors(data, known_refs)
    return data, under(where, found)


async def _binding(
    session: AsyncSession,
    item: BundleWebhookBinding,
    known: KnownNames,
    network: NetworkPolicy,
    where: str,
) -> tuple[service.BindingInput | None, FieldErrors]:
    parsed, errors = convert(msgspec.to_builtins(item), WebhookBindingIn, where)
    if parsed is None:
        return None, errors
    data = item_input(parsed, service.BindingInput)
    operations = partial(known.operations, session)
    return data, under(where, await service.binding_input_errors(data, network, operations))


async def webhook_source_errors(
    session: AsyncSession,
    bundle: Bundle,
    known_refs: set[str],
    known: KnownNames,
    network: NetworkPolicy,
) -> tuple[dict[str, CheckedSource], FieldErrors]:
    """The bundle's webhook sources by name, and every error of them and their bindings."""
    errors: FieldErrors = []
    checked: dict[str, CheckedSource] = {}
    for i, item in enumerate(bundle.webhook_sources or []):
        where = at("", "webhook_sources", i)
        data, found = _source(item, known_refs, where)
        errors.extend(found)
        bindings: list[service.BindingInput] = []
        for j, binding in enumerate(item.bindings):
            wanted, found = await _binding(
                session, binding, known, network, at(where, "bindings", j)
            )
            errors.extend(found)
            if wanted is not None:
                bindings.append(wanted)
        if data is not None:
            checked[item.name] = CheckedSource(data, bindings)
    return checked, errors


def bound_after(bundle: Bundle, stored: Stored, *, prune: bool) -> BoundOperations:
    """The operations the webhook bindings the bundle does not carry will still start, by
    connector: a connector the bundle replaces must keep them. The bindings it carries are
    checked against its connectors instead; none are left when it prunes its sources."""
    if bundle.webhook_sources is None:
        return stored.bound
    if prune:
        return {}
    listed = {source.name for source in bundle.webhook_sources}
    bound: BoundOperations = {}
    for name in sorted(stored.sources.keys() - listed):
        for row in stored.bindings[name]:
            if row.connector is not None and row.operation is not None:
                sources = bound.setdefault(row.connector, {}).setdefault(row.operation, [])
                if name not in sources:
                    sources.append(name)
    return bound
