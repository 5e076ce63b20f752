"""Check a bundle whole before anything is written: every error at once (422), or its
normalised parts.

References resolve against what is stored and what the bundle brings (only what it brings
when the import prunes). Workflows are checked against the connectors as they will be
after the import, schedules against those connectors and workflows, and webhook sources
against those secret refs and connectors, through the same checks as the single writes
(``workflows.service.steps_errors``, ``schedules.service.schedule_errors``,
``bundle_check_webhooks``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.bundles.check_webhooks import (
    CheckedSource,
    bound_after,
    webhook_source_errors,
)
from orchestrator.core.bundles.model import Bundle, item_input
from orchestrator.core.bundles.stored import Stored
from orchestrator.core.configuration.connector_checks import (
    bound_operation_errors,
    connector_errors,
)
from orchestrator.core.configuration.validation import (
    FieldErrors,
    at,
    convert,
    name_errors,
    normalise_quota,
    normalise_spec,
    nul_errors,
    raise_if,
    ref_errors,
    under,
)
from orchestrator.core.connectors.registry import operations_of
from orchestrator.core.policy.model import TenantQuota
from orchestrator.core.schedules import service as schedules
from orchestrator.core.secrets.scope import RefScope
from orchestrator.core.upstream.ssrf import NetworkPolicy
from orchestrator.core.workflows import service as workflows
from orchestrator.core.workflows.definition import Step
from orchestrator.core.workflows.known import KnownNames


def _names(items: Iterable[Any], section: str, errors: FieldErrors) -> None:
    """Check each item's name, and that no name appears twice in ``section``."""
    seen: set[str] = set()
    for i, item in enumerate(items):
        where = at("", section, i, "name")
        errors.extend(name_errors(item.name, where))
        if item.name in seen:
            errors.append({"key": where, "message": f"`{item.name}` appears twice in {section}"})
        seen.add(item.name)


@dataclass(frozen=True)
class Checked:
    """A bundle's normalised policy specs, quota (``None``: leave the quota alone),
    workflow steps, schedules and webhook sources, by name."""

    specs: dict[str, dict[str, Any]]
    quota: TenantQuota | None
    steps: dict[str, list[Step]]
    schedules: dict[str, schedules.ScheduleInput]
    sources: dict[str, CheckedSource]


def _known(bundle: Bundle, stored: Stored, valid: set[str], *, prune: bool) -> KnownNames:
    """What steps and schedules may name once the bundle is imported: its valid connectors
    and its workflows, and (unless pruned away) the workspace's others."""
    known = KnownNames()
    for connector in bundle.connectors:
        if connector.name in valid:
            known.connectors[connector.name] = operations_of(connector.type, connector.config)
    if bundle.workflows is not None:
        known.workflows.update((w.name, True) for w in bundle.workflows)
    if prune:
        listed = {c.name for c in bundle.connectors}
        known.connectors.update((name, None) for name in stored.connectors.keys() - listed)
        if bundle.workflows is not None:
            kept = {w.name for w in bundle.workflows}
            known.workflows.update((name, False) for name in stored.workflows.keys() - kept)
    return known


async def _workflow_errors(
    session: AsyncSession, bundle: Bundle, known: KnownNames
) -> tuple[dict[str, list[Step]], FieldErrors]:
    """The bundle's workflows' steps by name, and every error of them."""
    errors: FieldErrors = []
    checked: dict[str, list[Step]] = {}
    for i, workflow in enumerate(bundle.workflows or []):
        where = at("", "workflows", i)
        steps, shape_errors = convert(workflow.steps, list[Step], at(where, "steps"))
        errors.extend(shape_errors)
        if steps is None:
            continue
        for j, step in enumerate(steps):
            # Step names are resource names in the API too (``Name``).
            errors.extend(name_errors(step.name, at(where, "steps", j, "name")))
        errors.extend(under(where, await workflows.steps_errors(session, steps, known)))
        checked[workflow.name] = steps
    return checked, errors


async def _schedule_errors(
    session: AsyncSession, bundle: Bundle, known: KnownNames, network: NetworkPolicy
) -> tuple[dict[str, schedules.ScheduleInput], FieldErrors]:
    """The bundle's schedules by name, and every error of them."""
    errors: FieldErrors = []
    checked: dict[str, schedules.ScheduleInput] = {}
    for i, item in enumerate(bundle.schedules or []):
        data = item_input(item, schedules.ScheduleInput)
        found = await schedules.schedule_errors(session, data, network, known)
        errors.extend(under(at("", "schedules", i), found))
        checked[item.name] = data
    return checked, errors


async def check_bundle(
    session: AsyncSession,
    bundle: Bundle,
    stored: Stored,
    network: NetworkPolicy,
    *,
    prune: bool,
    refs: RefScope,
    tenant_id: uuid.UUID,
) -> Checked:
    """Every error of the bundle at once (422), or its normalised parts."""
    # Before anything reaches a query: PostgreSQL's text cannot hold U+0000.
    raise_if(
        nul_errors(msgspec.to_builtins(bundle), ""),
        "The bundle holds U+0000, which cannot be stored; nothing was imported.",
    )
    errors: FieldErrors = []
    for section, items in (
        ("policies", bundle.policies),
        ("secret_refs", bundle.secret_refs),
        ("connectors", bundle.connectors),
        ("configs", bundle.configs),
        ("workflows", bundle.workflows or []),
        ("schedules", bundle.schedules or []),
        ("webhook_sources", bundle.webhook_sources or []),
    ):
        _names(items, section, errors)
    specs: dict[str, dict[str, Any]] = {}
    for i, policy in enumerate(bundle.policies):
        spec, spec_errors = normalise_spec(policy.spec, at("", "policies", i, "spec"))
        errors.extend(spec_errors)
        if spec is not None:
            specs[policy.name] = spec
    for i, ref in enumerate(bundle.secret_refs):
        errors.extend(ref_errors(ref.ref, at("", "secret_refs", i, "ref"), refs, tenant_id))
    quota: TenantQuota | None = None
    if bundle.tenant.quotas is not None:
        quota, quota_errors = normalise_quota(bundle.tenant.quotas, "/tenant/quotas")
        errors.extend(quota_errors)

    # References resolve against what is stored and what the bundle brings; a pruning
    # import keeps only what the bundle brings.
    known_policies = {p.name for p in bundle.policies}
    known_refs = {r.name for r in bundle.secret_refs}
    if not prune:
        known_policies |= stored.policies.keys()
        known_refs |= stored.refs.keys()
    valid: set[str] = set()
    for i, connector in enumerate(bundle.connectors):
        where = at("", "connectors", i)
        connector_problems = connector_errors(
            connector.type, connector.config, connector.secrets, at=where, known_refs=known_refs
        )
        errors.extend(connector_problems)
        if not connector_problems:
            valid.add(connector.name)
        if connector.policy is not None and connector.policy not in known_policies:
            errors.append(
                {"key": at(where, "policy"), "message": f"no policy called `{connector.policy}`"}
            )
    # Workflows, then schedules (which may start them), resolved the same way.
    known = _known(bundle, stored, valid, prune=prune)
    steps, workflow_errors = await _workflow_errors(session, bundle, known)
    errors.extend(workflow_errors)
    schedule_inputs, schedule_errors = await _schedule_errors(session, bundle, known, network)
    errors.extend(schedule_errors)
    sources, source_errors = await webhook_source_errors(
        session, bundle, known_refs, known, network
    )
    errors.extend(source_errors)
    # A replaced connector keeps the operations of the bindings the bundle does not carry.
    bound = bound_after(bundle, stored, prune=prune)
    for i, connector in enumerate(bundle.connectors):
        if connector.name in valid and connector.name in bound:
            where = at("", "connectors", i)
            found = bound_operation_errors(
                connector.type, connector.config, bound[connector.name], at=where
            )
            errors.extend(found)
    raise_if(errors, f"The bundle has {len(errors)} error(s); nothing was imported.")
    return Checked(
        specs=specs, quota=quota, steps=steps, schedules=schedule_inputs, sources=sources
    )
