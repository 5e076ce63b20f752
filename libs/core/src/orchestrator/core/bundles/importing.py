"""Import a bundle into a workspace: validated whole first, applied all-or-nothing,
upserting by name. Items equal to what is stored are left alone (no version bump, no
audit record), so re-importing a bundle, or an export, is a no-op.
Items missing from a bundle stay as they are, unless the import prunes: then the policies,
secret refs, connectors, workflows, schedules and webhook sources it does not list are
deleted (configs are kept: their versions are immutable history, which the runtime role
cannot delete). A bundle without a ``workflows``, ``schedules`` or ``webhook_sources``
member (one made before bundles carried them) leaves that kind alone, even when pruning.
A webhook source the bundle lists gets exactly the bindings it lists.

The steps live beside this module: ``bundle_stored`` reads the workspace, ``bundle_check``
validates, ``bundle_plan`` compares, ``bundle_prune`` deletes what is unlisted; this module
runs them in order and writes the changes.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.bundles.check import Checked, check_bundle
from orchestrator.core.bundles.check_webhooks import CheckedSource
from orchestrator.core.bundles.model import Bundle, BundleChange, ImportReport, item_input
from orchestrator.core.bundles.plan import binding_changes, plan_changes
from orchestrator.core.bundles.prune import (
    Pruned,
    delete_pruned,
    delete_pruned_sources,
    find_pruned,
)
from orchestrator.core.bundles.stored import Stored, read_stored
from orchestrator.core.configuration import (
    configs,
    connectors,
    policies,
    quotas,
    repository,
    secret_refs,
)
from orchestrator.core.configuration.mutation import Mutation
from orchestrator.core.schedules import service as schedules
from orchestrator.core.secrets.scope import RefScope
from orchestrator.core.upstream.ssrf import NetworkPolicy
from orchestrator.core.webhooks import service as webhooks
from orchestrator.core.webhooks.models import WebhookSource
from orchestrator.core.workflows import service as workflows


async def _apply(
    session: AsyncSession,
    m: Mutation,
    bundle: Bundle,
    checked: Checked,
    stored: Stored,
    changes: list[BundleChange],
    network: NetworkPolicy,
    ids: dict[str, uuid.UUID],
) -> None:
    """Write the planned changes; each write skips (unaudited) what is already as wanted.
    A webhook source missing from the workspace is created at its id in ``ids``, if any."""
    policy_ids = {name: row.id for name, row in stored.policies.items()}
    for name, spec in checked.specs.items():
        row, _ = await policies.write_policy(session, m, name, spec, stored.policies.get(name))
        policy_ids[name] = row.id
    for r in bundle.secret_refs:
        await secret_refs.write_secret_ref(session, m, r.name, r.ref, stored.refs.get(r.name))
    for c in bundle.connectors:
        policy_id = None if c.policy is None else policy_ids[c.policy]
        existing = stored.connectors.get(c.name)
        await connectors.write_connector(
            session, m, c.name, item_input(c, connectors.ConnectorInput), policy_id, existing
        )
    for item in bundle.configs:
        existing_config = stored.configs.get(item.name)
        await configs.write_config(session, m, item.name, item.document, existing_config)
    if checked.quota is not None and any(change.kind == "quota" for change in changes):
        await quotas.write_quota(session, m, checked.quota, stored.quota)
    # After the connectors they call, and before the schedules that start them; the single
    # writes check again, against the rows just written, and skip what is unchanged (so an
    # unchanged schedule keeps its next_run_at).
    for name, steps in checked.steps.items():
        if name in stored.workflows:
            await workflows.replace_workflow(session, m, name, steps)
        else:
            await workflows.create_workflow(session, m, name, steps)
    for name, data in checked.schedules.items():
        if name in stored.schedules:
            await schedules.replace_schedule(session, m, name, data, network)
        else:
            await schedules.create_schedule(session, m, name, data, network)
    # After the secret refs they verify with and the connectors their jobs run.
    for name, source in checked.sources.items():
        await _write_source(session, m, source, stored.sources.get(name), stored, ids, network)


def _kept_ids(
    bundle: Bundle, stored: Stored, tenant_id: uuid.UUID, pruned: Pruned
) -> dict[str, uuid.UUID]:
    """The ids a missing source is created at, by name: only from the workspace's own bundle
    (``tenant.id``; a version's, as activation marks it), and only ids no source it keeps
    holds (the pruned are deleted first); another workspace's bundle gets new ids, as the
    ids are unique across workspaces."""
    if bundle.tenant.id != tenant_id:
        return {}
    gone = set(pruned.webhook_sources)
    taken = {row.id for name, row in stored.sources.items() if name not in gone}
    return {
        s.name: s.id for s in bundle.webhook_sources or [] if s.id is not None and s.id not in taken
    }


async def _write_source(
    session: AsyncSession,
    m: Mutation,
    source: CheckedSource,
    existing: WebhookSource | None,
    stored: Stored,
    ids: dict[str, uuid.UUID],
    network: NetworkPolicy,
) -> None:
    """Create or replace (unaudited when unchanged) one source, then delete the bindings it
    no longer lists and create the new ones, through the single writes."""
    name = source.data.name
    if existing is None:
        row = await webhooks.create_source(session, m, source.data, ids.get(name))
    else:
        row = await webhooks.replace_source(session, m, existing.id, source.data)
    stale, new = binding_changes(stored.bindings.get(name, []), source.bindings)
    for binding in stale:
        await webhooks.delete_binding(session, m, row.id, binding.id)
    for data in new:
        await webhooks.create_binding(session, m, row.id, data, network)


async def import_bundle(
    session: AsyncSession,
    m: Mutation,
    bundle: Bundle,
    *,
    dry_run: bool,
    prune: bool = False,
    network: NetworkPolicy | None = None,
    refs: RefScope | None = None,
) -> ImportReport:
    """Validate every item (422 listing all errors), then apply the changes unless ``dry_run``.

    With ``prune`` the policies, secret refs, connectors, workflows, schedules and webhook
    sources the bundle does not list are deleted too (the last three only when it has that
    member): the webhook sources first (nothing names them), the rest after the upserts (so a
    connector moved off a policy no longer holds it), each before what it names; 409 when a
    webhook source still needs one, or a kept schedule starts a deleted workflow, writing
    nothing. ``network`` checks schedules' callback URLs, ``refs``
    what secret refs may reach (default: the process environment's policy and scope).
    """
    network = NetworkPolicy.from_env() if network is None else network
    refs = RefScope.from_env() if refs is None else refs
    await repository.lock_for_import(session, m.tenant_id)
    stored = await read_stored(session)
    checked = await check_bundle(
        session, bundle, stored, network, prune=prune, refs=refs, tenant_id=m.tenant_id
    )
    planned = plan_changes(bundle, checked, stored)
    changes = [change for change in planned if change is not None]
    pruned = await find_pruned(session, bundle, stored) if prune else Pruned([], [], [], [], [], [])
    deletes = pruned.changes(stored)
    if not dry_run:
        await delete_pruned_sources(session, m, pruned, stored)
        if changes:
            ids = _kept_ids(bundle, stored, m.tenant_id, pruned)
            await _apply(session, m, bundle, checked, stored, changes, network, ids)
        await delete_pruned(session, m, pruned)
    return ImportReport(
        dry_run=dry_run,
        changed=len(changes) + len(deletes),
        unchanged=len(planned) - len(changes),
        changes=changes + deletes,
    )
