"""A workspace's secret refs: where each secret lives, and the sealed value of a ``db://`` one.

A ref's target is checked against the deployment's ``RefScope`` before it is stored. A ref
a connector maps a secret to, or a webhook source verifies with, cannot be deleted. The
audit trail records that a stored value changed, never the value.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.audit.change import AuditedChanges
from orchestrator.core.configuration import repository, views
from orchestrator.core.configuration.mutation import Action, Mutation
from orchestrator.core.configuration.validation import raise_if, ref_errors
from orchestrator.core.errors import Conflict, refuse_if_used
from orchestrator.core.models import SecretRef
from orchestrator.core.secrets.keyring import KeyRing
from orchestrator.core.secrets.refs import DB_REF
from orchestrator.core.secrets.scope import RefScope
from orchestrator.core.secrets.sealing import seal_value
from orchestrator.core.webhooks.public import refuse_if_sources, webhook_sources_using_secret_ref

SECRET_REF = AuditedChanges(
    repository.SECRET_REFS, noun="secret ref", kind="secret_ref", view=views.secret_ref_view
)


async def write_secret_ref(
    session: AsyncSession, m: Mutation, name: str, ref: str, existing: SecretRef | None
) -> tuple[SecretRef, Action | None]:
    """Create or update a secret ref; moving away from ``db://`` drops the stored value."""
    if existing is None:
        row = SecretRef(id=uuid.uuid4(), tenant_id=m.tenant_id, name=name, ref=ref, version=1)
        return await SECRET_REF.create(session, m, name, row), "create"
    values: dict[str, object] = {"ref": ref}
    if ref != DB_REF and existing.ref != ref:
        values["sealed_value"] = None
    changed = await SECRET_REF.update(session, m, name, existing, values)
    return existing, "update" if changed else None


async def get_secret_ref(session: AsyncSession, name: str) -> SecretRef:
    """A secret ref by name, or 404."""
    return await SECRET_REF.get(session, name)


async def create_secret_ref(
    session: AsyncSession, m: Mutation, name: str, ref: str, scope: RefScope | None = None
) -> SecretRef:
    """A new secret ref; 422 on bad syntax or a target outside ``scope`` (default: the
    process environment's), 409 when the name is taken."""
    _check_ref(m, ref, scope)
    await SECRET_REF.refuse_taken(session, name)
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
    row = await SECRET_REF.lock(session, name)
    return (await write_secret_ref(session, m, name, ref, row))[0]


async def refuse_if_webhook_sources_use(session: AsyncSession, name: str) -> None:
    """409 when webhook sources verify with secret ref ``name`` (so it cannot be deleted)."""
    sources = await webhook_sources_using_secret_ref(session, name)
    refuse_if_sources(sources, f"Secret ref `{name}` verifies webhook sources")


async def delete_secret_ref(session: AsyncSession, m: Mutation, name: str) -> None:
    """Delete a secret ref no connector maps a secret to (its value goes with it)."""
    row = await SECRET_REF.lock(session, name)
    users = await repository.connectors_using_secret_ref(session, name)
    refuse_if_used(users, f"Secret ref `{name}` is used by connectors")
    await refuse_if_webhook_sources_use(session, name)
    await SECRET_REF.delete(session, m, name, row)


async def set_secret_value(
    session: AsyncSession, m: Mutation, keys: KeyRing, name: str, value: str
) -> SecretRef:
    """Seal and store the value of a ``db://`` ref; the audit record says only that it changed."""
    row = await SECRET_REF.lock(session, name)
    if row.ref != DB_REF:
        raise Conflict(
            f"Secret ref `{name}` is `{row.ref}`; only a db:// ref stores its value here."
        )
    sealed = seal_value(keys, tenant_id=row.tenant_id, ref_id=row.id, value=value)
    await SECRET_REF.update(session, m, name, row, {"sealed_value": sealed}, verb="set_value")
    return row
