"""Prune on import: delete the stored items a bundle does not list.

Policies, secret refs, connectors, workflows, schedules and webhook sources the bundle
leaves out are deleted (configs are kept: their versions are immutable history, which the
runtime role cannot delete); a bundle without a ``workflows``, ``schedules`` or
``webhook_sources`` member leaves that kind alone. Deletes go through the single deletes
(audited alike), each before what it names (webhook sources, with their bindings, first of
all: nothing names them), and are refused (409) when a webhook source the bundle leaves
alone, or a kept schedule, still needs the item.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.bundles.model import Bundle, BundleChange, Kind
from orchestrator.core.bundles.plan import schedule_content, source_content, workflow_content
from orchestrator.core.bundles.stored import Stored
from orchestrator.core.configuration import connectors, policies, secret_refs, views
from orchestrator.core.configuration.mutation import Mutation
from orchestrator.core.errors import refuse_if_used
from orchestrator.core.schedules import service as schedules
from orchestrator.core.webhooks import service as webhooks
from orchestrator.core.webhooks.service import source_input
from orchestrator.core.workflows import service as workflows


@dataclass(frozen=True)
class Pruned:
    """The stored items a pruning import deletes, by name (none when it does not prune)."""

    connectors: list[str]
    policies: list[str]
    refs: list[str]
    schedules: list[str]
    workflows: list[str]
    webhook_sources: list[str]

    def changes(self, stored: Stored) -> list[BundleChange]:
        """One ``delete`` change per item, in the order they are deleted."""
        removed: list[tuple[Kind, str, views.View]] = [
            *(
                ("webhook_source", n, source_content(source_input(stored.sources[n])))
                for n in self.webhook_sources
            ),
            *(("schedule", n, schedule_content(stored.schedules[n])) for n in self.schedules),
            *(("workflow", n, workflow_content(stored.workflows[n])) for n in self.workflows),
            *(("connector", n, views.connector_of(*stored.connectors[n])) for n in self.connectors),
            *(("policy", n, views.policy_content(stored.policies[n].spec)) for n in self.policies),
            *(("secret_ref", n, views.secret_ref_content(stored.refs[n].ref)) for n in self.refs),
        ]
        return [
            BundleChange(
                kind=kind, name=name, action="delete", fields=views.changed_fields(None, before)
            )
            for kind, name, before in removed
        ]


def _unlisted(stored: dict[str, Any], items: list[Any] | None) -> list[str]:
    """The stored names a pruning import deletes: none when the bundle leaves the kind out."""
    return [] if items is None else sorted(stored.keys() - {item.name for item in items})


def _refuse_if_schedules_start(bundle: Bundle, stored: Stored, pruned: list[str]) -> None:
    """409 when a schedule the import keeps starts a workflow it deletes (possible only
    when the bundle leaves schedules alone: its own may name only what it brings)."""
    kept = (
        {s.name: s.workflow for s in bundle.schedules}
        if bundle.schedules is not None
        else {name: row.workflow for name, row in stored.schedules.items()}
    )
    for name in pruned:
        users = sorted(s for s, workflow in kept.items() if workflow == name)
        refuse_if_used(
            users, f"Workflow `{name}` is started by schedules", member="used_by_schedules"
        )


async def find_pruned(session: AsyncSession, bundle: Bundle, stored: Stored) -> Pruned:
    """What a pruning import deletes; 409, as the single delete gives, when webhook sources
    (of a bundle that leaves them alone) still need one of them, or a kept schedule a
    deleted workflow."""
    pruned = Pruned(
        connectors=sorted(stored.connectors.keys() - {c.name for c in bundle.connectors}),
        policies=sorted(stored.policies.keys() - {p.name for p in bundle.policies}),
        refs=sorted(stored.refs.keys() - {r.name for r in bundle.secret_refs}),
        schedules=_unlisted(stored.schedules, bundle.schedules),
        workflows=_unlisted(stored.workflows, bundle.workflows),
        webhook_sources=_unlisted(stored.sources, bundle.webhook_sources),
    )
    _refuse_if_schedules_start(bundle, stored, pruned.workflows)
    if bundle.webhook_sources is not None:
        return pruned  # its sources name only what it brings (checked); the rest go
    # Connectors and policies in the bundle name only what it brings (checked above), so
    # only the webhook sources it leaves alone can hold on to what is pruned.
    for name in pruned.connectors:
        await connectors.refuse_if_webhook_sources_bind(session, name)
    for name in pruned.refs:
        await secret_refs.refuse_if_webhook_sources_use(session, name)
    return pruned


async def delete_pruned_sources(
    session: AsyncSession, m: Mutation, pruned: Pruned, stored: Stored
) -> None:
    """Delete (audited) the webhook sources pruned, with their bindings and routing claims,
    before anything is written: a source the bundle brings may take their claims, or (a
    rollback past a rename) the id of one of them."""
    for name in pruned.webhook_sources:
        await webhooks.delete_source(session, m, stored.sources[name].id)


async def delete_pruned(session: AsyncSession, m: Mutation, pruned: Pruned) -> None:
    """Delete (audited, as the single deletes do) each item before what it names:
    schedules, workflows, connectors, then policies and secret refs."""
    for name in pruned.schedules:
        await schedules.delete_schedule(session, m, name)
    for name in pruned.workflows:
        await workflows.delete_workflow(session, m, name)
    for name in pruned.connectors:
        await connectors.delete_connector(session, m, name)
    for name in pruned.policies:
        await policies.delete_policy(session, m, name)
    for name in pruned.refs:
        await secret_refs.delete_secret_ref(session, m, name)
