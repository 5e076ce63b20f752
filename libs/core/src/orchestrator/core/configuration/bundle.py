"""Export a workspace's configuration as one bundle, and import one: validated whole first,
applied all-or-nothing, upserting by name. Items equal to what is stored are left alone
(no version bump, no audit record), so re-importing a bundle, or an export, is a no-op.
Items missing from a bundle stay as they are, unless the import prunes: then the policies,
secret refs and connectors it does not list are deleted (configs are kept: their versions
are immutable history, which the runtime role cannot delete).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.configuration import repository, service, views
from orchestrator.core.configuration.bundle_model import (
    Bundle,
    BundleChange,
    BundleConfig,
    BundleConnector,
    BundlePolicy,
    BundleSecretRef,
    BundleTenant,
    ImportReport,
    Kind,
)
from orchestrator.core.configuration.connector_checks import (
    bound_operation_errors,
    connector_errors,
)
from orchestrator.core.configuration.validation import (
    FieldErrors,
    at,
    name_errors,
    normalise_quota,
    normalise_spec,
    nul_errors,
    raise_if,
    ref_errors,
)
from orchestrator.core.models import (
    Config,
    ConfigVersion,
    Connector,
    Policy,
    SecretRef,
    TenantQuotaRow,
    Workspace,
)
from orchestrator.core.policy.model import TenantQuota


async def export_bundle(session: AsyncSession, workspace: Workspace) -> Bundle:
    """The workspace's configuration (secret refs without values), every list by name."""
    quota = views.quota_of(await repository.quota_row(session))
    return Bundle(
        tenant=BundleTenant(
            id=workspace.id,
            name=workspace.name,
            environment=workspace.environment,
            quotas=views.quota_content(quota),
        ),
        policies=[
            BundlePolicy(name=p.name, spec=p.spec) for p in await repository.list_policies(session)
        ],
        secret_refs=[
            BundleSecretRef(name=r.name, ref=r.ref)
            for r in await repository.list_secret_refs(session)
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
            for c, policy in await repository.list_connectors(session)
        ],
        configs=[
            BundleConfig(name=config.name, document=version.document)
            for config, version in await repository.active_configs(session)
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


async def _stored(session: AsyncSession) -> _Stored:
    # The connector rows are locked before the bindings are read: a binding created
    # meanwhile takes the same lock, so it is either read here or checked against the
    # imported connector.
    connectors = await repository.list_connectors(session, for_update=True)
    # Config rows are locked as activation and rollback lock them: a pointer moved
    # meanwhile would make the comparison, and the audit record's "before", stale.
    configs = await repository.active_configs(session, for_update=True)
    return _Stored(
        policies={p.name: p for p in await repository.list_policies(session)},
        refs={r.name: r for r in await repository.list_secret_refs(session)},
        connectors={c.name: (c, p) for c, p in connectors},
        configs={c.name: (c, v) for c, v in configs},
        quota=await repository.quota_row(session, for_update=True),
        bound=await repository.bound_operations(session),
    )


@dataclass(frozen=True)
class _Checked:
    """A bundle's normalised policy specs and quota (``None``: leave the quota alone)."""

    specs: dict[str, dict[str, Any]]
    quota: TenantQuota | None


def _check(bundle: Bundle, stored: _Stored, *, prune: bool) -> _Checked:
    """Every error of the bundle at once (422), or its normalised parts."""
    errors: FieldErrors = []
    for section, items in (
        ("policies", bundle.policies),
        ("secret_refs", bundle.secret_refs),
        ("connectors", bundle.connectors),
        ("configs", bundle.configs),
    ):
        _names(items, section, errors)
    specs: dict[str, dict[str, Any]] = {}
    for i, policy in enumerate(bundle.policies):
        spec, spec_errors = normalise_spec(policy.spec, at("", "policies", i, "spec"))
        errors.extend(spec_errors)
        if spec is not None:
            specs[policy.name] = spec
    for i, ref in enumerate(bundle.secret_refs):
        errors.extend(ref_errors(ref.ref, at("", "secret_refs", i, "ref")))
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
        if not connector_problems and connector.name in stored.bound:
            bound = stored.bound[connector.name]
            errors.extend(bound_operation_errors(connector.type, connector.config, bound, at=where))
        if connector.policy is not None and connector.policy not in known_policies:
            errors.append(
                {"key": at(where, "policy"), "message": f"no policy called `{connector.policy}`"}
            )
    raise_if(errors, f"The bundle has {len(errors)} error(s); nothing was imported.")
    return _Checked(specs=specs, quota=quota)


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
    ]
    if checked.quota is not None:
        # No row means unlimited: an export of a workspace that never set a quota says so,
        # and importing it back must not create a row.
        current = views.quota_content(views.quota_of(stored.quota))
        wanted = views.quota_content(checked.quota)
        before = None if stored.quota is None else current
        planned.append(None if current == wanted else _change("quota", "quota", before, wanted))
    return planned


@dataclass(frozen=True)
class _Pruned:
    """The stored items a pruning import deletes, by name (none when it does not prune)."""

    connectors: list[str]
    policies: list[str]
    refs: list[str]

    def changes(self, stored: _Stored) -> list[BundleChange]:
        """One ``delete`` change per item, in the order they are deleted."""
        removed: list[tuple[Kind, str, views.View]] = [
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


async def _prunable(session: AsyncSession, bundle: Bundle, stored: _Stored) -> _Pruned:
    """What a pruning import deletes; 409, as the single delete gives, when webhook sources
    (which no bundle lists) still need one of them."""
    pruned = _Pruned(
        connectors=sorted(stored.connectors.keys() - {c.name for c in bundle.connectors}),
        policies=sorted(stored.policies.keys() - {p.name for p in bundle.policies}),
        refs=sorted(stored.refs.keys() - {r.name for r in bundle.secret_refs}),
    )
    # Connectors and policies in the bundle name only what it brings (checked above), so
    # only webhook sources can hold on to what is pruned.
    for name in pruned.connectors:
        await service.refuse_if_webhook_sources_bind(session, name)
    for name in pruned.refs:
        await service.refuse_if_webhook_sources_use(session, name)
    return pruned


async def _prune(session: AsyncSession, m: service.Mutation, pruned: _Pruned) -> None:
    """Delete (audited, as the single deletes do) connectors before what they name."""
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


async def import_bundle(
    session: AsyncSession,
    m: service.Mutation,
    bundle: Bundle,
    *,
    dry_run: bool,
    prune: bool = False,
) -> ImportReport:
    """Validate every item (422 listing all errors), then apply the changes unless ``dry_run``.

    With ``prune`` the policies, secret refs and connectors the bundle does not list are
    deleted too, after the upserts (so a connector moved off a policy no longer holds it)
    and connectors first; 409 when a webhook source still needs one, writing nothing.
    """
    await repository.lock_for_import(session, m.tenant_id)
    stored = await _stored(session)
    checked = _check(bundle, stored, prune=prune)
    planned = _plan(bundle, checked, stored)
    changes = [change for change in planned if change is not None]
    pruned = await _prunable(session, bundle, stored) if prune else _Pruned([], [], [])
    deletes = pruned.changes(stored)
    if not dry_run:
        if changes:
            await _apply(session, m, bundle, checked, stored, changes)
        await _prune(session, m, pruned)
    return ImportReport(
        dry_run=dry_run,
        changed=len(changes) + len(deletes),
        unchanged=len(planned) - len(changes),
        changes=changes + deletes,
    )
