"""A workspace's policies: create, replace and delete them, each write validated and audited.

A policy's spec is normalised before it is compared or stored, so an equal spec written
again changes nothing. A policy a connector uses cannot be deleted.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.audit.change import AuditedChanges
from orchestrator.core.configuration import repository, views
from orchestrator.core.configuration.models import Policy
from orchestrator.core.configuration.mutation import Action, Mutation
from orchestrator.core.configuration.validation import normalise_spec, raise_if
from orchestrator.core.errors import refuse_if_used

POLICY = AuditedChanges(repository.POLICIES, noun="policy", kind="policy", view=views.policy_view)


async def write_policy(
    session: AsyncSession, m: Mutation, name: str, spec: dict[str, Any], existing: Policy | None
) -> tuple[Policy, Action | None]:
    """Create or update a policy from a normalised spec; ``None`` when nothing changed."""
    if existing is None:
        row = Policy(id=uuid.uuid4(), tenant_id=m.tenant_id, name=name, spec=spec, version=1)
        return await POLICY.create(session, m, name, row), "create"
    changed = await POLICY.update(session, m, name, existing, {"spec": spec})
    return existing, "update" if changed else None


async def get_policy(session: AsyncSession, name: str) -> Policy:
    """A policy by name, or 404."""
    return await POLICY.get(session, name)


def _normalised(spec: Any) -> dict[str, Any]:
    """``spec`` normalised; 422 naming each invalid field."""
    normalised, errors = normalise_spec(spec, "/spec")
    raise_if(errors, "The policy spec is not valid.")
    assert normalised is not None
    return normalised


async def create_policy(session: AsyncSession, m: Mutation, name: str, spec: Any) -> Policy:
    """A new policy; 422 on an invalid spec, 409 when the name is taken."""
    normalised = _normalised(spec)
    await POLICY.refuse_taken(session, name)
    return (await write_policy(session, m, name, normalised, None))[0]


async def replace_policy(session: AsyncSession, m: Mutation, name: str, spec: Any) -> Policy:
    """Replace a policy's spec (version +1 when it differs)."""
    normalised = _normalised(spec)
    row = await POLICY.lock(session, name)
    return (await write_policy(session, m, name, normalised, row))[0]


async def delete_policy(session: AsyncSession, m: Mutation, name: str) -> None:
    """Delete a policy no connector uses."""
    row = await POLICY.lock(session, name)
    users = await repository.connectors_using_policy(session, row.id)
    refuse_if_used(users, f"Policy `{name}` is used by connectors")
    await POLICY.delete(session, m, name, row)
