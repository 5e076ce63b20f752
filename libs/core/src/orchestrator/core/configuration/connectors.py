"""A workspace's connectors: create, replace and delete them, checked and audited.

A connector is checked against its type, and its policy and secret refs against the
workspace. A replacement may not drop an operation a webhook binding starts, and a
connector a binding starts jobs of cannot be deleted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.audit.change import AuditedChanges
from orchestrator.core.configuration import repository, views
from orchestrator.core.configuration.connector_checks import (
    bound_operation_errors,
    connector_errors,
)
from orchestrator.core.configuration.mutation import Action, Mutation
from orchestrator.core.configuration.validation import nul_errors, raise_if
from orchestrator.core.connectors.public import Connector
from orchestrator.core.webhooks.public import (
    bound_operations,
    refuse_if_sources,
    webhook_sources_binding_connector,
)


@dataclass(frozen=True)
class ConnectorInput:
    """What a client sets on a connector (the policy and secret refs by name)."""

    type: str
    config: dict[str, Any]
    policy: str | None
    secrets: dict[str, str]
    enabled: bool

    def content(self) -> views.View:
        """The comparable content."""
        return views.connector_content(
            type=self.type,
            config=self.config,
            policy=self.policy,
            secrets=self.secrets,
            enabled=self.enabled,
        )


CONNECTOR = AuditedChanges(
    repository.CONNECTORS,
    noun="connector",
    kind="connector",
    view=lambda row: views.connector_view(row, None),  # each write shows its policy's name
)


def _showing(policy: str | None) -> AuditedChanges[Connector]:
    """The connector's changes, audited with its policy called ``policy``."""
    return CONNECTOR.showing(lambda row: views.connector_view(row, policy))


async def write_connector(
    session: AsyncSession,
    m: Mutation,
    name: str,
    data: ConnectorInput,
    policy_id: uuid.UUID | None,
    existing: tuple[Connector, str | None] | None,
) -> tuple[Connector, Action | None]:
    """Create or update a validated connector; ``None`` when nothing changed."""
    values = {
        "type": data.type,
        "config": data.config,
        "policy_id": policy_id,
        "secrets": data.secrets,
        "enabled": data.enabled,
    }
    if existing is None:
        row = Connector(id=uuid.uuid4(), tenant_id=m.tenant_id, name=name, version=1, **values)
        return await _showing(data.policy).create(session, m, name, row), "create"
    row, policy = existing
    before = views.connector_view(row, policy)
    changed = await _showing(data.policy).update(session, m, name, row, values, before=before)
    return row, "update" if changed else None


async def _checked_policy_id(session: AsyncSession, data: ConnectorInput) -> uuid.UUID | None:
    """Validate a connector against its type and this workspace; its policy's id."""
    storable = nul_errors({"config": data.config, "secrets": data.secrets}, "")
    raise_if(storable, "The connector is not valid.")
    known = await repository.existing_secret_ref_names(session, set(data.secrets.values()))
    errors = connector_errors(data.type, data.config, data.secrets, at="", known_refs=known)
    policy_id = None
    if data.policy is not None:
        policy = await repository.POLICIES.get(session, data.policy)
        if policy is None:
            errors.append({"key": "/policy", "message": f"no policy called `{data.policy}`"})
        else:
            policy_id = policy.id
    raise_if(errors, "The connector is not valid.")
    return policy_id


async def get_connector(session: AsyncSession, name: str) -> tuple[Connector, str | None]:
    """A connector and its policy's name, or 404."""
    found = await repository.connector_by_name(session, name)
    if found is None:
        raise CONNECTOR.missing(name)
    return found


async def _locked(session: AsyncSession, name: str) -> tuple[Connector, str | None]:
    """A connector and its policy's name, the connector row locked; or 404."""
    found = await repository.connector_by_name(session, name, for_update=True)
    if found is None:
        raise CONNECTOR.missing(name)
    return found


async def create_connector(
    session: AsyncSession, m: Mutation, name: str, data: ConnectorInput
) -> Connector:
    """A new connector; 422 when its type, config, policy or secrets do not check out."""
    policy_id = await _checked_policy_id(session, data)
    await CONNECTOR.refuse_taken(session, name)
    return (await write_connector(session, m, name, data, policy_id, None))[0]


async def replace_connector(
    session: AsyncSession, m: Mutation, name: str, data: ConnectorInput
) -> Connector:
    """Replace a connector (version +1 when it differs); 422 when it would drop an
    operation a webhook binding starts."""
    existing = await _locked(session, name)
    policy_id = await _checked_policy_id(session, data)
    # Under the row lock taken above, which a new binding takes too: none slips in.
    bound = (await bound_operations(session, name)).get(name, {})
    errors = bound_operation_errors(data.type, data.config, bound, at="")
    raise_if(errors, "The connector is not valid.")
    return (await write_connector(session, m, name, data, policy_id, existing))[0]


async def refuse_if_webhook_sources_bind(session: AsyncSession, name: str) -> None:
    """409 when webhook bindings start jobs of connector ``name`` (so it cannot be deleted)."""
    sources = await webhook_sources_binding_connector(session, name)
    refuse_if_sources(sources, f"Connector `{name}` is bound to events of webhook sources")


async def delete_connector(session: AsyncSession, m: Mutation, name: str) -> None:
    """Delete a connector no webhook binding starts jobs of."""
    existing = await _locked(session, name)
    await refuse_if_webhook_sources_bind(session, name)
    row, policy = existing
    await _showing(policy).delete(session, m, name, row)
