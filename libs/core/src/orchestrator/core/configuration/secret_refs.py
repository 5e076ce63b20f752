"""A workspace's secret refs: where each secret lives, and the sealed value of a ``db://`` one.

A ref's target is checked against the deployment's ``RefScope`` before it is stored. A ref
a connector maps a secret to, or a webhook source verifies with, cannot be deleted. The
audit trail records that a stored value changed, never the value.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.configuration import repository, views
from orchestrator.core.configuration.mutation import (
    Action,
    Mutation,
    audit_change,
    flush_or_conflict,
)
from orchestrator.core.configuration.validation import raise_if, ref_errors
from orchestrator.core.db.base import utcnow
from orchestrator.core.errors import Conflict, NotFound
from orchestrator.core.models import SecretRef
from orchestrator.core.secrets.keyring import KeyRing
from orchestrator.core.secrets.refs import DB_REF
from orchestrator.core.secrets.scope import RefScope
from orchestrator.core.secrets.sealing import seal_value
from orchestrator.core.webhooks.public import webhook_sources_using_secret_ref


async def write_secret_ref(
    session: AsyncSession, m: Mutation, name: str, ref: str, existing: SecretRef | None
) -> tuple[SecretRef, Action | None]:
    """Create or update a secret ref; moving away from ``db://`` drops the stored value."""
    if existing is None:
        row = SecretRef(id=uuid.uuid4(), tenant_id=m.tenant_id, name=name, ref=ref, version=1)
        session.add(row)
        await flush_or_conflict(session, f"secret ref `{name}`")
        await audit_change(
            session, m, "secret_ref.create", f"secret_ref:{name}", None, views.secret_ref_view(row)
        )
        return row, "create"
    if existing.ref == ref:
        return existing, None
    before = views.secret_ref_view(existing)
    existing.ref, existing.version, existing.updated_at = ref, existing.version + 1, utcnow()
    if ref != DB_REF:
        existing.sealed_value = None
    await flush_or_conflict(session, f"secret ref `{name}`")
    await audit_change(
        session,
        m,
        "secret_ref.update",
        f"secret_ref:{name}",
        before,
        views.secret_ref_view(existing),
    )
    return existing, "update"


async def get_secret_ref(session: AsyncSession, name: str) -> SecretRef:
    """A secret ref by name, or 404."""
    row = await repository.secret_ref_by_name(session, name)
    if row is None:
        raise NotFound(f"No secret ref called `{name}` in this workspace.")
    return row


async def create_secret_ref(
    session: AsyncSession, m: Mutation, name: str, ref: str, scope: RefScope | None = None
) -> SecretRef:
    """A new secret ref; 422 on bad syntax or a target outside ``scope`` (default: the
    process environment's), 409 when the name is taken."""
    _check_ref(m, ref, scope)
    if await repository.secret_ref_by_name(session, name) is not None:
        raise Conflict(f"A secret ref called `{name}` exists; replace it with PUT.")
    return (await write_secret_ref(session, m, name, ref, None))[0]


def _check_ref(m: Mutation, ref: str, scope: RefScope | None) -> None:
    scope = RefScope.from_env() if scope is None else scope
    if errors := ref_errors(ref, "/ref", scope, m.tenant_id):
        raise_if(errors, f"The secret ref is not valid: {errors[0]['message']}.")


async def replace_secret_ref(
    session: AsyncSession, m: Mutation, name: str, ref: str, scope: RefScope | None = None
) -> SecretRef:
    """Point a secret ref elsewhere (version +1 when it differs); 422 as on create."""
    _check_ref(m, ref, scope)
    row = await repository.secret_ref_by_name(session, name, for_update=True)
    if row is None:
        raise NotFound(f"No secret ref called `{name}` in this workspace.")
    return (await write_secret_ref(session, m, name, ref, row))[0]


async def refuse_if_webhook_sources_use(session: AsyncSession, name: str) -> None:
    """409 when webhook sources verify with secret ref ``name`` (so it cannot be deleted)."""
    if sources := await webhook_sources_using_secret_ref(session, name):
        raise Conflict(
            f"Secret ref `{name}` verifies webhook sources: {', '.join(sources)}.",
            used_by_webhook_sources=sources,
        )


async def delete_secret_ref(session: AsyncSession, m: Mutation, name: str) -> None:
    """Delete a secret ref no connector maps a secret to (its value goes with it)."""
    row = await repository.secret_ref_by_name(session, name, for_update=True)
    if row is None:
        raise NotFound(f"No secret ref called `{name}` in this workspace.")
    if users := await repository.connectors_using_secret_ref(session, name):
        raise Conflict(
            f"Secret ref `{name}` is used by connectors: {', '.join(users)}.", used_by=users
        )
    await refuse_if_webhook_sources_use(session, name)
    before = views.secret_ref_view(row)
    await session.delete(row)
    await flush_or_conflict(session, f"secret ref `{name}`")
    await audit_change(session, m, "secret_ref.delete", f"secret_ref:{name}", before, None)


async def set_secret_value(
    session: AsyncSession, m: Mutation, keys: KeyRing, name: str, value: str
) -> SecretRef:
    """Seal and store the value of a ``db://`` ref; the audit record says only that it changed."""
    row = await repository.secret_ref_by_name(session, name, for_update=True)
    if row is None:
        raise NotFound(f"No secret ref called `{name}` in this workspace.")
    if row.ref != DB_REF:
        raise Conflict(
            f"Secret ref `{name}` is `{row.ref}`; only a db:// ref stores its value here."
        )
    before = views.secret_ref_view(row)
    row.sealed_value = seal_value(keys, tenant_id=row.tenant_id, ref_id=row.id, value=value)
    row.version, row.updated_at = row.version + 1, utcnow()
    await flush_or_conflict(session, f"secret ref `{name}`")
    await audit_change(
        session, m, "secret_ref.set_value", f"secret_ref:{name}", before, views.secret_ref_view(row)
    )
    return row
