"""The exec plane's per-process parts: plan cache, policy gate, upstream client, executor."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from loguru import logger
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.channels.public import breaker_statuses
from orchestrator.core.events.wake import Waker
from orchestrator.core.execution.budget_warning import BudgetWarnings
from orchestrator.core.execution.executor import Executor
from orchestrator.core.execution.plans import PlanCache
from orchestrator.core.policy.gate import PolicyGate
from orchestrator.core.policy.keys import gate_namespace
from orchestrator.core.secrets.keyring import keyring_from
from orchestrator.core.settings import CoreSettings
from orchestrator.core.upstream.client import UpstreamClient
from orchestrator.core.upstream.factory import create_upstream_client
from orchestrator.core.upstream.ssrf import NetworkPolicy


@dataclass
class ExecutionRuntime:
    """Opened once per process that runs connector operations."""

    executor: Executor
    plans: PlanCache
    gate: PolicyGate
    client: UpstreamClient

    async def on_config_change(self, message: bytes) -> None:
        """Drop the plans of the tenant a change notice names (all plans if unreadable)."""
        try:
            self.plans.invalidate(uuid.UUID(message.decode()))
        except ValueError:
            logger.warning("unreadable config notice; dropping every cached plan")
            self.plans.invalidate()

    async def close(self) -> None:
        """Release the gate's connection and the upstream pool."""
        await self.gate.aclose()
        await self.client.close()


def open_execution(
    settings: CoreSettings, sessions: async_sessionmaker[AsyncSession], redis: Redis
) -> ExecutionRuntime:
    """Build the exec plane's parts; connections open lazily on first use."""
    plans = PlanCache(
        sessions, keyring_from(settings.crypto), ttl_s=settings.execution.config_ttl_s
    )
    gate = PolicyGate(redis, gate_namespace(settings.redis.namespace))
    client = create_upstream_client(settings.upstream)
    network = NetworkPolicy.from_settings(settings.upstream)
    warnings = BudgetWarnings(sessions, Waker(redis, settings.redis.namespace))
    # The breaker's moves are posted to the workspace's status channel (ADR 0104).
    moved = breaker_statuses(redis, settings.redis.namespace)
    executor = Executor(
        plans, gate, client, network=network, budget_warning=warnings, breaker_moved=moved
    )
    return ExecutionRuntime(executor, plans, gate, client)
