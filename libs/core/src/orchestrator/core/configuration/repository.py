"""Queries of the configuration area; every one runs under the session's tenant (RLS)."""

from __future__ import annotations

import uuid

import msgspec
from sqlalchemy import Select, and_, func, literal_column, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.configuration.models import Config, ConfigVersion, Policy, TenantQuotaRow
from orchestrator.core.connectors.public import Connector
from orchestrator.core.db.pages import EVERY, Keyset, Page, PageRequest
from orchestrator.core.db.repository import Repository
from orchestrator.core.models import AuditLog, SecretRef
from orchestrator.core.policy.model import PolicySpec, TenantQuota

DEFAULT_POLICY = PolicySpec()

_POLICY_OF_CONNECTOR = and_(
    Policy.id == Connector.policy_id, Policy.tenant_id == Connector.tenant_id
)


# Hot path of the exec plane: one query each.


async def connector_with_policy(
    session: AsyncSession, name: str
) -> tuple[Connector, PolicySpec] | None:
    """The connector called ``name`` and its policy (``PolicySpec()`` when it has none)."""
    row = (
        await session.execute(
            select(Connector, Policy.spec)
            .outerjoin(Policy, _POLICY_OF_CONNECTOR)
            .where(Connector.name == name)
        )
    ).one_or_none()
    if row is None:
        return None
    connector, spec = row
    return connector, DEFAULT_POLICY if spec is None else msgspec.convert(spec, PolicySpec)


async def tenant_quota(session: AsyncSession) -> TenantQuota:
    """The tenant's quota; unlimited when none was set."""
    columns = [getattr(TenantQuotaRow, name) for name in TenantQuota.__struct_fields__]
    row = (await session.execute(select(*columns))).one_or_none()
    if row is None:
        return TenantQuota()
    return TenantQuota(**row._asdict())


# Policies.


POLICIES = Repository(Policy, Policy.name)
"""The tenant's policies, by name."""


async def list_policies(session: AsyncSession, page: PageRequest = EVERY) -> Page[Policy]:
    """The tenant's policies by name: a page of them, or (by default) every one."""
    return await POLICIES.list(session, page)


async def connectors_using_policy(session: AsyncSession, policy_id: uuid.UUID) -> list[str]:
    """Names of the connectors bound to a policy."""
    query = select(Connector.name).where(Connector.policy_id == policy_id).order_by(Connector.name)
    return list(await session.scalars(query))


# Secret refs.


SECRET_REFS = Repository(SecretRef, SecretRef.name)
"""The tenant's secret refs, by name."""


async def list_secret_refs(session: AsyncSession, page: PageRequest = EVERY) -> Page[SecretRef]:
    """The tenant's secret refs by name: a page of them, or (by default) every one."""
    return await SECRET_REFS.list(session, page)


async def existing_secret_ref_names(session: AsyncSession, names: set[str]) -> set[str]:
    """Which of ``names`` are secret refs of the tenant."""
    if not names:
        return set()
    return set(await session.scalars(select(SecretRef.name).where(SecretRef.name.in_(names))))


async def connectors_using_secret_ref(session: AsyncSession, name: str) -> list[str]:
    """Names of the connectors that map a secret to the ref ``name``."""
    # Any value of the JSON object equal to the ref's name.
    uses = func.jsonb_path_exists(
        Connector.secrets,
        literal_column("'$.* ? (@ == $ref)'::jsonpath"),
        func.jsonb_build_object("ref", name),
    )
    query = select(Connector.name).where(uses)
    return list(await session.scalars(query.order_by(Connector.name)))


# Connectors.

CONNECTORS = Repository(Connector, Connector.name)
"""The tenant's connectors, by name (their policy's name: ``connector_by_name``)."""


async def list_connectors(
    session: AsyncSession, page: PageRequest = EVERY, *, for_update: bool = False
) -> Page[tuple[Connector, str | None]]:
    """The tenant's connectors with their policy's name, by name: a page of them, or (by
    default) every one; the connector rows locked when ``for_update``."""
    query = select(Connector, Policy.name).outerjoin(Policy, _POLICY_OF_CONNECTOR)
    if for_update:
        query = query.with_for_update(of=Connector)
    return await Keyset(Connector.name).tuples(session, query, page)


async def connectors_with_specs(
    session: AsyncSession, page: PageRequest = EVERY
) -> Page[tuple[Connector, str | None, PolicySpec]]:
    """The tenant's connectors by name with their policy's name and spec (``PolicySpec()``
    without a policy): a page of them, or (by default) every one."""
    query = select(Connector, Policy.name, Policy.spec).outerjoin(Policy, _POLICY_OF_CONNECTOR)
    got = await Keyset(Connector.name).tuples(session, query, page)
    items = [
        (row, name, DEFAULT_POLICY if spec is None else msgspec.convert(spec, PolicySpec))
        for row, name, spec in got.items
    ]
    return Page(items, got.next_cursor)


async def connector_by_name(
    session: AsyncSession, name: str, *, for_update: bool = False
) -> tuple[Connector, str | None] | None:
    """One connector with its policy's name; the connector row locked when ``for_update``."""
    query = (
        select(Connector, Policy.name)
        .outerjoin(Policy, _POLICY_OF_CONNECTOR)
        .where(Connector.name == name)
    )
    if for_update:
        query = query.with_for_update(of=Connector)
    row = (await session.execute(query)).one_or_none()
    return None if row is None else (row[0], row[1])


# Configs.


async def list_configs(session: AsyncSession, page: PageRequest = EVERY) -> Page[Config]:
    """The tenant's configs by name: a page of them, or (by default) every one."""
    return await Keyset(Config.name).scalars(session, select(Config), page)


def _lock_configs(name: str | None = None) -> Select[uuid.UUID]:
    """Lock config rows (by name order, so concurrent lockers do not deadlock).

    The pointer row is locked alone, before its active version is read: a join locked
    ``FOR UPDATE`` is re-checked after a concurrent pointer move against the old
    version row (PostgreSQL's EvalPlanQual), which no longer matches, so the config
    would silently drop out of the result.
    """
    query = select(Config.id).order_by(Config.name).with_for_update()
    return query if name is None else query.where(Config.name == name)


_ACTIVE_VERSION = and_(
    ConfigVersion.config_id == Config.id, ConfigVersion.version == Config.active_version
)


async def active_configs(
    session: AsyncSession, *, for_update: bool = False
) -> list[tuple[Config, ConfigVersion]]:
    """Every config with its active version, by name; the config rows locked when
    ``for_update``."""
    query = select(Config, ConfigVersion).join(ConfigVersion, _ACTIVE_VERSION)
    if for_update:
        await session.execute(_lock_configs())
        query = query.execution_options(populate_existing=True)
    rows = await session.execute(query.order_by(Config.name))
    return [(config, version) for config, version in rows]


async def config_by_name(
    session: AsyncSession, name: str, *, for_update: bool = False
) -> tuple[Config, ConfigVersion] | None:
    """One config with its active version; the config row locked when ``for_update``."""
    query = select(Config, ConfigVersion).join(ConfigVersion, _ACTIVE_VERSION)
    if for_update:
        await session.execute(_lock_configs(name))
        query = query.execution_options(populate_existing=True)
    row = (await session.execute(query.where(Config.name == name))).one_or_none()
    return None if row is None else (row[0], row[1])


async def config_version(
    session: AsyncSession, name: str, version: int
) -> tuple[Config, ConfigVersion] | None:
    """One version of a config (for activation and rollback)."""
    query = (
        select(Config, ConfigVersion)
        .join(ConfigVersion, ConfigVersion.config_id == Config.id)
        .where(Config.name == name, ConfigVersion.version == version)
    )
    row = (await session.execute(query)).one_or_none()
    return None if row is None else (row[0], row[1])


CONFIG_MOVES = ("config.create", "config.update", "config.activate", "config.rollback")
"""Audit actions that move a config's active pointer: its activation history."""


async def last_config_move(session: AsyncSession, name: str) -> tuple[int | None, int] | None:
    """The (before, after) active versions of config ``name``'s last pointer move, from
    the audit log (``before`` is ``None`` for its creation); ``None`` when none is recorded."""
    query = (
        select(AuditLog.before["version"].as_integer(), AuditLog.after["version"].as_integer())
        .where(AuditLog.target == f"config:{name}", AuditLog.action.in_(CONFIG_MOVES))
        .order_by(AuditLog.id.desc())
        .limit(1)
    )
    row = (await session.execute(query)).one_or_none()
    if row is None or row[1] is None:
        return None
    return row[0], row[1]


# Quotas.


async def quota_row(session: AsyncSession, *, for_update: bool = False) -> TenantQuotaRow | None:
    """The tenant's quota row, if one was ever set."""
    query = select(TenantQuotaRow)
    return await session.scalar(query.with_for_update() if for_update else query)


async def lock_for_import(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    """Serialise bundle imports of one tenant until the transaction ends."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
        {"key": f"bundle-import:{tenant_id}"},
    )
