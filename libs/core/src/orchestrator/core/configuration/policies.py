"""A workspace's policies: create, replace and delete them, each write validated and audited.

A policy's spec is normalised before it is compared or stored, so an equal spec written
again changes nothing. A policy a connector uses cannot be deleted.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.configuration import repository, views
from orchestrator.core.configuration.models import Policy
from orchestrator.core.configuration.mutation import (
    Action,
    Mutation,
    audit_change,
    flush_or_conflict,
)
from orchestrator.core.configuration.validation import normalise_spec, raise_if
from orchestrator.core.db.base import utcnow
from orchestrator.core.errors import Conflict, NotFound


async def write_policy(
    session: AsyncSession, m: Mutation, name: str, spec: dict[str, Any], existing: Policy | None
) -> tuple[Policy, Action | None]:
    """Create or update a policy from a normalised spec; ``None`` when nothing changed."""
    if existing is None:
        row = Policy(id=uuid.uuid4(), tenant_id=m.tenant_id, name=name, spec=spec, version=1)
        session.add(row)
        await flush_or_conflict(session, f"policy `{name}`")
        await audit_change(
            session, m, "policy.create", f"policy:{name}", None, views.policy_view(row)
        )
        return row, "create"
    if existing.spec == spec:
        return existing, None
    before = views.policy_view(existing)
    existing.spec, existing.version, existing.updated_at = spec, existing.version + 1, utcnow()
    await flush_or_conflict(session, f"policy `{name}`")
    await audit_change(
        session, m, "policy.update", f"policy:{name}", before, views.policy_view(existing)
    )
    return existing, "update"


async def get_policy(session: AsyncSession, name: str) -> Policy:
    """A policy by name, or 404."""
    row = await repository.policy_by_name(session, name)
    if row is None:
        raise NotFound(f"No policy called `{name}` in this workspace.")
    return row


async def create_policy(session: AsyncSession, m: Mutation, name: str, spec: Any) -> Policy:
    """A new policy; 422 on an invalid spec, 409 when the name is taken."""
    normalised, errors = normalise_spec(spec, "/spec")
    raise_if(errors, "The policy spec is not valid.")
    assert normalised is not None
    if await repository.policy_by_name(session, name) is not None:
        raise Conflict(f"A policy called `{name}` exists; replace it with PUT.")
    return (await write_policy(session, m, name, normalised, None))[0]


async def replace_policy(session: AsyncSession, m: Mutation, name: str, spec: Any) -> Policy:
    """Replace a policy's spec (version +1 when it differs)."""
    normalised, errors = normalise_spec(spec, "/spec")
    raise_if(errors, "The policy spec is not valid.")
    assert normalised is not None
    row = await repository.policy_by_name(session, name, for_update=True)
    if row is None:
        raise NotFound(f"No policy called `{name}` in this workspace.")
    return (await write_policy(session, m, name, normalised, row))[0]


async def delete_policy(session: AsyncSession, m: Mutation, name: str) -> None:
    """Delete a policy no connector uses."""
    row = await repository.policy_by_name(session, name, for_update=True)
    if row is None:
        raise NotFound(f"No policy called `{name}` in this workspace.")
    if users := await repository.connectors_using_policy(session, row.id):
        raise Conflict(f"Policy `{name}` is used by connectors: {', '.join(users)}.", used_by=users)
    before = views.policy_view(row)
    await session.delete(row)
    await flush_or_conflict(session, f"policy `{name}`")
    await audit_change(session, m, "policy.delete", f"policy:{name}", before, None)
