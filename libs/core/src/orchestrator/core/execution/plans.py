"""What a process needs to call one connector, loaded once and kept in memory.

The hot path must not pay database round trips per call, so each (tenant, connector)
is loaded once — connector, policy, tenant quota and resolved secrets — and kept until
a change notice names the tenant or ``config_ttl_s`` passes (which heals a missed
notice). Concurrent misses share one load.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.configuration.public import connector_with_policy, tenant_quota
from orchestrator.core.connectors.public import (
    CodeHandler,
    OperationType,
    code_handler,
    connector_secrets,
    operations_of,
    parse_config,
)
from orchestrator.core.db.tenant import set_tenant
from orchestrator.core.errors import ConnectorNotFound
from orchestrator.core.policy.model import PolicySpec, TenantQuota
from orchestrator.core.secrets.keyring import KeyRing
from orchestrator.core.single_flight import MISSING, SingleFlightCache

Sessions = async_sessionmaker[AsyncSession]


@dataclass(frozen=True, slots=True)
class ConnectorPlan:
    """One tenant's connector, ready to call."""

    tenant_id: uuid.UUID
    name: str
    type: str
    config: Any
    """Parsed by the type: an ``HttpConfig`` for ``http``, the handler's own otherwise."""
    operations: Mapping[str, OperationType]
    spec: PolicySpec
    quota: TenantQuota
    secrets: Mapping[str, str]
    handler: CodeHandler | None = None
    """The type's code handler; None for ``http``, which the executor calls itself."""

    def operation(self, name: str) -> OperationType:
        """The operation called ``name``, or a 404 problem."""
        found = self.operations.get(name)
        if found is None:
            raise ConnectorNotFound(f"Connector `{self.name}` has no operation `{name}`.")
        return found


async def read_plan(
    session: AsyncSession, keys: KeyRing, tenant_id: uuid.UUID, name: str
) -> ConnectorPlan | None:
    """Read one connector with its policy, quota and secrets in a tenant-scoped session;
    ``None`` if absent or disabled."""
    found = await connector_with_policy(session, name)
    if found is None or not found[0].enabled:
        return None
    connector, spec = found
    quota = await tenant_quota(session)
    secrets = await connector_secrets(session, keys, connector)
    config: Any = connector.config
    return ConnectorPlan(
        tenant_id=tenant_id,
        name=connector.name,
        type=connector.type,
        config=parse_config(connector.type, config),
        operations=operations_of(connector.type, config),
        spec=spec,
        quota=quota,
        secrets=secrets,
        handler=code_handler(connector.type),
    )


class PlanCache:
    """Per-process cache of connector plans with single-flight loading."""

    def __init__(self, sessions: Sessions, keys: KeyRing, *, ttl_s: float) -> None:
        self._sessions = sessions
        self._keys = keys
        # An absent connector is remembered too (briefly), so a caller naming one that
        # does not exist cannot turn every request into a database query.
        self._plans = SingleFlightCache[tuple[uuid.UUID, str], ConnectorPlan | None](ttl_s=ttl_s)

    async def get(
        self, tenant_id: uuid.UUID, name: str, *, session: AsyncSession | None = None
    ) -> ConnectorPlan:
        """The plan of ``name`` in ``tenant_id``, or a 404 problem.

        A caller already holding a tenant-scoped ``session`` passes it: taking a second
        pooled connection while holding one can exhaust the pool under load.
        """
        key = (tenant_id, name)
        plan = self._plans.cached(key)
        if plan is MISSING:
            plan = await self._plans.load(key, lambda: self._read(tenant_id, name, session))
        if plan is None:
            raise ConnectorNotFound(f"No enabled connector called `{name}` in this workspace.")
        return plan

    async def _read(
        self, tenant_id: uuid.UUID, name: str, session: AsyncSession | None
    ) -> ConnectorPlan | None:
        if session is not None:
            return await read_plan(session, self._keys, tenant_id, name)
        async with self._sessions() as own, own.begin():
            await set_tenant(own, tenant_id)
            return await read_plan(own, self._keys, tenant_id, name)

    def invalidate(self, tenant_id: uuid.UUID | None = None) -> None:
        """Forget one tenant's plans (a change notice), or every plan."""
        self._plans.invalidate(None if tenant_id is None else lambda key, _: key[0] == tenant_id)
