"""Business rules of the configuration area: validation, change detection and audit.

Every write takes a ``Mutation`` (tenant, actor, reason) and runs in the caller's
tenant-scoped transaction; services never commit. A write whose content equals
what is stored changes nothing: no version bump, no audit record.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core import audit
from orchestrator.core.configuration import repository, views
from orchestrator.core.configuration.connector_checks import (
    bound_operation_errors,
    connector_errors,
)
from orchestrator.core.configuration.validation import (
    normalise_spec,
    nul_errors,
    raise_if,
    ref_errors,
)
from orchestrator.core.db.base import utcnow
from orchestrator.core.errors import Conflict, NotFound, ValidationFailed
from orchestrator.core.models import (
    Config,
    ConfigVersion,
    Connector,
    Policy,
    SecretRef,
    TenantQuotaRow,
)
from orchestrator.core.policy.model import TenantQuota
from orchestrator.core.secrets.keyring import KeyRing
from orchestrator.core.secrets.refs import DB_REF
from orchestrator.core.secrets.scope import RefScope
from orchestrator.core.secrets.sealing import seal_value

Action = Literal["create", "update"]
UNIQUE_OR_FOREIGN_KEY = frozenset({"23505", "23503"})


@dataclass(frozen=True)
class Mutation:
    """Who changes which workspace, and why (every write is audited with it)."""

    tenant_id: uuid.UUID
    actor: str
    reason: str


async def flush_or_conflict(session: AsyncSession, what: str) -> None:
    """Flush the session; 409 when a concurrent writer took the name or removed a reference."""
    try:
        await session.flush()
    except IntegrityError as exc:
        # A unique or foreign key violation: a concurrent writer got there first.
        if getattr(exc.orig, "sqlstate", None) in UNIQUE_OR_FOREIGN_KEY:
            raise Conflict(f"A concurrent change to {what} won; read it again and retry.") from exc
        raise


async def audit_change(
    session: AsyncSession,
    m: Mutation,
    action: str,
    target: str,
    before: views.View | None,
    after: views.View | None,
) -> None:
    """Record the change in the audit trail, with who made it and why."""
    await audit.record(
        session,
        tenant_id=m.tenant_id,
        actor=m.actor,
        action=action,
        target=target,
        reason=m.reason,
        before=before,
        after=after,
    )


# Policies.


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


# Secret refs.


async def write_secret_ref(
    session: AsyncSession, m: Mutation, name: str, ref: str, existing: SecretRef | None
) -> tuple[SecretRef, Action | None]:
    """Create or update a secret ref; moving away from ``db://`` drops the stored value."""
    if existing is None:
        row = SecretRef(id=uuid.uuid4(), tenant_id=m.tenant_id, name=name, ref=ref, version=1)
        session.add(row)
        await flush_or_conflict(session, f"secret ref `{name}`")
        await audit_change(
            session, m, "secret_ref.create", f"secret_ref:{name}", None, views.secret_ref_view(row)
        )
        return row, "create"
    if existing.ref == ref:
        return existing, None
    before = views.secret_ref_view(existing)
    existing.ref, existing.version, existing.updated_at = ref, existing.version + 1, utcnow()
    if ref != DB_REF:
        existing.sealed_value = None
    await flush_or_conflict(session, f"secret ref `{name}`")
    await audit_change(
        session,
        m,
        "secret_ref.update",
        f"secret_ref:{name}",
        before,
        views.secret_ref_view(existing),
    )
    return existing, "update"


async def get_secret_ref(session: AsyncSession, name: str) -> SecretRef:
    """A secret ref by name, or 404."""
    row = await repository.secret_ref_by_name(session, name)
    if row is None:
        raise NotFound(f"No secret ref called `{name}` in this workspace.")
    return row


async def create_secret_ref(
    session: AsyncSession, m: Mutation, name: str, ref: str, scope: RefScope | None = None
) -> SecretRef:
    """A new secret ref; 422 on bad syntax or a target outside ``scope`` (default: the
    process environment's), 409 when the name is taken."""
    _check_ref(m, ref, scope)
    if await repository.secret_ref_by_name(session, name) is not None:
        raise Conflict(f"A secret ref called `{name}` exists; replace it with PUT.")
    return (await write_secret_ref(session, m, name, ref, None))[0]


def _check_ref(m: Mutation, ref: str, scope: RefScope | None) -> None:
    scope = RefScope.from_env() if scope is None else scope
    if errors := ref_errors(ref, "/ref", scope, m.tenant_id):
        raise_if(errors, f"The secret ref is not valid: {errors[0]['message']}.")


async def replace_secret_ref(
    session: AsyncSession, m: Mutation, name: str, ref: str, scope: RefScope | None = None
) -> SecretRef:
    """Point a secret ref elsewhere (version +1 when it differs); 422 as on create."""
    _check_ref(m, ref, scope)
    row = await repository.secret_ref_by_name(session, name, for_update=True)
    if row is None:
        raise NotFound(f"No secret ref called `{name}` in this workspace.")
    return (await write_secret_ref(session, m, name, ref, row))[0]


async def refuse_if_webhook_sources_use(session: AsyncSession, name: str) -> None:
    """409 when webhook sources verify with secret ref ``name`` (so it cannot be deleted)."""
    if sources := await repository.webhook_sources_using_secret_ref(session, name):
        raise Conflict(
            f"Secret ref `{name}` verifies webhook sources: {', '.join(sources)}.",
            used_by_webhook_sources=sources,
        )


async def delete_secret_ref(session: AsyncSession, m: Mutation, name: str) -> None:
    """Delete a secret ref no connector maps a secret to (its value goes with it)."""
    row = await repository.secret_ref_by_name(session, name, for_update=True)
    if row is None:
        raise NotFound(f"No secret ref called `{name}` in this workspace.")
    if users := await repository.connectors_using_secret_ref(session, name):
        raise Conflict(
            f"Secret ref `{name}` is used by connectors: {', '.join(users)}.", used_by=users
        )
    await refuse_if_webhook_sources_use(session, name)
    before = views.secret_ref_view(row)
    await session.delete(row)
    await flush_or_conflict(session, f"secret ref `{name}`")
    await audit_change(session, m, "secret_ref.delete", f"secret_ref:{name}", before, None)


async def set_secret_value(
    session: AsyncSession, m: Mutation, keys: KeyRing, name: str, value: str
) -> SecretRef:
    """Seal and store the value of a ``db://`` ref; the audit record says only that it changed."""
    row = await repository.secret_ref_by_name(session, name, for_update=True)
    if row is None:
        raise NotFound(f"No secret ref called `{name}` in this workspace.")
    if row.ref != DB_REF:
        raise Conflict(
            f"Secret ref `{name}` is `{row.ref}`; only a db:// ref stores its value here."
        )
    before = views.secret_ref_view(row)
    row.sealed_value = seal_value(keys, tenant_id=row.tenant_id, ref_id=row.id, value=value)
    row.version, row.updated_at = row.version + 1, utcnow()
    await flush_or_conflict(session, f"secret ref `{name}`")
    await audit_change(
        session, m, "secret_ref.set_value", f"secret_ref:{name}", before, views.secret_ref_view(row)
    )
    return row


# Connectors.


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


async def write_connector(
    session: AsyncSession,
    m: Mutation,
    name: str,
    data: ConnectorInput,
    policy_id: uuid.UUID | None,
    existing: tuple[Connector, str | None] | None,
) -> tuple[Connector, Action | None]:
    """Create or update a validated connector; ``None`` when nothing changed."""
    if existing is None:
        row = Connector(
            id=uuid.uuid4(),
            tenant_id=m.tenant_id,
            name=name,
            type=data.type,
            config=data.config,
            policy_id=policy_id,
            secrets=data.secrets,
            enabled=data.enabled,
            version=1,
        )
        session.add(row)
        await flush_or_conflict(session, f"connector `{name}`")
        after = views.connector_view(row, data.policy)
        await audit_change(session, m, "connector.create", f"connector:{name}", None, after)
        return row, "create"
    row, policy = existing
    if views.connector_of(row, policy) == data.content():
        return row, None
    before = views.connector_view(row, policy)
    row.type, row.config, row.policy_id = data.type, data.config, policy_id
    row.secrets, row.enabled = data.secrets, data.enabled
    row.version, row.updated_at = row.version + 1, utcnow()
    await flush_or_conflict(session, f"connector `{name}`")
    after = views.connector_view(row, data.policy)
    await audit_change(session, m, "connector.update", f"connector:{name}", before, after)
    return row, "update"


async def _checked_policy_id(session: AsyncSession, data: ConnectorInput) -> uuid.UUID | None:
    """Validate a connector against its type and this workspace; its policy's id."""
    storable = nul_errors({"config": data.config, "secrets": data.secrets}, "")
    raise_if(storable, "The connector is not valid.")
    known = await repository.existing_secret_ref_names(session, set(data.secrets.values()))
    errors = connector_errors(data.type, data.config, data.secrets, at="", known_refs=known)
    policy_id = None
    if data.policy is not None:
        policy = await repository.policy_by_name(session, data.policy)
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
        raise NotFound(f"No connector called `{name}` in this workspace.")
    return found


async def create_connector(
    session: AsyncSession, m: Mutation, name: str, data: ConnectorInput
) -> Connector:
    """A new connector; 422 when its type, config, policy or secrets do not check out."""
    policy_id = await _checked_policy_id(session, data)
    if await repository.connector_by_name(session, name) is not None:
        raise Conflict(f"A connector called `{name}` exists; replace it with PUT.")
    return (await write_connector(session, m, name, data, policy_id, None))[0]


async def replace_connector(
    session: AsyncSession, m: Mutation, name: str, data: ConnectorInput
) -> Connector:
    """Replace a connector (version +1 when it differs); 422 when it would drop an
    operation a webhook binding starts."""
    existing = await repository.connector_by_name(session, name, for_update=True)
    if existing is None:
        raise NotFound(f"No connector called `{name}` in this workspace.")
    policy_id = await _checked_policy_id(session, data)
    # Under the row lock taken above, which a new binding takes too: none slips in.
    bound = (await repository.bound_operations(session, name)).get(name, {})
    errors = bound_operation_errors(data.type, data.config, bound, at="")
    raise_if(errors, "The connector is not valid.")
    return (await write_connector(session, m, name, data, policy_id, existing))[0]


async def refuse_if_webhook_sources_bind(session: AsyncSession, name: str) -> None:
    """409 when webhook bindings start jobs of connector ``name`` (so it cannot be deleted)."""
    if sources := await repository.webhook_sources_binding_connector(session, name):
        raise Conflict(
            f"Connector `{name}` is bound to events of webhook sources: {', '.join(sources)}.",
            used_by_webhook_sources=sources,
        )


async def delete_connector(session: AsyncSession, m: Mutation, name: str) -> None:
    """Delete a connector no webhook binding starts jobs of."""
    existing = await repository.connector_by_name(session, name, for_update=True)
    if existing is None:
        raise NotFound(f"No connector called `{name}` in this workspace.")
    await refuse_if_webhook_sources_bind(session, name)
    row, policy = existing
    before = views.connector_view(row, policy)
    await session.delete(row)
    await flush_or_conflict(session, f"connector `{name}`")
    await audit_change(session, m, "connector.delete", f"connector:{name}", before, None)


# Configs.


async def write_config(
    session: AsyncSession,
    m: Mutation,
    name: str,
    document: dict[str, Any],
    existing: tuple[Config, ConfigVersion] | None,
) -> tuple[Config, ConfigVersion, Action | None]:
    """Store ``document`` as a new active version, unless it equals the active one.

    Only the active version is compared: a document equal to an older (inactive) version
    becomes a new version all the same, so numbers are never reused and the newest
    version written is the one active. Re-activating an old version is ``activate_config``.
    """
    if existing is None:
        config = Config(
            id=uuid.uuid4(), tenant_id=m.tenant_id, name=name, active_version=1, latest_version=1
        )
        session.add(config)
        await flush_or_conflict(session, f"config `{name}`")
        before = None
        number = 1
    else:
        config, active = existing
        if active.document == document:
            return config, active, None
        before = views.config_view(name, active)
        number = config.latest_version + 1
        config.active_version = config.latest_version = number
        config.updated_at = utcnow()
    version = ConfigVersion(
        id=uuid.uuid4(),
        tenant_id=m.tenant_id,
        config_id=config.id,
        version=number,
        document=document,
        created_by=m.actor,
    )
    session.add(version)
    await flush_or_conflict(session, f"config `{name}`")
    action: Action = "create" if existing is None else "update"
    after = views.config_view(name, version)
    await audit_change(session, m, f"config.{action}", f"config:{name}", before, after)
    return config, version, action


async def get_config(session: AsyncSession, name: str) -> tuple[Config, ConfigVersion]:
    """A config and its active version, or 404."""
    found = await repository.config_by_name(session, name)
    if found is None:
        raise NotFound(f"No config called `{name}` in this workspace.")
    return found


async def put_config(
    session: AsyncSession, m: Mutation, name: str, document: dict[str, Any]
) -> tuple[Config, ConfigVersion]:
    """Make ``document`` the active version of config ``name`` (created if missing)."""
    raise_if(nul_errors(document, "/document"), "The config document is not valid.")
    existing = await repository.config_by_name(session, name, for_update=True)
    config, version, _ = await write_config(session, m, name, document, existing)
    return config, version


async def _move_config_pointer(
    session: AsyncSession,
    m: Mutation,
    action: str,
    current: tuple[Config, ConfigVersion],
    target: ConfigVersion,
) -> tuple[Config, ConfigVersion]:
    """Make ``target`` the active version and audit the move (versions never change)."""
    config, active = current
    before = views.config_view(config.name, active)
    config.active_version, config.updated_at = target.version, utcnow()
    await flush_or_conflict(session, f"config `{config.name}`")
    after = views.config_view(config.name, target)
    await audit_change(session, m, action, f"config:{config.name}", before, after)
    return config, target


def _check_expected(config: Config, expected_active_version: int | None) -> None:
    """Compare-and-set: 409 when the pointer is no longer where the client last saw it."""
    if expected_active_version is not None and expected_active_version != config.active_version:
        raise Conflict(
            f"Config `{config.name}` has version {config.active_version} active, "
            f"not {expected_active_version}; read it again and retry.",
            active_version=config.active_version,
        )


async def _locked_config(session: AsyncSession, name: str) -> tuple[Config, ConfigVersion]:
    found = await repository.config_by_name(session, name, for_update=True)
    if found is None:
        raise NotFound(f"No config called `{name}` in this workspace.")
    return found


async def activate_config(
    session: AsyncSession,
    m: Mutation,
    name: str,
    version: int,
    expected_active_version: int | None = None,
) -> tuple[Config, ConfigVersion]:
    """Point config ``name`` at its existing ``version``.

    404 for an unknown config, 422 (at ``/version``) for an unknown version, 409 when
    ``expected_active_version`` is given and no longer active. Activating the version
    already active changes nothing and is not audited, whatever ``expected_active_version``
    says: the state asked for holds, so a retried activation is safe.
    """
    current = await _locked_config(session, name)
    config = current[0]
    if version == config.active_version:
        return current
    found = await repository.config_version(session, name, version)
    if found is None:
        message = f"config `{name}` has no version {version} (latest: {config.latest_version})"
        raise ValidationFailed(
            f"Config `{name}` has no version {version}.",
            errors=[{"key": "/version", "message": message}],
        )
    _check_expected(config, expected_active_version)
    return await _move_config_pointer(session, m, "config.activate", current, found[1])


async def previous_active_version(session: AsyncSession, config: Config) -> int | None:
    """The version active before the current one, if any.

    Every pointer move (create, update, activate, rollback) is audited with the version
    it left, so the last move names it; a rollback is itself a move, so a second rollback
    undoes the first (as ``kubectl rollout undo`` does). Without a matching record (rows
    written around the API), the version below the active one.
    """
    move = await repository.last_config_move(session, config.name)
    if move is not None and move[1] == config.active_version:
        before = move[0]
        valid = before is not None and 1 <= before <= config.latest_version
        return before if valid and before != config.active_version else None
    return config.active_version - 1 if config.active_version > 1 else None


async def rollback_config(
    session: AsyncSession, m: Mutation, name: str, expected_active_version: int | None = None
) -> tuple[Config, ConfigVersion]:
    """Re-activate the version that was active before the current one.

    404 for an unknown config; 409 when there is no earlier version, or when
    ``expected_active_version`` is given and no longer active.
    """
    current = await _locked_config(session, name)
    config, _ = current
    _check_expected(config, expected_active_version)
    previous = await previous_active_version(session, config)
    found = None if previous is None else await repository.config_version(session, name, previous)
    if found is None:
        raise Conflict(
            f"Config `{name}` has no earlier active version to roll back to.",
            active_version=config.active_version,
        )
    return await _move_config_pointer(session, m, "config.rollback", current, found[1])


# Quotas.


async def write_quota(
    session: AsyncSession, m: Mutation, quota: TenantQuota, existing: TenantQuotaRow | None
) -> tuple[TenantQuotaRow, Action | None]:
    """Set the tenant's quota; ``None`` when it already was this."""
    if existing is None:
        row = TenantQuotaRow(tenant_id=m.tenant_id, **views.quota_content(quota), version=1)
        session.add(row)
        await flush_or_conflict(session, "the quota")
        await audit_change(session, m, "quota.create", "quota", None, views.quota_view(row))
        return row, "create"
    if views.quota_of(existing) == quota:
        return existing, None
    before = views.quota_view(existing)
    for name, value in views.quota_content(quota).items():
        setattr(existing, name, value)
    existing.version, existing.updated_at = existing.version + 1, utcnow()
    await flush_or_conflict(session, "the quota")
    await audit_change(session, m, "quota.update", "quota", before, views.quota_view(existing))
    return existing, "update"


async def put_quota(session: AsyncSession, m: Mutation, quota: TenantQuota) -> TenantQuotaRow:
    """Set the tenant's quota (version +1 when it differs)."""
    existing = await repository.quota_row(session, for_update=True)
    return (await write_quota(session, m, quota, existing))[0]
