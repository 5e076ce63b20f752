"""The workspace's configuration as an import finds it: every kind by name, rows locked.

Read once, under the import's lock, and shared by the check, the plan, the prune and the
writes of one import, so all of them compare against the same state.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.configuration import repository
from orchestrator.core.configuration.models import Config, ConfigVersion, Policy, TenantQuotaRow
from orchestrator.core.connectors.models import Connector
from orchestrator.core.db.pages import EVERY
from orchestrator.core.models import SecretRef
from orchestrator.core.schedules import service as schedules
from orchestrator.core.schedules.models import Schedule
from orchestrator.core.webhooks import repository as webhooks
from orchestrator.core.webhooks import usage
from orchestrator.core.webhooks.models import WebhookBinding, WebhookSource
from orchestrator.core.workflows import service as workflows
from orchestrator.core.workflows.models import Workflow


@dataclass(frozen=True)
class Stored:
    """The workspace's configuration as stored, by name."""

    policies: dict[str, Policy]
    refs: dict[str, SecretRef]
    connectors: dict[str, tuple[Connector, str | None]]
    configs: dict[str, tuple[Config, ConfigVersion]]
    quota: TenantQuotaRow | None
    bound: usage.BoundOperations
    """The operations webhook bindings start, by connector: an import must keep them."""
    workflows: dict[str, Workflow]
    schedules: dict[str, Schedule]
    sources: dict[str, WebhookSource]
    bindings: dict[str, list[WebhookBinding]]
    """Each webhook source's bindings, by the source's name (oldest first)."""


async def read_stored(session: AsyncSession) -> Stored:
    """Every kind as stored, connector, config and quota rows locked for the import."""
    # The connector rows are locked before the bindings are read: a binding created
    # meanwhile takes the same lock, so it is either read here or checked against the
    # imported connector.
    connectors = (await repository.list_connectors(session, for_update=True)).items
    # Config rows are locked as activation and rollback lock them: a pointer moved
    # meanwhile would make the comparison, and the audit record's "before", stale.
    configs = await repository.active_configs(session, for_update=True)
    sources = (await webhooks.SOURCES.list(session, EVERY)).items
    bindings = await webhooks.bindings_by_source(session)
    return Stored(
        policies={p.name: p for p in (await repository.list_policies(session)).items},
        refs={r.name: r for r in (await repository.list_secret_refs(session)).items},
        connectors={c.name: (c, p) for c, p in connectors},
        configs={c.name: (c, v) for c, v in configs},
        quota=await repository.quota_row(session, for_update=True),
        bound=await usage.bound_operations(session),
        workflows={w.name: w for w in (await workflows.list_workflows(session)).items},
        schedules={s.name: s for s in (await schedules.list_schedules(session)).items},
        sources={source.name: source for source in sources},
        bindings={source.name: bindings.get(source.id, []) for source in sources},
    )
