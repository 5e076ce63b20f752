"""Export a workspace's configuration as one bundle, and import one: validated whole first,
applied all-or-nothing, upserting by name. Items equal to what is stored are left alone
(no version bump, no audit record), so re-importing a bundle, or an export, is a no-op.
Items missing from a bundle stay as they are, unless the import prunes: then the policies,
secret refs, connectors, workflows and schedules it does not list are deleted (configs are
kept: their versions are immutable history, which the runtime role cannot delete). A bundle
without a ``workflows`` or ``schedules`` member (one made before bundles carried them)
leaves that kind alone, even when pruning.

Workflows are checked against the connectors as they will be after the import, and
schedules against those connectors and workflows, through the same checks as the single
writes (``workflows.service.steps_errors``, ``schedules.service.schedule_errors``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.configuration import repository, service, views
from orchestrator.core.configuration.bundle_model import (
    Bundle,
    BundleChange,
    BundleConfig,
    BundleConnector,
    BundlePolicy,
    BundleSchedule,
    BundleSecretRef,
    BundleTenant,
    BundleWorkflow,
    ImportReport,
    Kind,
)
from orchestrator.core.configuration.connector_checks import (
    bound_operation_errors,
    connector_errors,
)
from orchestrator.core.configuration.known import KnownNames
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
)
from orchestrator.core.connectors.registry import operations_of
from orchestrator.core.connectors.ssrf import NetworkPolicy
from orchestrator.core.errors import Conflict
from orchestrator.core.models import (
    Config,
    ConfigVersion,
    Connector,
    Policy,
    Schedule,
    SecretRef,
    TenantQuotaRow,
    Workflow,
    Workspace,
)
from orchestrator.core.policy.model import TenantQuota
from orchestrator.core.schedules import service as schedules
from orchestrator.core.secrets.scope import RefScope
from orchestrator.core.workflows import service as workflows
from orchestrator.core.workflows.definition import Step, steps_to_json


async def export_bundle(session: AsyncSession, workspace: Workspace) -> Bundle:
    """The workspace's configuration (secret refs without values), every list by name and
    whole: the repositories' lists, unpaged (``EVERY``), not the API's pages."""
    quota = views.quota_of(await repository.quota_row(session))
    return Bundle(
        tenant=BundleTenant(
            id=workspace.id,
            name=workspace.name,
            environment=workspace.environment,
            quotas=views.quota_content(quota),
        ),
        policies=[
            BundlePolicy(name=p.name, spec=p.spec)
            for p in (await repository.list_policies(session)).items
        ],
        secret_refs=[
            BundleSecretRef(name=r.name, ref=r.ref)
            for r in (await repository.list_secret_refs(session)).items
        ],
        connectors=[
            BundleConnector(
                name=c.name,
                type=c.type,
                config=c.config,
                policy=policy,
                secrets=c.secrets,
                enabled=c.enabled,
            )
            for c, policy in (await repository.list_connectors(session)).items
        ],
        configs=[
            BundleConfig(name=config.name, document=version.document)
            for config, version in await repository.active_configs(session)
        ],
        workflows=[
            BundleWorkflow(name=w.name, steps=w.steps)
            for w in (await workflows.list_workflows(session)).items
        ],
        schedules=[
            BundleSchedule(name=s.name, **asdict(schedules.content_of(s)))
            for s in (await schedules.list_schedules(session)).items
        ],
    )


def _names(items: Iterable[Any], section: str, errors: FieldErrors) -> None:
    """Check each item's name, and that no name appears twice in ``section``."""
    seen: set[str] = set()
    for i, item in enumerate(items):
        where = at("", section, i, "name")
        errors.extend(name_errors(item.name, where))
        if item.name in seen:
            errors.append({"key": where, "message": f"`{item.name}` appears twice in {section}"})
        seen.add(item.name)


def _change(
    kind: Kind, name: str, before: views.View | None, after: views.View
) -> BundleChange | None:
    if before == after:
        return None
    return BundleChange(
        kind=kind,
        name=name,
        action="create" if before is None else "update",
        fields=views.changed_fields(before, after),
    )


@dataclass(frozen=True)
class _Stored:
    """The workspace's configuration as stored, by name."""

    policies: dict[str, Policy]
    refs: dict[str, SecretRef]
    connectors: dict[str, tuple[Connector, str | None]]
    configs: dict[str, tuple[Config, ConfigVersion]]
    quota: TenantQuotaRow | None
    bound: repository.BoundOperations
    """The operations webhook bindings start, by connector: an import must keep them."""
    workflows: dict[str, Workflow]
    schedules: dict[str, Schedule]


async def _stored(session: AsyncSession) -> _Stored:
    # The connector rows are locked before the bindings are read: a binding created
    # meanwhile takes the same lock, so it is either read here or checked against the
    # imported connector.
    connectors = (await repository.list_connectors(session, for_update=True)).items
    # Config rows are locked as activation and rollback lock them: a pointer moved
    # meanwhile would make the comparison, and the audit record's "before", stale.
    configs = await repository.active_configs(session, for_update=True)
    return _Stored(
        policies={p.name: p for p in (await repository.list_policies(session)).items},
        refs={r.name: r for r in (await repository.list_secret_refs(session)).items},
        connectors={c.name: (c, p) for c, p in connectors},
        configs={c.name: (c, v) for c, v in configs},
        quota=await repository.quota_row(session, for_update=True),
        bound=await repository.bound_operations(session),
        workflows={w.name: w for w in (await workflows.list_workflows(session)).items},
        schedules={s.name: s for s in (await schedules.list_schedules(session)).items},
    )


@dataclass(frozen=True)
class _Checked:
    """A bundle's normalised policy specs, quota (``None``: leave the quota alone),
    workflow steps and schedules, by name."""

    specs: dict[str, dict[str, Any]]
    quota: TenantQuota | None
    steps: dict[str, list[Step]]
    schedules: dict[str, schedules.ScheduleInput]


def _under(prefix: str, errors: FieldErrors) -> FieldErrors:
    """``errors`` of one item, their keys moved under the item's pointer ``prefix``."""
    return [{**error, "key": prefix + error["key"]} for error in errors]


def _known(bundle: Bundle, stored: _Stored, valid: set[str], *, prune: bool) -> KnownNames:
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
        errors.extend(_under(where, await workflows.steps_errors(session, steps, known)))
        checked[workflow.name] = steps
    return checked, errors


def _schedule_input(item: BundleSchedule) -> schedules.ScheduleInput:
    return schedules.ScheduleInput(
        cron=item.cron,
        timezone=item.timezone,
        connector=item.connector,
        operation=item.operation,
        workflow=item.workflow,
        payload=item.payload,
        callback_url=item.callback_url,
        enabled=item.enabled,
    )


async def _schedule_errors(
    session: AsyncSession, bundle: Bundle, known: KnownNames, network: NetworkPolicy
) -> tuple[dict[str, schedules.ScheduleInput], FieldErrors]:
    """The bundle's schedules by name, and every error of them."""
    errors: FieldErrors = []
    checked: dict[str, schedules.ScheduleInput] = {}
    for i, item in enumerate(bundle.schedules or []):
        data = _schedule_input(item)
        found = await schedules.schedule_errors(session, data, network, known)
        errors.extend(_under(at("", "schedules", i), found))
        checked[item.name] = data
    return checked, errors


async def _check(
    session: AsyncSession,
    bundle: Bundle,
    stored: _Stored,
    network: NetworkPolicy,
    *,
    prune: bool,
    refs: RefScope,
    tenant_id: uuid.UUID,
) -> _Checked:
    """Every error of the bundle at once (422), or its normalised parts."""
    errors: FieldErrors = []
    for section, items in (
        ("policies", bundle.policies),
        ("secret_refs", bundle.secret_refs),
        ("connectors", bundle.connectors),
        ("configs", bundle.configs),
        ("workflows", bundle.workflows or []),
        ("schedules", bundle.schedules or []),
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
    for i, config in enumerate(bundle.configs):
        errors.extend(nul_errors(config.document, at("", "configs", i, "document")))
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
        storable = nul_errors({"config": connector.config, "secrets": connector.secrets}, where)
        if storable:
            errors.extend(storable)
            continue
        connector_problems = connector_errors(
            connector.type, connector.config, connector.secrets, at=where, known_refs=known_refs
        )
        errors.extend(connector_problems)
        if not connector_problems:
            valid.add(connector.name)
        if not connector_problems and connector.name in stored.bound:
            bound = stored.bound[connector.name]
            errors.extend(bound_operation_errors(connector.type, connector.config, bound, at=where))
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
    raise_if(errors, f"The bundle has {len(errors)} error(s); nothing was imported.")
    return _Checked(specs=specs, quota=quota, steps=steps, schedules=schedule_inputs)


def _connector_input(connector: BundleConnector) -> service.ConnectorInput:
    return service.ConnectorInput(
        type=connector.type,
        config=connector.config,
        policy=connector.policy,
        secrets=connector.secrets,
        enabled=connector.enabled,
    )


def _plan(bundle: Bundle, checked: _Checked, stored: _Stored) -> list[BundleChange | None]:
    """One entry per bundle item: what would change, or ``None`` when it is as stored."""
    planned = [
        *(
            _change(
                "policy",
                name,
                views.policy_content(stored.policies[name].spec)
                if name in stored.policies
                else None,
                views.policy_content(spec),
            )
            for name, spec in checked.specs.items()
        ),
        *(
            _change(
                "secret_ref",
                r.name,
                views.secret_ref_content(stored.refs[r.name].ref)
                if r.name in stored.refs
                else None,
                views.secret_ref_content(r.ref),
            )
            for r in bundle.secret_refs
        ),
        *(
            _change(
                "connector",
                c.name,
                views.connector_of(*stored.connectors[c.name])
                if c.name in stored.connectors
                else None,
                _connector_input(c).content(),
            )
            for c in bundle.connectors
        ),
        *(
            _change(
                "config",
                c.name,
                views.config_content(stored.configs[c.name][1].document)
                if c.name in stored.configs
                else None,
                views.config_content(c.document),
            )
            for c in bundle.configs
        ),
        *(
            _change(
                "workflow",
                name,
                _workflow_content(stored.workflows[name]) if name in stored.workflows else None,
                {"steps": steps_to_json(steps)},
            )
            for name, steps in checked.steps.items()
        ),
        *(
            _change(
                "schedule",
                name,
                _schedule_content(stored.schedules[name]) if name in stored.schedules else None,
                asdict(data),
            )
            for name, data in checked.schedules.items()
        ),
    ]
    if checked.quota is not None:
        # No row means unlimited: an export of a workspace that never set a quota says so,
        # and importing it back must not create a row.
        current = views.quota_content(views.quota_of(stored.quota))
        wanted = views.quota_content(checked.quota)
        before = None if stored.quota is None else current
        planned.append(None if current == wanted else _change("quota", "quota", before, wanted))
    return planned


def _workflow_content(row: Workflow) -> views.View:
    """What a workflow write sets."""
    return {"steps": row.steps}


def _schedule_content(row: Schedule) -> views.View:
    """What a schedule write sets."""
    return asdict(schedules.content_of(row))


@dataclass(frozen=True)
class _Pruned:
    """The stored items a pruning import deletes, by name (none when it does not prune)."""

    connectors: list[str]
    policies: list[str]
    refs: list[str]
    schedules: list[str]
    workflows: list[str]

    def changes(self, stored: _Stored) -> list[BundleChange]:
        """One ``delete`` change per item, in the order they are deleted."""
        removed: list[tuple[Kind, str, views.View]] = [
            *(("schedule", n, _schedule_content(stored.schedules[n])) for n in self.schedules),
            *(("workflow", n, _workflow_content(stored.workflows[n])) for n in self.workflows),
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


def _refuse_if_schedules_start(bundle: Bundle, stored: _Stored, pruned: list[str]) -> None:
    """409 when a schedule the import keeps starts a workflow it deletes (possible only
    when the bundle leaves schedules alone: its own may name only what it brings)."""
    kept = (
        {s.name: s.workflow for s in bundle.schedules}
        if bundle.schedules is not None
        else {name: row.workflow for name, row in stored.schedules.items()}
    )
    for name in pruned:
        if users := sorted(s for s, workflow in kept.items() if workflow == name):
            raise Conflict(
                f"Workflow `{name}` is started by schedules: {', '.join(users)}.",
                used_by_schedules=users,
            )


async def _prunable(session: AsyncSession, bundle: Bundle, stored: _Stored) -> _Pruned:
    """What a pruning import deletes; 409, as the single delete gives, when webhook sources
    (which no bundle lists) still need one of them, or a kept schedule a deleted workflow."""
    pruned = _Pruned(
        connectors=sorted(stored.connectors.keys() - {c.name for c in bundle.connectors}),
        policies=sorted(stored.policies.keys() - {p.name for p in bundle.policies}),
        refs=sorted(stored.refs.keys() - {r.name for r in bundle.secret_refs}),
        schedules=_unlisted(stored.schedules, bundle.schedules),
        workflows=_unlisted(stored.workflows, bundle.workflows),
    )
    _refuse_if_schedules_start(bundle, stored, pruned.workflows)
    # Connectors and policies in the bundle name only what it brings (checked above), so
    # only webhook sources can hold on to what is pruned.
    for name in pruned.connectors:
        await service.refuse_if_webhook_sources_bind(session, name)
    for name in pruned.refs:
        await service.refuse_if_webhook_sources_use(session, name)
    return pruned


async def _prune(session: AsyncSession, m: service.Mutation, pruned: _Pruned) -> None:
    """Delete (audited, as the single deletes do) each item before what it names:
    schedules, workflows, connectors, then policies and secret refs."""
    for name in pruned.schedules:
        await schedules.delete_schedule(session, m, name)
    for name in pruned.workflows:
        await workflows.delete_workflow(session, m, name)
    for name in pruned.connectors:
        await service.delete_connector(session, m, name)
    for name in pruned.policies:
        await service.delete_policy(session, m, name)
    for name in pruned.refs:
        await service.delete_secret_ref(session, m, name)


async def _apply(
    session: AsyncSession,
    m: service.Mutation,
    bundle: Bundle,
    checked: _Checked,
    stored: _Stored,
    changes: list[BundleChange],
    network: NetworkPolicy,
) -> None:
    """Write the planned changes; each write skips (unaudited) what is already as wanted."""
    policy_ids = {name: row.id for name, row in stored.policies.items()}
    for name, spec in checked.specs.items():
        row, _ = await service.write_policy(session, m, name, spec, stored.policies.get(name))
        policy_ids[name] = row.id
    for r in bundle.secret_refs:
        await service.write_secret_ref(session, m, r.name, r.ref, stored.refs.get(r.name))
    for c in bundle.connectors:
        policy_id = None if c.policy is None else policy_ids[c.policy]
        existing = stored.connectors.get(c.name)
        await service.write_connector(session, m, c.name, _connector_input(c), policy_id, existing)
    for item in bundle.configs:
        existing_config = stored.configs.get(item.name)
        await service.write_config(session, m, item.name, item.document, existing_config)
    if checked.quota is not None and any(change.kind == "quota" for change in changes):
        await service.write_quota(session, m, checked.quota, stored.quota)
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


async def import_bundle(
    session: AsyncSession,
    m: service.Mutation,
    bundle: Bundle,
    *,
    dry_run: bool,
    prune: bool = False,
    network: NetworkPolicy | None = None,
    refs: RefScope | None = None,
) -> ImportReport:
    """Validate every item (422 listing all errors), then apply the changes unless ``dry_run``.

    With ``prune`` the policies, secret refs, connectors, workflows and schedules the bundle
    does not list are deleted too (workflows and schedules only when it has that member),
    after the upserts (so a connector moved off a policy no longer holds it), each before
    what it names; 409 when a webhook source still needs one, or a kept schedule starts a
    deleted workflow, writing nothing. ``network`` checks schedules' callback URLs, ``refs``
    what secret refs may reach (default: the process environment's policy and scope).
    """
    network = NetworkPolicy.from_env() if network is None else network
    refs = RefScope.from_env() if refs is None else refs
    await repository.lock_for_import(session, m.tenant_id)
    stored = await _stored(session)
    checked = await _check(
        session, bundle, stored, network, prune=prune, refs=refs, tenant_id=m.tenant_id
    )
    planned = _plan(bundle, checked, stored)
    changes = [change for change in planned if change is not None]
    pruned = await _prunable(session, bundle, stored) if prune else _Pruned([], [], [], [], [])
    deletes = pruned.changes(stored)
    if not dry_run:
        if changes:
            await _apply(session, m, bundle, checked, stored, changes, network)
        await _prune(session, m, pruned)
    return ImportReport(
        dry_run=dry_run,
        changed=len(changes) + len(deletes),
        unchanged=len(planned) - len(changes),
        changes=changes + deletes,
    )
