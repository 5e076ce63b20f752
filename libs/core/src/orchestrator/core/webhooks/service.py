"""Business rules of webhook sources and bindings: validation, change detection and audit.

Writes run in the caller's tenant-scoped transaction and never commit; a source
replaced by what it already holds keeps its version and is not audited. A source's
``routing`` claims are indexed in ``webhook_routes`` with it: one value of a provider
belongs to at most one source of the organization (ADR 0036).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Collection
from functools import partial
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.audit.change import AuditedChanges, conflicts
from orchestrator.core.configuration import public as configuration
from orchestrator.core.configuration.public import (
    FieldErrors,
    Mutation,
    View,
    flush_or_conflict,
    nul_errors,
    raise_if,
)
from orchestrator.core.connectors.public import operations_of
from orchestrator.core.db.pages import EVERY, Page, PageRequest
from orchestrator.core.errors import Conflict
from orchestrator.core.tenancy import public as tenancy
from orchestrator.core.upstream.ssrf import NetworkPolicy
from orchestrator.core.webhooks import repository, sources
from orchestrator.core.webhooks.models import WebhookBinding, WebhookRoute, WebhookSource


class SourceInput(msgspec.Struct, frozen=True, kw_only=True):
    """What a client sets on a webhook source (secret refs by name): what the API shows of
    one too (the control-api's ``WebhookSourceOut`` extends it)."""

    name: str
    provider: str
    secret_refs: list[str]
    options: dict[str, Any] | None
    routing: dict[str, list[str]]
    rate_limit_per_s: int | None
    max_body_bytes: int
    enabled: bool


class BindingInput(msgspec.Struct, frozen=True, kw_only=True):
    """What a client sets on a binding: what the API shows of one too (the control-api's
    ``WebhookBindingOut`` extends it)."""

    event_types: list[str]
    action: str
    connector: str | None
    operation: str | None
    payload_mapping: dict[str, str] | None
    forward_url: str | None
    enabled: bool


def source_view(row: WebhookSource) -> View:
    """Audited (and compared) shape of a source: names of secret refs, never values."""
    return {
        "name": row.name,
        "provider": row.provider,
        "secret_refs": row.secret_refs,
        "options": row.options,
        "routing": row.routing,
        "rate_limit_per_s": row.rate_limit_per_s,
        "max_body_bytes": row.max_body_bytes,
        "enabled": row.enabled,
        "version": row.version,
    }


def binding_view(row: WebhookBinding) -> View:
    """Audited shape of a binding."""
    return {
        "id": str(row.id),
        "source_id": str(row.source_id),
        "event_types": row.event_types,
        "action": row.action,
        "connector": row.connector,
        "operation": row.operation,
        "payload_mapping": row.payload_mapping,
        "forward_url": row.forward_url,
        "enabled": row.enabled,
    }


def source_input(row: WebhookSource) -> SourceInput:
    """What a client set on a stored source: what a bundle carries of it, and compares."""
    return SourceInput(**{name: getattr(row, name) for name in SourceInput.__struct_fields__})


def binding_input(row: WebhookBinding) -> BindingInput:
    """What a client set on a stored binding."""
    return BindingInput(**{name: getattr(row, name) for name in BindingInput.__struct_fields__})


def source_errors(data: SourceInput, known_refs: set[str]) -> tuple[SourceInput, FieldErrors]:
    """``data`` with its options normalised, and every error of it, given the secret refs
    there are: the single write's check, and a bundle's (whose refs may be its own)."""
    errors: FieldErrors = sources.provider_errors(data.provider)
    options = None
    if not errors:
        options, option_errors = sources.normalise_options(data.provider, data.options)
        errors += option_errors + sources.routing_errors(data.provider, data.routing)
    errors += sources.secret_ref_errors(data.secret_refs, known_refs)
    errors += nul_errors({"options": data.options, "routing": data.routing}, "")
    return msgspec.structs.replace(data, options=options), errors


async def _checked_source(session: AsyncSession, data: SourceInput) -> SourceInput:
    """``data`` with its options normalised; 422 listing every error."""
    known = await configuration.existing_secret_ref_names(session, set(data.secret_refs))
    data, errors = source_errors(data, known)
    raise_if(errors, "The webhook source is not valid.")
    return data


async def binding_input_errors(
    data: BindingInput,
    network: NetworkPolicy,
    operations: Callable[[str], Awaitable[Collection[str] | None]],
) -> FieldErrors:
    """Every error of a binding; ``operations`` gives those of the connector a job names
    (``None``: no such connector): the single write's check, against the workspace, and a
    bundle's, against the connectors as the import leaves them."""
    errors = sources.binding_errors(
        action=data.action,
        connector=data.connector,
        operation=data.operation,
        payload_mapping=data.payload_mapping,
        forward_url=data.forward_url,
        network=network,
    )
    errors += nul_errors({"payload_mapping": data.payload_mapping}, "")
    if data.action == "job" and data.connector is not None:
        offered = await operations(data.connector)
        if offered is None:
            errors.append(
                {"key": "/connector", "message": f"no connector called `{data.connector}`"}
            )
        elif data.operation is not None:  # else already refused by ``binding_errors``
            errors += sources.operation_errors(data.connector, data.operation, offered)
    return errors


SOURCE = AuditedChanges(
    repository.SOURCES,
    noun="webhook source",
    kind="webhook_source",
    view=source_view,
    missing_text="No such webhook source in this workspace.",
    label=lambda row: row.name,
)
BINDING = AuditedChanges(
    repository.BINDINGS,
    noun="webhook binding",
    kind="webhook_binding",
    view=binding_view,
    versioned=False,
    missing_text="No such binding of this webhook source.",
)


async def get_source(session: AsyncSession, source_id: uuid.UUID) -> WebhookSource:
    """A source by id, or 404 (another workspace's source is not found either)."""
    return await SOURCE.get(session, source_id)


async def create_source(
    session: AsyncSession, m: Mutation, data: SourceInput, source_id: uuid.UUID | None = None
) -> WebhookSource:
    """A new source (at ``source_id``: a bundle restoring its workspace's own source keeps
    its ingress URL; default a new id); 422 when its provider, options, routing or secret
    refs do not check out."""
    data = await _checked_source(session, data)
    if await repository.source_name_taken(session, data.name):
        raise Conflict(f"A webhook source called `{data.name}` exists; replace it with PUT.")
    new_id = uuid.uuid4() if source_id is None else source_id
    row = WebhookSource(id=new_id, tenant_id=m.tenant_id, version=1, **msgspec.structs.asdict(data))
    await SOURCE.create(session, m, row.id, row)
    await _index_claims(session, row)
    return row


async def replace_source(
    session: AsyncSession, m: Mutation, source_id: uuid.UUID, data: SourceInput
) -> WebhookSource:
    """Replace a source (version +1 when something changes)."""
    row = await SOURCE.lock(session, source_id)
    data = await _checked_source(session, data)
    if await repository.source_name_taken(session, data.name, besides=row.id):
        raise Conflict(f"Another webhook source is called `{data.name}`.")
    claimed = (row.provider, row.routing)
    changed = await SOURCE.update(session, m, source_id, row, msgspec.structs.asdict(data))
    if changed and (row.provider, row.routing) != claimed:
        await _index_claims(session, row)
    return row


async def delete_source(session: AsyncSession, m: Mutation, source_id: uuid.UUID) -> None:
    """Delete a source, its bindings and its claims (their foreign keys cascade)."""
    # A router holds a delivery's row, then locks the source it starts work for; deleting
    # the source first and cascading to its rows would take them the other way round, and
    # PostgreSQL would break the deadlock by failing one side a second later.
    await repository.lock_unrouted(session, source_id)
    await SOURCE.delete(session, m, source_id, await SOURCE.lock(session, source_id))


def claimed_pairs(routing: dict[str, list[str]]) -> list[tuple[str, str]]:
    """The (key, value) pairs a source claims, each once, in a stable order."""
    return [(key, value) for key in sorted(routing) for value in dict.fromkeys(routing[key])]


async def _index_claims(session: AsyncSession, row: WebhookSource) -> None:
    """Rewrite the source's rows of ``webhook_routes``; 409 naming a value another source
    of the organization claims (a concurrent claim is caught by the primary key)."""
    await repository.delete_claims(session, row.tenant_id, row.id)
    pairs = claimed_pairs(row.routing)
    if not pairs:
        return
    taken = await repository.claims_on(session, row.provider, pairs)
    if taken:
        first = taken[0]
        raise Conflict(
            f"Another webhook source of this organization claims `{first.key}` = "
            f"`{first.value}`; a value routes to one workspace.",
            claims=[{"key": t.key, "value": t.value, "workspace": str(t.tenant_id)} for t in taken],
        )
    workspace = await tenancy.get_workspace(session, row.tenant_id)
    assert workspace is not None  # the session is scoped to this very workspace
    session.add_all(
        WebhookRoute(
            organization_id=workspace.organization_id,
            provider=row.provider,
            key=key,
            value=value,
            tenant_id=row.tenant_id,
            source_id=row.id,
        )
        for key, value in pairs
    )
    await flush_or_conflict(session, f"the routing claims of webhook source `{row.name}`")


async def list_bindings(
    session: AsyncSession, source_id: uuid.UUID, page: PageRequest = EVERY
) -> Page[WebhookBinding]:
    """A source's bindings, oldest first (a page of them); 404 when there is no such source."""
    await get_source(session, source_id)
    return await repository.list_bindings(session, source_id, page)


async def create_binding(
    session: AsyncSession,
    m: Mutation,
    source_id: uuid.UUID,
    data: BindingInput,
    network: NetworkPolicy,
) -> WebhookBinding:
    """A new binding of a source; 422 unless its action's fields check out (a job names
    one of the workspace's connectors and an operation of it, a forward a URL the SSRF
    policy allows)."""
    source = await SOURCE.lock(session, source_id)
    errors = await binding_input_errors(data, network, partial(_job_operations, session))
    raise_if(errors, "The webhook binding is not valid.")
    row = WebhookBinding(
        id=uuid.uuid4(), tenant_id=m.tenant_id, source_id=source_id, **msgspec.structs.asdict(data)
    )
    with conflicts(SOURCE.what(source_id, source)):
        await repository.BINDINGS.create(session, row)
    await BINDING.record(session, m, "create", row.id, None, binding_view(row))
    return row


async def _job_operations(session: AsyncSession, connector: str) -> Collection[str] | None:
    """The operations of the workspace's connector ``connector`` as stored (``None``: no
    such connector). The connector row stays locked until commit: a concurrent replace or
    delete of the connector (which checks the bindings under the same lock) then sees this
    binding, or this check sees its outcome."""
    found = await configuration.connector_by_name(session, connector, for_update=True)
    return None if found is None else operations_of(found[0].type, found[0].config)


async def delete_binding(
    session: AsyncSession, m: Mutation, source_id: uuid.UUID, binding_id: uuid.UUID
) -> None:
    """Delete one binding of a source."""
    row = await repository.BINDINGS.get(session, source_id, binding_id)
    if row is None:
        raise BINDING.missing(binding_id)
    before = binding_view(row)
    with conflicts("the webhook binding"):
        await repository.BINDINGS.delete(session, row)
    await BINDING.record(session, m, "delete", binding_id, before, None)
